/**
 * The application shell: sidebar navigation (on a narrow screen a top bar whose menu button
 * opens it), theme toggle and the page for the current path.
 */
import { type ReactNode, useEffect, useState } from "react";
import { Icon } from "./components/icons.tsx";
import { ArtifactPage } from "./pages/artifact-page.tsx";
import { ArtifactsPage } from "./pages/artifacts-page.tsx";
import { CloneRunPage } from "./pages/clone-run-page.tsx";
import { ComparePage } from "./pages/compare-page.tsx";
import { ExperimentsPage } from "./pages/experiments-page.tsx";
import { LineagePage } from "./pages/lineage-page.tsx";
import { ModelPage } from "./pages/model-page.tsx";
import { ModelVersionPage } from "./pages/model-version-page.tsx";
import { ModelsPage } from "./pages/models-page.tsx";
import { PipelineDetailsPage } from "./pages/pipeline-details-page.tsx";
import { PipelinesPage } from "./pages/pipelines-page.tsx";
import { RecurringRunDetailsPage } from "./pages/recurring-details-page.tsx";
import { RecurringRunsPage } from "./pages/recurring-page.tsx";
import { RunDetailsPage } from "./pages/run-details-page.tsx";
import { RunsPage } from "./pages/runs-page.tsx";
import { TuningExperimentPage, TuningExperimentsPage } from "./pages/tuning-page.tsx";
import { Link, matchPath, useLocation } from "./router.tsx";
import { type ThemeChoice, useTheme } from "./theme.ts";

const NAV = [
  {
    to: "/",
    label: "Runs",
    icon: "runs",
    match: (p: string) => p === "/" || p.startsWith("/runs") || p.startsWith("/compare"),
  },
  { to: "/experiments", label: "Experiments", icon: "experiments", match: (p: string) => p.startsWith("/experiments") },
  { to: "/pipelines", label: "Pipelines", icon: "pipelines", match: (p: string) => p.startsWith("/pipelines") },
  { to: "/recurring", label: "Recurring runs", icon: "recurring", match: (p: string) => p.startsWith("/recurring") },
  { to: "/tuning", label: "Tuning", icon: "tuning", match: (p: string) => p.startsWith("/tuning") },
  { to: "/models", label: "Models", icon: "models", match: (p: string) => p.startsWith("/models") },
  { to: "/artifacts", label: "Artifacts", icon: "artifacts", match: (p: string) => p.startsWith("/artifacts") },
  { to: "/lineage", label: "Lineage", icon: "lineage", match: (p: string) => p.startsWith("/lineage") },
];

const ROUTES: Array<[string, (p: Record<string, string>, q: URLSearchParams) => ReactNode]> = [
  ["/", () => <RunsPage />],
  ["/runs", () => <RunsPage />],
  ["/runs/:id", (p, q) => <RunDetailsPage runId={p.id as string} taskId={q.get("task") ?? undefined} />],
  ["/runs/:id/clone", (p) => <CloneRunPage runId={p.id as string} />],
  ["/compare", (_p, q) => <ComparePage runIds={(q.get("runs") ?? "").split(",").filter(Boolean)} />],
  ["/experiments", () => <ExperimentsPage />],
  ["/experiments/:id", (p) => <ExperimentsPage experimentId={p.id} />],
  ["/pipelines", () => <PipelinesPage />],
  [
    "/pipelines/:id",
    (p, q) => <PipelineDetailsPage pipelineId={p.id as string} versionId={q.get("version") ?? undefined} />,
  ],
  ["/recurring", () => <RecurringRunsPage />],
  ["/artifacts", (_p, q) => <ArtifactsPage query={q} />],
  ["/artifacts/:id", (p) => <ArtifactPage artifactId={p.id as string} />],
  ["/lineage", (_p, q) => <LineagePage query={q} />],
  ["/tuning", () => <TuningExperimentsPage />],
  ["/tuning/:name", (p) => <TuningExperimentPage name={p.name as string} />],
  ["/models", (_p, q) => <ModelsPage query={q} />],
  ["/models/:name", (p) => <ModelPage name={p.name as string} />],
  [
    "/models/:name/versions/:version",
    (p) => <ModelVersionPage name={p.name as string} version={p.version as string} />,
  ],
  ["/recurring/:id", (p) => <RecurringRunDetailsPage recurringRunId={p.id as string} />],
];

function route(path: string, query: URLSearchParams): ReactNode {
  for (const [pattern, render] of ROUTES) {
    const m = matchPath(pattern, path);
    if (m) return render(m, query);
  }
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p className="muted">
        There is nothing at <code>{path}</code>. <Link to="/">Go to runs</Link>.
      </p>
    </div>
  );
}

const NEXT_THEME: Record<ThemeChoice, ThemeChoice> = { system: "light", light: "dark", dark: "system" };

/** The whole app. */
export function App(): React.JSX.Element {
  const { path, query } = useLocation();
  const [theme, setTheme] = useTheme();
  const [menuOpen, setMenuOpen] = useState(false);
  // going to another page (a link, back/forward) closes the phone menu
  // biome-ignore lint/correctness/useExhaustiveDependencies: the path is the trigger
  useEffect(() => setMenuOpen(false), [path, query]);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className={`sidebar${menuOpen ? " open" : ""}`} aria-label="Main">
        <div className="sidebar-top">
          <Link to="/" className="brand">
            <span className="brand-mark" aria-hidden="true">
              W
            </span>
            Weft
          </Link>
          <button
            type="button"
            className="btn btn-ghost menu-btn"
            aria-label="Menu"
            aria-expanded={menuOpen}
            aria-controls="nav-links"
            onClick={() => setMenuOpen((o) => !o)}
          >
            <Icon name="menu" />
          </button>
        </div>
        <div className="nav-links" id="nav-links">
          {NAV.map((n) => (
            <Link key={n.to} to={n.to} className="nav-link" aria-current={n.match(path) ? "page" : undefined}>
              <Icon name={n.icon} />
              {n.label}
            </Link>
          ))}
          <div className="sidebar-foot">
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              onClick={() => setTheme(NEXT_THEME[theme])}
              aria-label={`Theme: ${theme}. Switch to ${NEXT_THEME[theme]}`}
              data-testid="theme-toggle"
            >
              {theme === "dark" ? "☾ Dark" : theme === "light" ? "☀ Light" : "◐ System"}
            </button>
            <a className="nav-link small" href="/docs">
              <Icon name="docs" />
              API docs
            </a>
          </div>
        </div>
      </nav>
      <main className="main" id="main">
        {route(path, query)}
      </main>
    </div>
  );
}

/** The application shell: sidebar navigation, theme toggle and the page for the current path. */
import type { ReactNode } from "react";
import { Icon } from "./components/icons.tsx";
import { CloneRunPage } from "./pages/clone-run-page.tsx";
import { ComparePage } from "./pages/compare-page.tsx";
import { ExperimentsPage } from "./pages/experiments-page.tsx";
import { LineagePage } from "./pages/lineage-page.tsx";
import { PipelineDetailsPage } from "./pages/pipeline-details-page.tsx";
import { PipelinesPage } from "./pages/pipelines-page.tsx";
import { RecurringRunDetailsPage } from "./pages/recurring-details-page.tsx";
import { RecurringRunsPage } from "./pages/recurring-page.tsx";
import { RunDetailsPage } from "./pages/run-details-page.tsx";
import { RunsPage } from "./pages/runs-page.tsx";
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
  { to: "/artifacts", label: "Lineage", icon: "lineage", match: (p: string) => p.startsWith("/artifacts") },
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
  ["/recurring/:id", (p) => <RecurringRunDetailsPage recurringRunId={p.id as string} />],
  ["/artifacts", () => <LineagePage />],
  ["/artifacts/:id", (p) => <LineagePage artifactId={p.id} />],
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
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Main">
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            W
          </span>
          Weft
        </Link>
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
      </nav>
      <main className="main" id="main">
        {route(path, query)}
      </main>
    </div>
  );
}

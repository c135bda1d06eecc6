/**
 * Compare runs: parameters and metrics side by side with differences highlighted, the ROC
 * (and precision-recall) curves of all runs overlaid, and their training curves (step
 * metrics) overlaid key by key, one line per run.
 */
import {
  type Artifact,
  getAllStepMetrics,
  getRun,
  getRunArtifacts,
  getRunMetrics,
  type Json,
  type Run,
  type RunMetric,
  type StepSeries,
} from "../api/index.ts";
import { StepCharts } from "../charts/step-curves.tsx";
import { chartsAcrossRuns } from "../charts/step-series.ts";
import { Card, ErrorAlert, Loading, PageHeader, StateBadge } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { durationBetween, formatDuration, formatNumber, formatValue } from "../format.ts";
import { Link } from "../router.tsx";
import { ClassificationViewer } from "../viewers/lazy.tsx";

interface Loaded {
  run: Run;
  metrics: RunMetric[];
  artifacts: Artifact[];
  /** Step metrics, or why they could not be read (the rest of the page still shows). */
  steps: StepSeries[] | { error: unknown };
}

async function loadAll(ids: string[]): Promise<Loaded[]> {
  return Promise.all(
    ids.map(async (id) => {
      const [run, metrics, artifacts, steps] = await Promise.all([
        getRun(id),
        getRunMetrics(id),
        getRunArtifacts(id),
        getAllStepMetrics(id).catch((error: unknown) => ({ error })),
      ]);
      return { run, metrics: metrics.metrics, artifacts: artifacts.artifacts, steps };
    }),
  );
}

/** Rows of a comparison table: one key, one value per run, and whether they differ. */
export function compareRows(
  keys: string[],
  values: Array<Map<string, string>>,
): Array<{ key: string; cells: Array<string | undefined>; differs: boolean }> {
  return keys.map((key) => {
    const cells = values.map((m) => m.get(key));
    return { key, cells, differs: new Set(cells.map((c) => c ?? "\u0000")).size > 1 };
  });
}

function CompareTable(props: {
  title: string;
  runs: Loaded[];
  values: Array<Map<string, string>>;
  numeric?: boolean;
}): React.JSX.Element {
  const keys = [...new Set(props.values.flatMap((m) => [...m.keys()]))].sort();
  const rows = compareRows(keys, props.values);
  const differing = rows.filter((r) => r.differs).length;
  return (
    <Card title={props.title} actions={<span className="muted small">{differing} differ</span>}>
      {rows.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid={`compare-${props.title.toLowerCase()}`}>
            <thead>
              <tr>
                <th>Name</th>
                {props.runs.map((r) => (
                  <th key={r.run.run_id} className={props.numeric ? "num" : ""}>
                    {r.run.display_name ?? r.run.run_id}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.key} className={r.differs ? "diff" : ""} data-differs={r.differs}>
                  <th scope="row">
                    {r.key}
                    {r.differs ? <span className="visually-hidden"> (differs)</span> : null}
                  </th>
                  {r.cells.map((c, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: one cell per run, in order
                    <td key={i} className={props.numeric ? "num" : "mono"}>
                      {c ?? "—"}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

/** The compare page. */
export function ComparePage({ runIds }: { runIds: string[] }): React.JSX.Element {
  const data = useAsync(() => loadAll(runIds), [runIds.join(",")]);
  const header = (
    <PageHeader title="Compare runs" crumbs={<Link to="/">Runs</Link>} subtitle={`${runIds.length} runs`} />
  );
  if (runIds.length < 2) {
    return (
      <div className="page">
        {header}
        <div className="alert info">
          <strong>Pick at least two runs</strong>Select runs on the <Link to="/">Runs</Link> page and press Compare.
        </div>
      </div>
    );
  }
  if (data.error) {
    return (
      <div className="page">
        {header}
        <ErrorAlert error={data.error} onRetry={data.reload} />
      </div>
    );
  }
  if (!data.data) {
    return (
      <div className="page">
        {header}
        <Loading label="Loading runs" />
      </div>
    );
  }
  const runs = data.data;
  const params = runs.map(
    (r) => new Map(Object.entries(r.run.runtime_config?.parameters ?? {}).map(([k, v]) => [k, formatValue(v as Json)])),
  );
  const metrics = runs.map(
    (r) => new Map(r.metrics.map((m) => [`${m.task_label ?? m.task ?? m.task_id} · ${m.name}`, formatNumber(m.value)])),
  );
  const curves = runs.flatMap((r) =>
    r.artifacts
      .filter((a) => a.schema_title === "system.ClassificationMetrics")
      .map((a) => ({ name: `${r.run.display_name ?? r.run.run_id} · ${a.name}`, metadata: a.metadata })),
  );
  const stepErrors = runs.flatMap((r) => (Array.isArray(r.steps) ? [] : [r.steps.error]));
  const stepCharts = chartsAcrossRuns(
    runs.map((r) => ({
      name: r.run.display_name ?? r.run.run_id,
      series: Array.isArray(r.steps) ? r.steps : [],
    })),
  );
  return (
    <div className="page">
      {header}
      <div className="overview-grid">
        {runs.map((r) => (
          <Card
            key={r.run.run_id}
            title={<Link to={`/runs/${encodeURIComponent(r.run.run_id)}`}>{r.run.display_name ?? r.run.run_id}</Link>}
          >
            <div className="row">
              <StateBadge state={r.run.state} />
              <span className="muted small">
                {formatDuration(durationBetween(r.run.created_at, r.run.finished_at))}
              </span>
            </div>
          </Card>
        ))}
      </div>
      <CompareTable title="Parameters" runs={runs} values={params} />
      <CompareTable title="Metrics" runs={runs} values={metrics} numeric />
      <Card title="Curves">
        {curves.length === 0 ? (
          <p className="muted">None of these runs logged classification metrics.</p>
        ) : (
          <ClassificationViewer artifacts={curves} showConfusion={false} />
        )}
      </Card>
      <Card title="Training curves">
        {stepErrors[0] !== undefined ? <ErrorAlert error={stepErrors[0]} /> : null}
        {stepCharts.length === 0 ? (
          <p className="muted">None of these runs logged step metrics.</p>
        ) : (
          <StepCharts charts={stepCharts} testId="compare-step-charts" />
        )}
      </Card>
    </div>
  );
}

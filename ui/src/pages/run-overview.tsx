/**
 * The "Parameters & metrics" tab of a run: its info, input parameters, scalar metrics,
 * artifacts, and the model versions it registered.
 */
import { getRunArtifacts, getRunMetrics, type Run } from "../api/index.ts";
import { Card, ErrorAlert, Loading } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { formatBytes, formatNumber, formatTime, formatValue } from "../format.ts";
import { Link } from "../router.tsx";
import { RunModels } from "./run-models.tsx";

/** Run info, parameters, metrics and artifacts. */
export function RunOverview({ run }: { run: Run }): React.JSX.Element {
  const metrics = useAsync((s) => getRunMetrics(run.run_id, s), [run.run_id, run.state]);
  const artifacts = useAsync(() => getRunArtifacts(run.run_id), [run.run_id, run.state]);
  const params = Object.entries(run.runtime_config?.parameters ?? {});
  const ref = run.pipeline_version_reference;
  return (
    <div className="overview-grid">
      <Card title="Run">
        <dl className="kv">
          <dt>Run ID</dt>
          <dd className="mono">{run.run_id}</dd>
          <dt>Pipeline</dt>
          <dd>
            {ref?.pipeline_id ? (
              <Link
                to={`/pipelines/${encodeURIComponent(ref.pipeline_id)}?version=${encodeURIComponent(ref.pipeline_version_id ?? "")}`}
              >
                {ref.pipeline_id}
              </Link>
            ) : (
              (run.pipeline_spec?.pipelineInfo?.name ?? "inline pipeline")
            )}
          </dd>
          <dt>Experiment</dt>
          <dd>
            {run.experiment_id ? (
              <Link to={`/experiments/${encodeURIComponent(run.experiment_id)}`}>{run.experiment_id}</Link>
            ) : (
              "—"
            )}
          </dd>
          <dt>Created</dt>
          <dd>{formatTime(run.created_at)}</dd>
          <dt>Finished</dt>
          <dd>{formatTime(run.finished_at)}</dd>
          {run.description ? (
            <>
              <dt>Description</dt>
              <dd>{run.description}</dd>
            </>
          ) : null}
        </dl>
      </Card>
      <Card title="Parameters">
        {params.length === 0 ? (
          <p className="muted">This run has no parameters.</p>
        ) : (
          <table className="table">
            <tbody>
              {params.map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td className="mono">{formatValue(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Card title="Metrics">
        {metrics.error ? <ErrorAlert error={metrics.error} /> : null}
        {metrics.loading && !metrics.data ? <Loading /> : null}
        {metrics.data && metrics.data.metrics.length === 0 ? (
          <p className="muted">No scalar metrics were logged.</p>
        ) : null}
        {metrics.data && metrics.data.metrics.length > 0 ? (
          <table className="table">
            <thead>
              <tr>
                <th>Task</th>
                <th>Metric</th>
                <th className="num">Value</th>
              </tr>
            </thead>
            <tbody>
              {metrics.data.metrics.map((m) => (
                <tr key={`${m.task_id}/${m.name}`}>
                  <td>{m.task_label ?? m.task ?? m.task_id}</td>
                  <td>{m.name}</td>
                  <td className="num">{formatNumber(m.value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Card>
      <Card
        title="Artifacts"
        actions={
          <Link className="small" to={`/artifacts?run=${encodeURIComponent(run.run_id)}`}>
            Open in Artifacts
          </Link>
        }
      >
        {artifacts.error ? <ErrorAlert error={artifacts.error} /> : null}
        {artifacts.data && artifacts.data.artifacts.length === 0 ? <p className="muted">No artifacts yet.</p> : null}
        {artifacts.data && artifacts.data.artifacts.length > 0 ? (
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th className="num">Size</th>
              </tr>
            </thead>
            <tbody>
              {artifacts.data.artifacts.map((a) => (
                <tr key={a.artifact_id}>
                  <td>
                    <Link to={`/artifacts/${encodeURIComponent(a.artifact_id)}`}>{a.name}</Link>
                  </td>
                  <td>{a.schema_title}</td>
                  <td className="num">{formatBytes(a.size_bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Card>
      <RunModels runId={run.run_id} state={run.state} />
    </div>
  );
}

/**
 * The side panel of a selected task: overview (state, timings, attempts, cache decision),
 * inputs and outputs, live logs, and its output artifacts in viewers.
 */
import { useState } from "react";
import { type Artifact, getTaskInfo, type RunLineage, type TaskErrorInfo, type TaskInfo } from "../api/index.ts";
import { ErrorAlert, StateBadge, Tabs } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import type { DagNode } from "../dag/model.ts";
import { durationBetween, formatDuration, formatTime, formatValue } from "../format.ts";
import { Link } from "../router.tsx";
import { ArtifactViewer } from "../viewers/lazy.tsx";
import { LogView } from "./log-view.tsx";
import { displayMessage, ErrorDetails } from "./run-error.tsx";

type PanelTab = "overview" | "io" | "logs" | "artifacts";

function artifactsOf(
  lineage: RunLineage | undefined,
  taskId: string,
  type: "INPUT" | "OUTPUT",
): Array<{ name: string; artifact: Artifact }> {
  if (!lineage) return [];
  const byId = new Map(lineage.artifacts.map((a) => [a.artifact_id, a]));
  const fromEvents = lineage.events
    .filter((e) => e.task_id === taskId && e.type === type)
    .map((e) => ({ name: e.name, artifact: byId.get(e.artifact_id) }))
    .filter((x): x is { name: string; artifact: Artifact } => x.artifact !== undefined);
  if (fromEvents.length > 0 || type === "INPUT") return fromEvents;
  return lineage.artifacts.filter((a) => a.task_id === taskId).map((a) => ({ name: a.name, artifact: a }));
}

/** The panel. */
export function TaskPanel(props: {
  runId: string;
  node: DagNode;
  lineage: RunLineage | undefined;
  onClose: () => void;
}): React.JSX.Element {
  const { node, runId } = props;
  const [tab, setTab] = useState<PanelTab>("overview");
  const info = useAsync(
    async () => (node.ghost ? undefined : getTaskInfo(runId, node.id)),
    [runId, node.id, node.state, node.ghost],
  );
  const outputs = artifactsOf(props.lineage, node.id, "OUTPUT");
  const inputs = artifactsOf(props.lineage, node.id, "INPUT");
  const t = info.data;
  const error: TaskErrorInfo | undefined =
    typeof t?.error === "object"
      ? t.error
      : t?.error !== undefined || node.error !== undefined
        ? { message: t?.error ?? node.error }
        : undefined;
  return (
    <aside className="task-panel card" aria-label={`Task ${node.label}`} data-testid="task-panel">
      <div className="card-title">
        <span className="grow" style={{ overflow: "hidden", textOverflow: "ellipsis" }}>
          {node.label}
        </span>
        <StateBadge state={node.state} />
        <button type="button" className="btn btn-ghost btn-sm" onClick={props.onClose} aria-label="Close task panel">
          ✕
        </button>
      </div>
      <Tabs
        label="Task views"
        value={tab}
        onChange={setTab}
        tabs={[
          { id: "overview", label: "Overview" },
          { id: "io", label: "Inputs & outputs" },
          { id: "logs", label: "Logs" },
          { id: "artifacts", label: `Artifacts${outputs.length ? ` (${outputs.length})` : ""}` },
        ]}
      />
      <div className="task-panel-body">
        {info.error ? <ErrorAlert error={info.error} /> : null}
        {node.ghost ? (
          <div className="alert info">
            <strong>Not started yet</strong>This task runs once the tasks it depends on have finished.
          </div>
        ) : null}
        {tab === "overview" ? (
          <>
            <dl className="kv">
              <dt>Path</dt>
              <dd className="mono">{node.path}</dd>
              {node.where?.includes("[") ? (
                <>
                  <dt>Where</dt>
                  <dd>{node.where}</dd>
                </>
              ) : null}
              <dt>Kind</dt>
              <dd>{node.kind}</dd>
              <dt>Started</dt>
              <dd>{formatTime(node.startedAt)}</dd>
              <dt>Finished</dt>
              <dd>{formatTime(node.finishedAt)}</dd>
              <dt>Duration</dt>
              <dd>{formatDuration(durationBetween(node.startedAt, node.finishedAt))}</dd>
              <dt>Attempt</dt>
              <dd>
                {node.attempt}
                {node.attempt > 1 ? ` (retried ${node.attempt - 1}×)` : ""}
              </dd>
              {t?.exit_code !== undefined ? (
                <>
                  <dt>Exit code</dt>
                  <dd>{t.exit_code}</dd>
                </>
              ) : null}
            </dl>
            {error ? (
              <div className={`alert${node.state === "FAILED" ? "" : " info"}`} style={{ marginTop: 12 }}>
                <strong>{node.state === "FAILED" ? "Error" : "Why"}</strong>
                <ErrorDetails error={error} testId="task-error" />
              </div>
            ) : null}
            {t?.attempts && t.attempts.length > 1 ? <Attempts attempts={t.attempts} /> : null}
            <h3 className="section-title">Cache</h3>
            <CacheInfo node={node} cache={t?.cache} known={t !== undefined} />
          </>
        ) : null}
        {tab === "io" ? (
          <>
            <ParamTable title="Input parameters" values={t?.inputs?.parameters} known={t !== undefined} />
            <ArtifactList title="Input artifacts" items={inputs} />
            <ParamTable title="Output parameters" values={t?.outputs?.parameters} known={t !== undefined} />
            <ArtifactList title="Output artifacts" items={outputs} />
          </>
        ) : null}
        {tab === "logs" && !node.ghost ? (
          <LogView runId={runId} taskId={node.id} live={!node.finishedAt && !node.ghost} />
        ) : null}
        {tab === "artifacts" ? (
          outputs.length === 0 ? (
            <p className="muted">This task has no output artifacts{node.finishedAt ? "" : " yet"}.</p>
          ) : (
            outputs.map((o) => <ArtifactViewer key={o.artifact.artifact_id} name={o.name} artifact={o.artifact} />)
          )
        ) : null}
      </div>
    </aside>
  );
}

function Attempts({ attempts }: { attempts: NonNullable<TaskInfo["attempts"]> }): React.JSX.Element {
  return (
    <section>
      <h3 className="section-title">Attempts</h3>
      <table className="table" data-testid="attempts">
        <thead>
          <tr>
            <th>#</th>
            <th>Duration</th>
            <th>Exit</th>
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((a) => (
            <tr key={a.attempt}>
              <td>{a.attempt}</td>
              <td>{formatDuration(durationBetween(a.started_at, a.finished_at))}</td>
              <td>{a.exit_code ?? "—"}</td>
              <td className="mono">
                {typeof a.error === "string"
                  ? a.error
                  : `${a.error?.code ? `[${a.error.code}] ` : ""}${displayMessage(a.error?.message)}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function CacheInfo(props: {
  node: DagNode;
  cache: { hit?: boolean; explanation?: string; source_run_id?: string; key?: string } | undefined;
  known: boolean;
}): React.JSX.Element {
  const { node, cache } = props;
  if (cache?.hit || node.cached) {
    return (
      <p data-testid="cache-info">
        <span className="badge state-CACHED">Cache hit</span>{" "}
        {cache?.source_run_id ? (
          <>
            Outputs reused from run{" "}
            <Link to={`/runs/${encodeURIComponent(cache.source_run_id)}`}>{cache.source_run_id}</Link>.
          </>
        ) : (
          "Outputs were reused from an earlier identical execution."
        )}
      </p>
    );
  }
  if (cache) {
    return (
      <p data-testid="cache-info">
        <strong>Cache miss:</strong> {cache.explanation ?? "no earlier execution had the same inputs and component."}
      </p>
    );
  }
  return (
    <p className="muted" data-testid="cache-info">
      {props.known
        ? "Caching was not used for this task."
        : "The server did not report a cache decision for this task."}
    </p>
  );
}

function ParamTable(props: {
  title: string;
  values: Record<string, unknown> | undefined;
  known: boolean;
}): React.JSX.Element {
  const { title, values } = props;
  const entries = Object.entries(values ?? {});
  return (
    <section className="io-section">
      <h3 className="section-title">{title}</h3>
      {entries.length === 0 ? (
        <p className="muted small">
          {props.known ? "None." : "This server does not report parameter values of tasks."}
        </p>
      ) : (
        <table className="table">
          <tbody>
            {entries.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td className="mono">{formatValue(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ArtifactList({
  title,
  items,
}: {
  title: string;
  items: Array<{ name: string; artifact: Artifact }>;
}): React.JSX.Element {
  return (
    <section className="io-section">
      <h3 className="section-title">{title}</h3>
      {items.length === 0 ? (
        <p className="muted small">None.</p>
      ) : (
        <ul className="plain-list">
          {items.map((i) => (
            <li key={`${i.name}/${i.artifact.artifact_id}`}>
              <span className="chip">{i.artifact.schema_title}</span> {i.name}{" "}
              <Link to={`/artifacts/${encodeURIComponent(i.artifact.artifact_id)}`}>lineage</Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * Run details: header with state and actions (terminate, retry), the live DAG (polled
 * while the run is active), the side panel of the selected task, and the training curves of
 * the step metrics its tasks log (live while it runs).
 */
import { useCallback, useMemo, useState } from "react";
import { isActiveRunState, isRetryableRunState } from "../../../src/ir/states.ts";
import { getRun, getRunGraph, getRunLineage, retryRun, terminateRun } from "../api/index.ts";
import { ErrorAlert, Loading, PageHeader, StateBadge, Tabs } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { DagView } from "../dag/dag-view.tsx";
import { findNode, stateCounts, treeFromGraph } from "../dag/model.ts";
import { durationBetween, formatDuration, formatTime } from "../format.ts";
import { Link, navigate } from "../router.tsx";
import { RunBanner } from "./run-error.tsx";
import { RunAbout, RunManageActions } from "./run-manage.tsx";
import { RunOverview } from "./run-overview.tsx";
import { RunTraining } from "./run-training.tsx";
import { TaskPanel } from "./task-panel.tsx";

/** Marks the first rendered DAG of this page load (read by the UI benchmark). */
function markRendered(nodes: number): void {
  if (nodes > 0 && performance.getEntriesByName("weft:run-details-rendered").length === 0) {
    performance.mark("weft:run-details-rendered", { detail: { nodes } });
  }
}

/** The run details page; `taskId` (from `?task=`) opens a task's panel. */
export function RunDetailsPage(props: { runId: string; taskId?: string | undefined }): React.JSX.Element {
  const { runId } = props;
  const [tab, setTab] = useState<"graph" | "overview" | "training">("graph");
  const [actionError, setActionError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = useAsync((signal) => getRun(runId, signal), [runId], {
    pollMs: 1500,
    poll: (r) => isActiveRunState(r?.state),
  });
  const graph = useAsync((signal) => getRunGraph(runId, signal), [runId], {
    pollMs: 1000,
    poll: (g) => isActiveRunState(g?.state),
  });
  const lineage = useAsync(
    (signal) => getRunLineage(runId, signal),
    [runId, graph.data?.state, graph.data?.nodes.length],
  );
  const spec = run.data?.pipeline_spec;
  const tree = useMemo(() => (graph.data ? treeFromGraph(graph.data, spec) : undefined), [graph.data, spec]);
  const selected = props.taskId && tree ? findNode(tree.roots, props.taskId) : undefined;
  const select = useCallback(
    (id: string) => navigate(`/runs/${encodeURIComponent(runId)}?task=${encodeURIComponent(id)}`, { replace: true }),
    [runId],
  );
  const state = graph.data?.state ?? run.data?.state;

  const act = async (fn: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setActionError(undefined);
    try {
      await fn();
      run.reload();
      graph.reload();
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
    }
  };

  if (run.error && !run.data) {
    return (
      <div className="page">
        <PageHeader title="Run" crumbs={<Link to="/">Runs</Link>} />
        <ErrorAlert error={run.error} onRetry={run.reload} />
      </div>
    );
  }
  const r = run.data;
  const counts = tree ? stateCounts(tree.roots) : new Map<string, number>();
  return (
    <div className="page run-details">
      <PageHeader
        crumbs={
          <>
            <Link to="/">Runs</Link> / {r?.display_name ?? runId}
          </>
        }
        title={
          <span className="row">
            {r?.display_name ?? runId} <StateBadge state={state} />
          </span>
        }
        subtitle={
          r ? (
            <span className="row small">
              <span>Started {formatTime(r.created_at)}</span>
              <span aria-hidden="true">·</span>
              <span>Duration {formatDuration(durationBetween(r.created_at, r.finished_at))}</span>
              {[...counts].map(([s, n]) => (
                <span key={s} className={`badge plain state-${s}`}>
                  {n} {s.toLowerCase()}
                </span>
              ))}
            </span>
          ) : undefined
        }
        actions={
          <>
            <button
              type="button"
              className="btn btn-danger"
              disabled={busy || !isActiveRunState(state)}
              onClick={() => void act(() => terminateRun(runId))}
            >
              Terminate
            </button>
            <button
              type="button"
              className="btn"
              disabled={busy || !isRetryableRunState(state)}
              onClick={() => void act(() => retryRun(runId))}
            >
              Retry
            </button>
            <RunManageActions run={r} onChanged={run.reload} />
          </>
        }
      />
      {r ? <RunAbout key={`${r.description}|${JSON.stringify(r.tags ?? {})}`} run={r} onSaved={run.reload} /> : null}
      {r?.storage_state === "ARCHIVED" ? (
        <p className="muted small" role="status" data-testid="archived-banner">
          This run is archived: the runs list shows it under "Archived runs".
        </p>
      ) : null}
      {actionError ? <ErrorAlert error={actionError} /> : null}
      {r ? <RunBanner run={r} state={state} roots={tree?.roots} /> : null}
      <Tabs
        label="Run views"
        value={tab}
        onChange={setTab}
        tabs={[
          { id: "graph", label: "Graph" },
          { id: "overview", label: "Parameters & metrics" },
          { id: "training", label: "Training" },
        ]}
      />
      {tab === "overview" && r ? <RunOverview run={r} /> : null}
      {tab === "training" ? <RunTraining runId={runId} live={state === undefined || isActiveRunState(state)} /> : null}
      {tab === "graph" ? (
        <div className={`run-body${selected ? " with-panel" : ""}`}>
          <div className="run-graph">
            {graph.error && !graph.data ? <ErrorAlert error={graph.error} onRetry={graph.reload} /> : null}
            {tree ? (
              <DagView
                tree={tree}
                selected={selected?.id}
                onSelect={select}
                height="calc(100vh - 260px)"
                onLayout={markRendered}
              />
            ) : graph.loading ? (
              <Loading label="Loading the graph" />
            ) : null}
          </div>
          {selected ? (
            <TaskPanel
              runId={runId}
              node={selected}
              lineage={lineage.data}
              onClose={() => navigate(`/runs/${encodeURIComponent(runId)}`, { replace: true })}
            />
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/**
 * One recurring run: its settings (trigger, start and end, max concurrency, catch-up,
 * experiment, pipeline version, parameters), its next fire times, enable/disable, delete,
 * and the runs it created, each linked to its page.
 */
import {
  deleteRecurringRun,
  getRecurringRun,
  listRuns,
  type RecurringRun,
  setRecurringRunEnabled,
} from "../api/index.ts";
import { ConfirmButton } from "../components/confirm.tsx";
import { Card, ErrorAlert, Loading, PageHeader, StateBadge } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { durationBetween, formatDuration, formatTime, formatValue } from "../format.ts";
import { useExperimentNames, usePipelineNames } from "../hooks/lookups.ts";
import { Link, navigate } from "../router.tsx";
import { nextFireTimes } from "./fire-times.ts";
import { triggerText } from "./recurring-page.tsx";

/** A schedule bound in UTC with its year (the create form takes UTC times too). */
function utc(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function windowOf(rr: RecurringRun): { start?: string | undefined; end?: string | undefined } {
  const w = rr.trigger?.cron_schedule ?? rr.trigger?.periodic_schedule;
  return { start: w?.start_time, end: w?.end_time };
}

/** The page of `/recurring/:id`. */
export function RecurringRunDetailsPage(props: { recurringRunId: string }): React.JSX.Element {
  const id = props.recurringRunId;
  const rr = useAsync((signal) => getRecurringRun(id, signal), [id], { pollMs: 10_000 });
  const runs = useAsync(
    (signal) =>
      listRuns(
        {
          pageSize: 50,
          sortBy: "created_at desc",
          filter: { predicates: [{ key: "recurring_run_id", operation: "EQUALS", string_value: id }] },
        },
        signal,
      ),
    [id],
    { pollMs: 10_000 },
  );
  const experiments = useExperimentNames();
  const r = rr.data;
  const pipelines = usePipelineNames(
    r?.pipeline_version_reference?.pipeline_id ? [r.pipeline_version_reference.pipeline_id] : [],
  );
  if (rr.error && !r) {
    return (
      <div className="page">
        <PageHeader title="Recurring run" crumbs={<Link to="/recurring">Recurring runs</Link>} />
        <ErrorAlert error={rr.error} onRetry={rr.reload} />
      </div>
    );
  }
  if (!r) {
    return (
      <div className="page">
        <Loading />
      </div>
    );
  }
  const on = r.mode !== "DISABLE";
  const { start, end } = windowOf(r);
  const ref = r.pipeline_version_reference;
  const params = Object.entries(r.runtime_config?.parameters ?? {});
  const next = nextFireTimes(r, Date.now(), 5);
  const settings: Array<[string, React.ReactNode]> = [
    [
      "Trigger",
      <span key="trigger" className="mono">
        {triggerText(r)}
      </span>,
    ],
    ["Starts", start ? utc(start) : "when created"],
    ["Ends", end ? utc(end) : "never"],
    ["Max concurrency", `${r.max_concurrency ?? "1"} run(s) at once`],
    ["Catch-up", r.no_catchup ? "off: after a pause, one run for the missed times" : "on: one run per missed time"],
    [
      "Experiment",
      r.experiment_id ? (
        <Link key="experiment" to={`/experiments/${encodeURIComponent(r.experiment_id)}`}>
          {experiments.get(r.experiment_id) ?? r.experiment_id}
        </Link>
      ) : (
        "Default"
      ),
    ],
    [
      "Pipeline",
      ref?.pipeline_id ? (
        <Link
          key="pipeline"
          to={`/pipelines/${encodeURIComponent(ref.pipeline_id)}${ref.pipeline_version_id ? `?version=${encodeURIComponent(ref.pipeline_version_id)}` : ""}`}
        >
          {pipelines.get(ref.pipeline_id) ?? ref.pipeline_id}
        </Link>
      ) : (
        "inline pipeline spec"
      ),
    ],
    ["Created", formatTime(r.created_at)],
    ["Next fire times", next.length ? next.map((t) => formatTime(new Date(t).toISOString())).join(", ") : "—"],
  ];
  return (
    <div className="page">
      <PageHeader
        crumbs={
          <>
            <Link to="/recurring">Recurring runs</Link> / {r.display_name}
          </>
        }
        title={
          <span className="row">
            {r.display_name}
            <span className={`badge ${on ? "state-SUCCEEDED" : "state-SKIPPED"}`} data-testid="recurring-status">
              {on ? "Enabled" : "Disabled"}
            </span>
          </span>
        }
        subtitle={r.description || undefined}
        actions={
          <>
            <ConfirmButton
              label={on ? "Disable" : "Enable"}
              title={on ? "Disable this recurring run?" : "Enable this recurring run?"}
              message={
                on
                  ? "No new runs start until it is enabled again; runs already started go on."
                  : "Runs start again at the next fire time."
              }
              onConfirm={() => setRecurringRunEnabled(id, !on)}
              onDone={rr.reload}
            />
            <ConfirmButton
              label="Delete"
              danger
              title="Delete this recurring run?"
              message="No more runs start from it. The runs it already created stay, with their results."
              onConfirm={() => deleteRecurringRun(id)}
              onDone={() => navigate("/recurring")}
            />
          </>
        }
      />
      {rr.error ? <ErrorAlert error={rr.error} onRetry={rr.reload} /> : null}
      <Card title="Settings">
        <dl className="kv" data-testid="recurring-settings">
          {settings.map(([k, v]) => (
            <div key={k} className="kv-row">
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
          {params.length > 0 ? (
            <div className="kv-row">
              <dt>Parameters</dt>
              <dd className="mono small">{params.map(([k, v]) => `${k}=${formatValue(v)}`).join("  ")}</dd>
            </div>
          ) : null}
        </dl>
      </Card>
      <Card title={`Runs it created${runs.data ? ` (${runs.data.totalSize})` : ""}`}>
        {runs.error ? <ErrorAlert error={runs.error} onRetry={runs.reload} /> : null}
        {runs.loading && !runs.data ? <Loading /> : null}
        {runs.data ? (
          <div className="table-wrap">
            <table className="table" data-testid="recurring-runs">
              <thead>
                <tr>
                  <th>Run</th>
                  <th>State</th>
                  <th>Scheduled</th>
                  <th>Duration</th>
                </tr>
              </thead>
              <tbody>
                {runs.data.items.length === 0 ? (
                  <tr>
                    <td colSpan={4} className="empty">
                      No runs yet{next[0] ? `; the next starts ${formatTime(new Date(next[0]).toISOString())}` : ""}.
                    </td>
                  </tr>
                ) : null}
                {runs.data.items.map((run) => (
                  <tr key={run.run_id}>
                    <td>
                      <Link to={`/runs/${encodeURIComponent(run.run_id)}`}>{run.display_name ?? run.run_id}</Link>
                    </td>
                    <td>
                      <StateBadge state={run.state} />
                    </td>
                    <td>{formatTime(run.scheduled_at ?? run.created_at)}</td>
                    <td>{formatDuration(durationBetween(run.created_at, run.finished_at))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </Card>
    </div>
  );
}

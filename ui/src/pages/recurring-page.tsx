/**
 * Recurring runs: list with next fire times (each links to its page), enable/disable, and
 * a form to create one (pipeline, trigger, start and end, experiment, max concurrency,
 * catch-up). The cron field checks with the server's own parser, and a trigger the server
 * refuses is shown as that field's error.
 */
import { useMemo, useState } from "react";
import {
  ApiRequestError,
  createRecurringRun,
  getVersion,
  listPipelines,
  listRecurringRuns,
  listVersions,
  type RecurringRun,
  setRecurringRunEnabled,
} from "../api/index.ts";
import { Card, ErrorAlert, Loading, PageHeader } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { formatTime } from "../format.ts";
import { useExperimentNames } from "../hooks/lookups.ts";
import { Link } from "../router.tsx";
import { nextFireTimes, triggerFieldOf, triggerProblem } from "./fire-times.ts";
import { ParamsFields } from "./params-fields.tsx";
import { initialText, paramFields, parseAll, specOfVersion } from "./params-form.ts";

/** The trigger in words: `cron 0 0 * * * *` or `every 2 hours`. */
export function triggerText(rr: RecurringRun): string {
  const c = rr.trigger?.cron_schedule?.cron;
  if (c) return `cron ${c}`;
  const s = Number(rr.trigger?.periodic_schedule?.interval_second ?? 0);
  if (s % 86400 === 0) return `every ${s / 86400} day${s === 86400 ? "" : "s"}`;
  if (s % 3600 === 0) return `every ${s / 3600} hour${s === 3600 ? "" : "s"}`;
  if (s % 60 === 0) return `every ${s / 60} minute${s === 60 ? "" : "s"}`;
  return `every ${s} s`;
}

function CreateRecurring({ onCreated }: { onCreated: () => void }): React.JSX.Element {
  const pipelines = useAsync(() => listPipelines({ pageSize: 200 }), []);
  const [pipelineId, setPipelineId] = useState("");
  const versions = useAsync(
    async () => (pipelineId ? listVersions(pipelineId, { pageSize: 1, sortBy: "created_at desc" }) : undefined),
    [pipelineId],
  );
  const versionId = versions.data?.items[0]?.pipeline_version_id;
  const version = useAsync(
    async () => (pipelineId && versionId ? getVersion(pipelineId, versionId) : undefined),
    [pipelineId, versionId],
  );
  const fields = useMemo(() => paramFields(specOfVersion(version.data)), [version.data]);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [name, setName] = useState("");
  const [kind, setKind] = useState<"cron" | "periodic">("cron");
  const [cron, setCron] = useState("0 0 * * * *");
  const [cronProblem, setCronProblem] = useState<string>();
  const [minutes, setMinutes] = useState("60");
  const [enabled, setEnabled] = useState(true);
  const [experimentId, setExperimentId] = useState("");
  const [maxConcurrency, setMaxConcurrency] = useState("1");
  const [catchUp, setCatchUp] = useState(true);
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [windowProblem, setWindowProblem] = useState<string>();
  const [error, setError] = useState<unknown>();
  const experiments = useExperimentNames();
  const textOf = (n: string): string => texts[n] ?? initialText(fields.find((f) => f.name === n) ?? fields[0]!);

  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    const all = Object.fromEntries(fields.map((f) => [f.name, textOf(f.name)]));
    const { values, errors: errs } = parseAll(fields, all);
    setErrors(errs);
    const startTime = start ? new Date(`${start}Z`).toISOString() : undefined;
    const endTime = end ? new Date(`${end}Z`).toISOString() : undefined;
    // the server's own trigger check, so the form refuses exactly what the server would
    const problem =
      kind === "cron"
        ? triggerProblem({
            cron,
            ...(startTime ? { startTime: Date.parse(startTime) } : {}),
            ...(endTime ? { endTime: Date.parse(endTime) } : {}),
          })
        : undefined;
    setCronProblem(problem?.field === "cron" ? problem.message : undefined);
    setWindowProblem(problem?.field === "window" ? problem.message : undefined);
    if (Object.keys(errs).length > 0 || problem) return;
    try {
      if (!pipelineId || !versionId) throw new Error("Choose a pipeline to schedule.");
      if (!name.trim()) throw new Error("Give the recurring run a name.");
      const mins = Number(minutes);
      if (kind === "periodic" && !(Number.isInteger(mins) && mins > 0))
        throw new Error("The interval must be a whole number of minutes, 1 or more.");
      const concurrency = Number(maxConcurrency);
      if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 10))
        throw new Error("Max concurrency must be a whole number from 1 to 10.");
      await createRecurringRun({
        displayName: name.trim(),
        pipelineId,
        pipelineVersionId: versionId,
        parameters: values,
        cron: kind === "cron" ? cron : undefined,
        intervalSeconds: kind === "periodic" ? mins * 60 : undefined,
        maxConcurrency: concurrency,
        enabled,
        experimentId: experimentId || undefined,
        startTime,
        endTime,
        noCatchup: !catchUp,
      });
      setName("");
      onCreated();
    } catch (err) {
      // the server names the trigger in its refusals: show them at the field they are about
      const field = err instanceof ApiRequestError ? triggerFieldOf(err.code, kind) : undefined;
      if (field === "window") setWindowProblem((err as Error).message);
      else if (field === "cron") setCronProblem((err as Error).message);
      else setError(err);
    }
  };
  return (
    <form
      onSubmit={(e) => void submit(e)}
      style={{ display: "grid", gap: 16 }}
      noValidate
      aria-label="Create recurring run"
    >
      <div className="form-grid">
        <div className="field">
          <label htmlFor="rr-name">Name</label>
          <input id="rr-name" className="input" value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="rr-pipeline">Pipeline</label>
          <select
            id="rr-pipeline"
            className="select"
            value={pipelineId}
            onChange={(e) => setPipelineId(e.target.value)}
          >
            <option value="">Choose…</option>
            {(pipelines.data?.items ?? []).map((p) => (
              <option key={p.pipeline_id} value={p.pipeline_id}>
                {p.display_name || p.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="rr-kind">Trigger</label>
          <select
            id="rr-kind"
            className="select"
            value={kind}
            onChange={(e) => setKind(e.target.value as "cron" | "periodic")}
          >
            <option value="cron">Cron schedule</option>
            <option value="periodic">Every N minutes</option>
          </select>
        </div>
        {kind === "cron" ? (
          <div className="field">
            <label htmlFor="rr-cron">Cron (UTC; 6 fields with seconds, or 5)</label>
            <input
              id="rr-cron"
              className="input mono"
              value={cron}
              aria-invalid={cronProblem ? true : undefined}
              aria-describedby="rr-cron-hint"
              onChange={(e) => {
                setCron(e.target.value);
                setCronProblem(undefined);
              }}
            />
            <span className="hint" id="rr-cron-hint">
              {cronProblem ? (
                <span className="field-error" role="alert" data-testid="cron-error">
                  {cronProblem}
                </span>
              ) : (
                "e.g. 0 0 * * * * (hourly), 0 30 9 * * MON-FRI, @daily or @every 6h"
              )}
            </span>
          </div>
        ) : (
          <div className="field">
            <label htmlFor="rr-minutes">Interval (minutes)</label>
            <input
              id="rr-minutes"
              className="input"
              inputMode="numeric"
              value={minutes}
              onChange={(e) => setMinutes(e.target.value)}
            />
          </div>
        )}
        <div className="field">
          <label htmlFor="rr-start">Start (UTC, optional)</label>
          <input
            id="rr-start"
            className="input"
            type="datetime-local"
            value={start}
            aria-invalid={windowProblem ? true : undefined}
            onChange={(e) => {
              setStart(e.target.value);
              setWindowProblem(undefined);
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="rr-end">End (UTC, optional)</label>
          <input
            id="rr-end"
            className="input"
            type="datetime-local"
            value={end}
            aria-invalid={windowProblem ? true : undefined}
            aria-describedby="rr-window-hint"
            onChange={(e) => {
              setEnd(e.target.value);
              setWindowProblem(undefined);
            }}
          />
          <span className="hint" id="rr-window-hint">
            {windowProblem ? (
              <span className="field-error" role="alert">
                {windowProblem}
              </span>
            ) : (
              "Nothing fires before the start or after the end."
            )}
          </span>
        </div>
        <div className="field">
          <label htmlFor="rr-experiment">Experiment</label>
          <select
            id="rr-experiment"
            className="select"
            value={experimentId}
            onChange={(e) => setExperimentId(e.target.value)}
          >
            <option value="">Default</option>
            {[...experiments].map(([eid, n]) => (
              <option key={eid} value={eid}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="rr-concurrency">Max concurrency</label>
          <input
            id="rr-concurrency"
            className="input"
            inputMode="numeric"
            value={maxConcurrency}
            aria-describedby="rr-concurrency-hint"
            onChange={(e) => setMaxConcurrency(e.target.value)}
          />
          <span className="hint" id="rr-concurrency-hint">
            Runs of this schedule at once (1 to 10); a fire time waits while that many run.
          </span>
        </div>
        <label className="row">
          <input type="checkbox" checked={catchUp} onChange={(e) => setCatchUp(e.target.checked)} /> Catch up: one run
          per missed time after a pause
        </label>
        <label className="row">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
        </label>
      </div>
      {fields.length > 0 ? (
        <ParamsFields
          fields={fields}
          texts={Object.fromEntries(fields.map((f) => [f.name, textOf(f.name)]))}
          errors={errors}
          onChange={(n, t) => {
            setTexts((x) => ({ ...x, [n]: t }));
            setErrors(({ [n]: _dropped, ...rest }) => rest);
          }}
        />
      ) : null}
      {error ? <ErrorAlert error={error} /> : null}
      <div>
        <button type="submit" className="btn btn-primary">
          Create recurring run
        </button>
      </div>
    </form>
  );
}

/** The page. */
export function RecurringRunsPage(): React.JSX.Element {
  const list = useAsync((s) => listRecurringRuns({ pageSize: 100 }, s), [], { pollMs: 10_000 });
  const [showCreate, setShowCreate] = useState(false);
  const [error, setError] = useState<unknown>();
  const toggle = async (rr: RecurringRun): Promise<void> => {
    setError(undefined);
    try {
      await setRecurringRunEnabled(rr.recurring_run_id, rr.mode === "DISABLE");
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  const now = Date.now();
  return (
    <div className="page">
      <PageHeader
        title="Recurring runs"
        subtitle="Pipelines that run on a schedule."
        actions={
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => setShowCreate((v) => !v)}
            aria-expanded={showCreate}
          >
            New recurring run
          </button>
        }
      />
      {showCreate ? (
        <Card title="New recurring run">
          <CreateRecurring
            onCreated={() => {
              setShowCreate(false);
              list.reload();
            }}
          />
        </Card>
      ) : null}
      {error ? <ErrorAlert error={error} /> : null}
      {list.error ? <ErrorAlert error={list.error} onRetry={list.reload} /> : null}
      {list.loading && !list.data ? <Loading /> : null}
      {list.data ? (
        <div className="card table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Trigger</th>
                <th>Status</th>
                <th>Next fire times</th>
                <th>Created</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.length === 0 ? (
                <tr>
                  <td colSpan={6} className="empty">
                    No recurring runs yet.
                  </td>
                </tr>
              ) : null}
              {list.data.items.map((rr) => {
                const on = rr.mode !== "DISABLE";
                const next = nextFireTimes(rr, now);
                return (
                  <tr key={rr.recurring_run_id}>
                    <td>
                      <Link to={`/recurring/${encodeURIComponent(rr.recurring_run_id)}`}>{rr.display_name}</Link>
                    </td>
                    <td className="mono">{triggerText(rr)}</td>
                    <td>
                      <span className={`badge ${on ? "state-SUCCEEDED" : "state-SKIPPED"}`}>
                        {on ? "Enabled" : "Disabled"}
                      </span>
                    </td>
                    <td className="small">
                      {next.length === 0 ? "—" : next.map((t) => formatTime(new Date(t).toISOString())).join(", ")}
                    </td>
                    <td>{formatTime(rr.created_at)}</td>
                    <td>
                      <button type="button" className="btn btn-sm" onClick={() => void toggle(rr)}>
                        {on ? "Disable" : "Enable"}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

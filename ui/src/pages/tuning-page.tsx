/**
 * Tuning experiments: the list (state, algorithm, objectives, trials by state, best value;
 * one request per page) and one experiment's page: its trials table (sortable by any
 * column; each trial links to its run when it has one), the optimisation history, the
 * parallel-coordinates plot, parameter importance and, with several objectives, the
 * Pareto front. The page asks for the experiment, its trials and its analysis at once,
 * and again every few seconds while the experiment runs.
 */
import { useMemo, useState } from "react";
import { TERMINAL_EXPERIMENT_STATES, TRIAL_STATES } from "../../../src/ir/states.ts";
import {
  cancelTuningExperiment,
  getTrialObservations,
  getTuningAnalysis,
  getTuningExperiment,
  listTuningExperiments,
  listTuningTrials,
  type TuningExperiment,
  type TuningExperimentSummary,
  type TuningTrial,
} from "../api/index.ts";
import { CurveChart } from "../charts/curve-chart.tsx";
import { stepAxes } from "../charts/step-series.ts";
import { HistoryChart, ImportanceBars, ParallelCoordinates, ParetoScatter } from "../charts/tuning-charts.tsx";
import { ConfirmButton } from "../components/confirm.tsx";
import { Pager, usePageTokens } from "../components/pager.tsx";
import { Card, ErrorAlert, Loading, PageHeader, StateBadge } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { formatMetric, formatRelative, formatTime, formatValue } from "../format.ts";
import { Link } from "../router.tsx";
import { cellValue, columnLabel, countsPhrase, sortTrials, trialColumns } from "./tuning-shape.ts";

const enc = encodeURIComponent;

/** How often a running experiment's page is refreshed. */
export const TUNING_POLL_MS = 2000;

const isLive = (state: string | undefined): boolean =>
  state !== undefined && !(TERMINAL_EXPERIMENT_STATES as readonly string[]).includes(state);

function objectivesText(e: TuningExperimentSummary): string {
  return e.objectives.map((o) => `${o.goal === "maximize" ? "max" : "min"} ${o.name}`).join(", ");
}

/** The experiments list. */
export function TuningExperimentsPage(): React.JSX.Element {
  const pages = usePageTokens();
  const pageToken = pages.pageToken;
  const list = useAsync((signal) => listTuningExperiments({ pageToken }, signal), [pageToken], {
    pollMs: TUNING_POLL_MS,
    poll: (d) => (d?.experiments ?? []).some((e) => isLive(e.state)),
  });
  const items = list.data?.experiments ?? [];
  return (
    <div className="page">
      <PageHeader
        title="Tuning"
        subtitle="Hyperparameter tuning experiments (Katib's Experiment), their trials and the best configurations."
      />
      {list.error ? <ErrorAlert error={list.error} onRetry={list.reload} /> : null}
      {list.loading && !list.data ? <Loading label="Loading tuning experiments" /> : null}
      {list.data && items.length === 0 ? (
        <p className="muted" data-testid="tuning-empty">
          No tuning experiments yet. Run one with <code>weft tune experiment.yaml</code> (a Katib Experiment) or{" "}
          <code>tune()</code> in TypeScript.
        </p>
      ) : null}
      {items.length > 0 ? (
        <div className="card table-wrap">
          <table className="table" data-testid="tuning-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>State</th>
                <th>Algorithm</th>
                <th>Objective</th>
                <th>Trials</th>
                <th className="num">Best</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.name} data-experiment-row={e.name}>
                  <td className="cell-name" title={e.name}>
                    <Link to={`/tuning/${enc(e.name)}`}>{e.name}</Link>
                  </td>
                  <td>
                    <StateBadge state={e.state} />
                  </td>
                  <td className="mono">{e.algorithm}</td>
                  <td>{objectivesText(e)}</td>
                  <td title={countsPhrase(e.trial_counts, TRIAL_STATES)} data-testid="trial-counts">
                    {e.trial_count}
                    {e.max_trial_count !== undefined ? ` / ${e.max_trial_count}` : ""}{" "}
                    <span className="muted small">{countsPhrase(e.trial_counts, TRIAL_STATES)}</span>
                  </td>
                  <td className="num mono" data-testid="best-value">
                    {e.best_value !== undefined ? formatMetric(e.best_value) : "—"}
                  </td>
                  <td title={formatTime(e.created_at)}>{formatRelative(e.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager pages={pages} nextPageToken={list.data?.next_page_token} />
    </div>
  );
}

function TrialsTable({ exp, trials }: { exp: TuningExperiment; trials: TuningTrial[] }): React.JSX.Element {
  const [sort, setSort] = useState<{ col: string; desc: boolean }>({ col: "number", desc: false });
  const columns = useMemo(() => trialColumns(exp, trials), [exp, trials]);
  const rows = useMemo(() => sortTrials(trials, sort.col, sort.desc), [trials, sort]);
  // the best trial (★) and, with several objectives, the rest of the Pareto front (◆)
  const best = new Set(exp.best_trials.map((t) => t.number));
  const click = (col: string): void => setSort((s) => (s.col === col ? { col, desc: !s.desc } : { col, desc: false }));
  return (
    <div className="table-wrap">
      <table className="table" data-testid="trials-table">
        <thead>
          <tr>
            {columns.map((c) => (
              <th
                key={c}
                className={c.startsWith("metric:") || c === "number" ? "num" : undefined}
                aria-sort={sort.col === c ? (sort.desc ? "descending" : "ascending") : "none"}
                data-column={c}
              >
                <button type="button" className="sort-btn" onClick={() => click(c)}>
                  {columnLabel(c)}
                  {sort.col === c ? (sort.desc ? " ▼" : " ▲") : ""}
                </button>
              </th>
            ))}
            <th>Run</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr key={t.number} data-trial={t.number} className={best.has(t.number) ? "row-best" : undefined}>
              {columns.map((c) => {
                if (c === "number") {
                  return (
                    <td key={c} className="num mono" title={t.name}>
                      {t.number}{" "}
                      {t.number === exp.best_trial_number ? (
                        <span className="badge plain" title="the best trial" data-testid="best-trial">
                          ★
                        </span>
                      ) : best.has(t.number) ? (
                        <span className="badge plain" title="on the Pareto front" data-testid="front-trial">
                          ◆
                        </span>
                      ) : null}
                    </td>
                  );
                }
                if (c === "state") {
                  return (
                    <td key={c} title={t.message ?? t.reason}>
                      <StateBadge state={t.state} />
                    </td>
                  );
                }
                const v = cellValue(t, c);
                return (
                  <td key={c} className={c.startsWith("metric:") ? "num mono" : "mono"}>
                    {v === undefined ? (
                      <span className="muted">—</span>
                    ) : typeof v === "number" ? (
                      formatMetric(v)
                    ) : (
                      formatValue(v)
                    )}
                  </td>
                );
              })}
              <td>
                {t.run_id ? (
                  <Link to={`/runs/${enc(t.run_id)}`} data-testid="trial-run">
                    run
                  </Link>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A trial's intermediate values (what early stopping and ASHA judge), one curve per metric, on request. */
function IntermediateValues({ name, trials }: { name: string; trials: TuningTrial[] }): React.JSX.Element {
  const [trial, setTrial] = useState("");
  const obs = useAsync(
    (signal) => (trial ? getTrialObservations(name, trial, signal) : Promise.resolve({ observations: [] })),
    [name, trial],
  );
  const byMetric = new Map<string, Array<{ x: number; y: number }>>();
  for (const o of obs.data?.observations ?? []) {
    if (typeof o.value !== "number") continue;
    const pts = byMetric.get(o.metric) ?? [];
    pts.push({ x: o.step, y: o.value });
    byMetric.set(o.metric, pts);
  }
  return (
    <Card title="Intermediate values">
      <label className="row small">
        <span className="muted">Trial</span>
        <select
          className="input"
          value={trial}
          onChange={(e) => setTrial(e.target.value)}
          aria-label="Trial whose intermediate values to show"
          data-testid="observations-trial"
        >
          <option value="">Choose a trial</option>
          {trials.map((t) => (
            <option key={t.number} value={t.name}>
              {t.name} ({t.state.toLowerCase()})
            </option>
          ))}
        </select>
      </label>
      {obs.error ? <ErrorAlert error={obs.error} onRetry={obs.reload} /> : null}
      {trial && obs.data && byMetric.size === 0 ? (
        <p className="muted">This trial reported no intermediate values.</p>
      ) : null}
      <div className="chart-row" data-testid="observations">
        {[...byMetric].map(([metric, points]) => {
          const series = [{ name: metric, points }];
          const axes = stepAxes(series);
          return (
            <div key={metric} className="chart-cell" data-observation-metric={metric}>
              <CurveChart
                title={`${trial}: ${metric}`}
                xLabel="Step"
                yLabel={metric}
                series={series}
                xAxis={axes.x}
                yAxis={axes.y}
              />
            </div>
          );
        })}
      </div>
    </Card>
  );
}

/** One tuning experiment. */
export function TuningExperimentPage({ name }: { name: string }): React.JSX.Element {
  // one round: the experiment, its trials and its analysis at once, again while it runs
  const exp = useAsync(
    async (signal) => {
      const [experiment, trials, analysis] = await Promise.all([
        getTuningExperiment(name, signal),
        listTuningTrials(name, signal),
        getTuningAnalysis(name, signal),
      ]);
      return { experiment, trials: trials.trials ?? [], analysis };
    },
    [name],
    { pollMs: TUNING_POLL_MS, poll: (d) => isLive(d?.experiment.state) },
  );
  const crumbs = (
    <>
      <Link to="/tuning">Tuning</Link> / {name}
    </>
  );
  if (exp.error && !exp.data) {
    return (
      <div className="page">
        <PageHeader title={name} crumbs={crumbs} />
        <ErrorAlert error={exp.error} onRetry={exp.reload} />
      </div>
    );
  }
  if (!exp.data) {
    return (
      <div className="page">
        <PageHeader title={name} crumbs={crumbs} />
        <Loading label="Loading the experiment" />
      </div>
    );
  }
  const { experiment: e, trials: list, analysis: a } = exp.data;
  const multi = e.objectives.length > 1;
  return (
    <div className="page" data-testid="tuning-experiment">
      <PageHeader
        crumbs={crumbs}
        title={e.name}
        subtitle={
          <span className="row small">
            <StateBadge state={e.state} />
            {e.reason ? <span>{e.reason}</span> : null}
            <span aria-hidden="true">·</span>
            <span className="mono">{e.algorithm}</span>
            <span aria-hidden="true">·</span>
            <span>{objectivesText(e)}</span>
            <span aria-hidden="true">·</span>
            <span>{countsPhrase(e.trial_counts, TRIAL_STATES)}</span>
          </span>
        }
        actions={
          isLive(e.state) ? (
            <ConfirmButton
              label="Cancel"
              danger
              title="Cancel this experiment?"
              message="Its running trials are canceled; finished trials are kept."
              onConfirm={() => cancelTuningExperiment(e.name)}
              onDone={exp.reload}
            />
          ) : undefined
        }
      />
      {e.message ? <p className="muted">{e.message}</p> : null}
      {exp.error ? <ErrorAlert error={exp.error} onRetry={exp.reload} /> : null}
      {a ? (
        <Card title="Analysis">
          <div className="chart-row">
            {a.history.map((h) => (
              <HistoryChart key={h.metric} history={h} />
            ))}
            {multi && a.pareto_front ? (
              <ParetoScatter
                objectives={e.objectives}
                trials={list}
                front={a.pareto_front}
                best={e.best_trial_number}
              />
            ) : null}
            {a.importance.map((imp) => (
              <ImportanceBars key={imp.metric} importance={imp} />
            ))}
          </div>
          {list.length > 0 ? (
            <ParallelCoordinates parameters={e.spec.parameters} objectives={e.objectives} trials={list} />
          ) : null}
        </Card>
      ) : null}
      <Card title={`Trials (${list.length})`}>
        {list.length === 0 ? <p className="muted">No trials yet.</p> : null}
        {list.length > 0 ? <TrialsTable exp={e} trials={list} /> : null}
      </Card>
      {list.length > 0 ? <IntermediateValues name={e.name} trials={list} /> : null}
    </div>
  );
}

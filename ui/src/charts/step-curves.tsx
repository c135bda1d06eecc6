/**
 * Training curves: a run's step metrics (what a component logs with `ctx.log.metric(key,
 * value, {step})`) drawn as one chart per key, loaded incrementally while the run is live.
 */
import { useEffect, useRef, useState } from "react";
import { getStepMetrics, type StepSeries } from "../api/models.ts";
import { CurveChart } from "./curve-chart.tsx";
import { mergeStepSeries, type StepChart, stepAxes } from "./step-series.ts";

/** How often a live run's new step metrics are asked for. */
export const STEP_POLL_MS = 1000;

/** What {@link useStepMetrics} knows so far. */
export interface StepMetricsState {
  series: StepSeries[];
  /** True once the first answer came. */
  loaded: boolean;
  error: unknown;
}

/**
 * A run's step metrics: everything logged so far, then (while `live`) only what was logged
 * after the last answer's cursor, every {@link STEP_POLL_MS}; when the run stops being live,
 * one last request picks up the final points and polling ends. A full answer (`more`) is
 * followed at once by the next page.
 */
export function useStepMetrics(runId: string, live: boolean): StepMetricsState {
  const [state, setState] = useState<StepMetricsState & { runId: string }>({
    runId,
    series: [],
    loaded: false,
    error: undefined,
  });
  const cursor = useRef<{ runId: string; after: string | undefined }>({ runId, after: undefined });
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ctrl = new AbortController();
    if (cursor.current.runId !== runId) cursor.current = { runId, after: undefined };
    const tick = async (): Promise<void> => {
      const after = cursor.current.after;
      let more = false;
      try {
        const page = await getStepMetrics(runId, after, ctrl.signal);
        if (stopped) return;
        cursor.current = { runId, after: page.cursor };
        more = page.more && page.cursor !== after;
        setState((prev) => {
          // the first answer (asked without a cursor) is the history so far, never a part to append
          const base = prev.runId === runId && after !== undefined ? prev.series : [];
          const series = mergeStepSeries(base, page.series);
          // nothing new: the same state, so the charts are not drawn again
          if (series === prev.series && prev.loaded && prev.error === undefined) return prev;
          return { runId, series, loaded: true, error: undefined };
        });
      } catch (err) {
        if (stopped || (err as Error).name === "AbortError") return;
        setState((prev) => ({ ...prev, runId, error: err }));
      }
      // a full answer is followed at once by the next page, whether or not the run is live
      if (!stopped && (more || live)) timer = setTimeout(() => void tick(), more ? 0 : STEP_POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      ctrl.abort();
      if (timer) clearTimeout(timer);
    };
  }, [runId, live]);
  return state.runId === runId ? state : { series: [], loaded: false, error: undefined };
}

/** Charts of step metrics, side by side: steps along x, values along y, each line's last value in its legend. */
export function StepCharts(props: { charts: StepChart[]; testId?: string }): React.JSX.Element {
  return (
    <div className="chart-row" data-testid={props.testId ?? "step-charts"}>
      {props.charts.map((c) => {
        const axes = stepAxes(c.series);
        const last = (s: StepChart["series"][number]): string => {
          const p = s.points[s.points.length - 1];
          return p ? `${axes.y.format?.(p.y) ?? p.y} at step ${p.x}` : "no points";
        };
        return (
          <div key={c.key} data-step-chart={c.key} className="chart-cell">
            <CurveChart
              title={c.title}
              xLabel="Step"
              yLabel={c.key}
              series={c.series}
              xAxis={axes.x}
              yAxis={axes.y}
              legendValue={last}
            />
          </div>
        );
      })}
    </div>
  );
}

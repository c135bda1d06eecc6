/**
 * Hand-written SVG charts of a tuning experiment: the optimisation history (each trial's
 * value and the best so far), the parallel-coordinates plot (one axis per parameter and
 * objective; categorical axes have a slot per category), parameter importance bars, and
 * the Pareto front of two objectives (the front highlighted, the chosen best ringed).
 */
import { useId } from "react";
import type { TuningAnalysis, TuningParameter, TuningTrial } from "../api/index.ts";
import { parallelAxes } from "../pages/tuning-shape.ts";
import { AxisTitles } from "./curve-chart.tsx";
import { niceTicks, tickLabel } from "./step-series.ts";

const W = 360;
const H = 260;
const M = { l: 48, r: 12, t: 12, b: 40 };
const IW = W - M.l - M.r;
const IH = H - M.t - M.b;

/** A linear scale from `[lo, hi]` (padded when flat) onto `[a, b]`, with round ticks. */
function scale(values: number[], a: number, b: number): { at: (v: number) => number; ticks: number[] } {
  let lo = values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  if (hi === lo) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  } else {
    const pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
  }
  return {
    at: (v) => a + ((v - lo) / (hi - lo)) * (b - a),
    ticks: niceTicks(lo, hi, 5).filter((t) => t >= lo && t <= hi),
  };
}

function Frame(props: {
  title: string;
  desc: string;
  xLabel: string;
  yLabel: string;
  xTicks: Array<{ at: number; label: string }>;
  yTicks: Array<{ at: number; label: string }>;
  children: React.ReactNode;
  testId: string;
}): React.JSX.Element {
  const id = useId();
  return (
    <figure className="chart" data-testid={props.testId}>
      <figcaption className="chart-title">{props.title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-desc`} className="chart-svg">
        <title>{props.title}</title>
        <desc id={`${id}-desc`}>{props.desc}</desc>
        {props.xTicks.map((t) => (
          <g key={`x${t.at}`}>
            <line x1={t.at} x2={t.at} y1={M.t} y2={M.t + IH} className="chart-grid" />
            <text x={t.at} y={M.t + IH + 16} className="chart-tick" textAnchor="middle">
              {t.label}
            </text>
          </g>
        ))}
        {props.yTicks.map((t) => (
          <g key={`y${t.at}`}>
            <line x1={M.l} x2={M.l + IW} y1={t.at} y2={t.at} className="chart-grid" />
            <text x={M.l - 6} y={t.at + 4} className="chart-tick" textAnchor="end">
              {t.label}
            </text>
          </g>
        ))}
        <rect x={M.l} y={M.t} width={IW} height={IH} className="chart-frame" />
        {props.children}
        <AxisTitles x={props.xLabel} y={props.yLabel} left={M.l} top={M.t} width={IW} height={IH} bottom={H} />
      </svg>
    </figure>
  );
}

/** One objective's history: a dot per observed trial and the best-so-far line. */
export function HistoryChart({ history }: { history: TuningAnalysis["history"][number] }): React.JSX.Element {
  const pts = history.points;
  const x = scale(
    pts.map((p) => p.number),
    M.l,
    M.l + IW,
  );
  const y = scale(
    pts.map((p) => p.value),
    M.t + IH,
    M.t,
  );
  // the best so far as a step line: flat until the next improvement
  const best: string[] = [];
  pts.forEach((p, i) => {
    if (i > 0) best.push(`${x.at(p.number).toFixed(1)},${y.at((pts[i - 1] as typeof p).best).toFixed(1)}`);
    best.push(`${x.at(p.number).toFixed(1)},${y.at(p.best).toFixed(1)}`);
  });
  const last = pts[pts.length - 1];
  return (
    <Frame
      testId={`history-${history.metric}`}
      title={`Optimisation history: ${history.metric} (${history.goal})`}
      desc={`${pts.length} trials; best ${last ? tickLabel(last.best) : "none yet"}`}
      xLabel="trial"
      yLabel={history.metric}
      xTicks={x.ticks.filter(Number.isInteger).map((t) => ({ at: x.at(t), label: String(t) }))}
      yTicks={y.ticks.map((t) => ({ at: y.at(t), label: tickLabel(t) }))}
    >
      {pts.map((p) => (
        <circle
          key={p.number}
          cx={x.at(p.number)}
          cy={y.at(p.value)}
          r={3}
          fill={p.improved ? "var(--chart-1)" : "var(--chart-2)"}
          fillOpacity={p.improved ? 1 : 0.55}
          data-testid="history-point"
        >
          <title>{`trial ${p.number}: ${p.value}`}</title>
        </circle>
      ))}
      {pts.length > 0 ? (
        <polyline
          points={best.join(" ")}
          fill="none"
          stroke="var(--chart-3)"
          strokeWidth={2}
          data-testid="history-best"
        />
      ) : null}
    </Frame>
  );
}

const PC_W = 760;
const PC_H = 300;
const PC_M = { l: 40, r: 40, t: 28, b: 36 };

/**
 * Parallel coordinates: an axis per parameter and objective; each observed trial is a line
 * through its values, coloured by its first objective (darker is better). A trial without
 * a conditional parameter skips that axis.
 */
export function ParallelCoordinates(props: {
  parameters: TuningParameter[];
  objectives: Array<{ name: string; goal: "minimize" | "maximize" }>;
  trials: TuningTrial[];
}): React.JSX.Element {
  const id = useId();
  const first = props.objectives[0];
  const trials = props.trials.filter((t) => props.objectives.every((o) => typeof t.metrics?.[o.name] === "number"));
  const axes = parallelAxes(
    props.parameters,
    props.objectives.map((o) => o.name),
    trials,
    tickLabel,
  );
  const n = axes.length;
  const ax = (i: number): number =>
    PC_M.l + (n > 1 ? (i / (n - 1)) * (PC_W - PC_M.l - PC_M.r) : (PC_W - PC_M.l - PC_M.r) / 2);
  const ay = (u: number): number => PC_M.t + (1 - u) * (PC_H - PC_M.t - PC_M.b);
  const firstVals = trials.map((t) => t.metrics[first?.name ?? ""] as number);
  const lo = Math.min(...firstVals);
  const hi = Math.max(...firstVals);
  // 1 for the best trial, 0 for the worst
  const goodness = (v: number): number =>
    hi > lo ? (first?.goal === "maximize" ? (v - lo) / (hi - lo) : (hi - v) / (hi - lo)) : 1;
  return (
    <figure className="chart chart-wide" data-testid="parallel-coordinates">
      <figcaption className="chart-title">Parallel coordinates</figcaption>
      <svg viewBox={`0 0 ${PC_W} ${PC_H}`} role="img" aria-labelledby={`${id}-desc`} className="chart-svg">
        <title>Parallel coordinates</title>
        <desc id={`${id}-desc`}>
          {trials.length} trials across {axes.map((a) => a.name).join(", ")}
        </desc>
        {[...trials]
          .sort(
            (a, b) =>
              goodness(a.metrics[first?.name ?? ""] as number) - goodness(b.metrics[first?.name ?? ""] as number),
          )
          .map((t) => {
            const g = goodness(t.metrics[first?.name ?? ""] as number);
            const pts = axes
              .map((a, i) => {
                const u = a.position(a.kind === "param" ? t.params[a.name] : t.metrics[a.name]);
                return u === undefined ? undefined : `${ax(i).toFixed(1)},${ay(u).toFixed(1)}`;
              })
              .filter((p): p is string => p !== undefined);
            return (
              <polyline
                key={t.number}
                points={pts.join(" ")}
                fill="none"
                stroke="var(--chart-1)"
                strokeOpacity={0.15 + 0.75 * g}
                strokeWidth={1 + g}
                data-testid="pc-line"
                data-trial={t.number}
              >
                <title>{`trial ${t.number}`}</title>
              </polyline>
            );
          })}
        {axes.map((a, i) => (
          <g key={a.name} data-testid="pc-axis" data-axis={a.name}>
            <line x1={ax(i)} x2={ax(i)} y1={ay(0)} y2={ay(1)} className="chart-frame" />
            {a.ticks.map((t) => (
              <text key={`${t.at}-${t.label}`} x={ax(i) + 4} y={ay(t.at) + 3} className="chart-tick">
                {t.label}
              </text>
            ))}
            <text x={ax(i)} y={PC_M.t - 10} textAnchor="middle" className="chart-label">
              {a.name}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

/** Parameter importance (PED-ANOVA shares) of one objective as horizontal bars. */
export function ImportanceBars({
  importance,
}: {
  importance: TuningAnalysis["importance"][number];
}): React.JSX.Element {
  const id = useId();
  const rows = importance.parameters;
  const rowH = 24;
  const labelW = 120;
  const barW = W - labelW - 56;
  const h = Math.max(rowH, rows.length * rowH) + 8;
  return (
    <figure className="chart" data-testid={`importance-${importance.metric}`}>
      <figcaption className="chart-title">Parameter importance: {importance.metric}</figcaption>
      {rows.length === 0 ? (
        <p className="muted small">{importance.note ?? "No importance yet."}</p>
      ) : (
        <svg viewBox={`0 0 ${W} ${h}`} role="img" aria-labelledby={`${id}-desc`} className="chart-svg">
          <title>Parameter importance</title>
          <desc id={`${id}-desc`}>{rows.map((r) => `${r.parameter} ${(r.share * 100).toFixed(0)}%`).join(", ")}</desc>
          {rows.map((r, i) => (
            <g key={r.parameter}>
              <text x={labelW - 6} y={i * rowH + 17} textAnchor="end" className="chart-label">
                {r.parameter}
              </text>
              <rect
                x={labelW}
                y={i * rowH + 5}
                width={Math.max(1, r.share * barW)}
                height={rowH - 8}
                rx={2}
                fill="var(--chart-1)"
                data-testid="importance-bar"
                data-parameter={r.parameter}
              >
                <title>{`${r.parameter}: ${(r.share * 100).toFixed(1)}% (PED-ANOVA ${r.importance.toPrecision(3)})`}</title>
              </rect>
              <text x={labelW + Math.max(1, r.share * barW) + 4} y={i * rowH + 17} className="chart-tick">
                {(r.share * 100).toFixed(0)}%
              </text>
            </g>
          ))}
        </svg>
      )}
      <p className="muted small">
        PED-ANOVA over {importance.trials} trials (top {importance.top_trials})
      </p>
    </figure>
  );
}

/**
 * Two objectives of a multi-objective experiment: every observed trial as a dot, the Pareto
 * front highlighted and joined, the chosen best trial ringed.
 */
export function ParetoScatter(props: {
  objectives: Array<{ name: string; goal: "minimize" | "maximize" }>;
  trials: TuningTrial[];
  front: number[];
  best?: number | undefined;
}): React.JSX.Element {
  const [ox, oy] = props.objectives as [(typeof props.objectives)[number], (typeof props.objectives)[number]];
  const pts = props.trials
    .filter((t) => typeof t.metrics?.[ox.name] === "number" && typeof t.metrics?.[oy.name] === "number")
    .map((t) => ({ n: t.number, x: t.metrics[ox.name] as number, y: t.metrics[oy.name] as number }));
  const x = scale(
    pts.map((p) => p.x),
    M.l,
    M.l + IW,
  );
  const y = scale(
    pts.map((p) => p.y),
    M.t + IH,
    M.t,
  );
  const front = new Set(props.front);
  const line = pts
    .filter((p) => front.has(p.n))
    .sort((a, b) => a.x - b.x || a.y - b.y)
    .map((p) => `${x.at(p.x).toFixed(1)},${y.at(p.y).toFixed(1)}`)
    .join(" ");
  const best = pts.find((p) => p.n === props.best);
  return (
    <Frame
      testId="pareto-front"
      title={`Pareto front: ${ox.name} (${ox.goal}) vs ${oy.name} (${oy.goal})`}
      desc={`${pts.length} trials, ${front.size} on the front${best ? `; best trial ${best.n}` : ""}`}
      xLabel={ox.name}
      yLabel={oy.name}
      xTicks={x.ticks.map((t) => ({ at: x.at(t), label: tickLabel(t) }))}
      yTicks={y.ticks.map((t) => ({ at: y.at(t), label: tickLabel(t) }))}
    >
      <polyline points={line} fill="none" stroke="var(--chart-3)" strokeWidth={1.5} strokeDasharray="4 3" />
      {pts.map((p) => (
        <circle
          key={p.n}
          cx={x.at(p.x)}
          cy={y.at(p.y)}
          r={front.has(p.n) ? 4.5 : 3}
          fill={front.has(p.n) ? "var(--chart-3)" : "var(--text-3)"}
          fillOpacity={front.has(p.n) ? 1 : 0.45}
          data-testid="pareto-point"
          data-front={front.has(p.n) ? "true" : "false"}
        >
          <title>{`trial ${p.n}: ${ox.name} ${p.x}, ${oy.name} ${p.y}${front.has(p.n) ? " (Pareto front)" : ""}`}</title>
        </circle>
      ))}
      {best ? (
        <circle
          cx={x.at(best.x)}
          cy={y.at(best.y)}
          r={8}
          fill="none"
          stroke="var(--chart-1)"
          strokeWidth={2}
          data-testid="pareto-best"
        >
          <title>{`chosen best: trial ${best.n}`}</title>
        </circle>
      ) : null}
    </Frame>
  );
}

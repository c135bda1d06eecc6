/**
 * A hand-written SVG chart of curves: grid, axes, several series with a legend, an optional
 * diagonal, and a crosshair readout. The axes are the unit square (ROC, precision-recall)
 * unless the caller gives its own ranges and ticks (training curves: steps and losses).
 */
import { useId, useState } from "react";

/** One curve. */
export interface Series {
  name: string;
  points: Array<{ x: number; y: number; t?: number }>;
}

const W = 360;
const H = 300;
const M = { l: 44, r: 12, t: 12, b: 40 };
const IW = W - M.l - M.r;
const IH = H - M.t - M.b;
const COLORS = ["var(--chart-1)", "var(--chart-2)", "var(--chart-3)", "var(--chart-4)", "var(--chart-5)"];

/** An axis: its range, where its ticks go, and how a value reads. */
export interface Axis {
  min: number;
  max: number;
  ticks: number[];
  format?: (v: number) => string;
}

const UNIT: Axis = { min: 0, max: 1, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] };

/** Where `v` falls on an axis, 0..1, clamped to its range. */
const frac = (a: Axis, v: number): number =>
  a.max > a.min ? Math.min(1, Math.max(0, (v - a.min) / (a.max - a.min))) : 0.5;

/** The chart. */
/**
 * A chart's axis titles: `x` centred under the plot area (`left`, `top`, `width`, `height`),
 * near the SVG's `bottom`; `y` turned along the left edge.
 */
export function AxisTitles(props: {
  x: string;
  y: string;
  left: number;
  top: number;
  width: number;
  height: number;
  bottom: number;
}): React.JSX.Element {
  const mid = props.top + props.height / 2;
  return (
    <>
      <text x={props.left + props.width / 2} y={props.bottom - 6} textAnchor="middle" className="chart-label">
        {props.x}
      </text>
      <text x={12} y={mid} textAnchor="middle" className="chart-label" transform={`rotate(-90 12 ${mid})`}>
        {props.y}
      </text>
    </>
  );
}

export function CurveChart(props: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  diagonal?: "up" | "none";
  legendValue?: (s: Series) => string;
  /** The x axis; the unit interval without it. */
  xAxis?: Axis;
  /** The y axis; the unit interval without it. */
  yAxis?: Axis;
}): React.JSX.Element {
  const [hover, setHover] = useState<{ x: number; y: number } | undefined>();
  const id = useId();
  const xa = props.xAxis ?? UNIT;
  const ya = props.yAxis ?? UNIT;
  const sx = (x: number): number => M.l + frac(xa, x) * IW;
  const sy = (y: number): number => M.t + (1 - frac(ya, y)) * IH;
  const fx = xa.format ?? ((v: number) => v.toFixed(3));
  const fy = ya.format ?? ((v: number) => v.toFixed(3));
  const move = (e: React.PointerEvent<SVGSVGElement>): void => {
    const r = e.currentTarget.getBoundingClientRect();
    const x = ((e.clientX - r.left) * (W / r.width) - M.l) / IW;
    const y = 1 - ((e.clientY - r.top) * (H / r.height) - M.t) / IH;
    setHover(
      x >= 0 && x <= 1 && y >= 0 && y <= 1
        ? { x: xa.min + x * (xa.max - xa.min), y: ya.min + y * (ya.max - ya.min) }
        : undefined,
    );
  };
  const nearest = (s: Series, x: number): { x: number; y: number; t?: number } | undefined => {
    let best: { x: number; y: number; t?: number } | undefined;
    for (const p of s.points) if (!best || Math.abs(p.x - x) < Math.abs(best.x - x)) best = p;
    return best;
  };
  return (
    <figure className="chart">
      <figcaption className="chart-title">{props.title}</figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby={`${id}-desc`}
        onPointerMove={move}
        onPointerLeave={() => setHover(undefined)}
        className="chart-svg"
      >
        <title>{props.title}</title>
        <desc id={`${id}-desc`}>
          {props.title}:{" "}
          {props.series.map((s) => `${s.name}${props.legendValue ? ` ${props.legendValue(s)}` : ""}`).join(", ")}
        </desc>
        {xa.ticks.map((t) => (
          <g key={`x${t}`}>
            <line x1={sx(t)} x2={sx(t)} y1={M.t} y2={M.t + IH} className="chart-grid" />
            <text x={sx(t)} y={M.t + IH + 16} className="chart-tick" textAnchor="middle">
              {xa.format ? xa.format(t) : t}
            </text>
          </g>
        ))}
        {ya.ticks.map((t) => (
          <g key={`y${t}`}>
            <line x1={M.l} x2={M.l + IW} y1={sy(t)} y2={sy(t)} className="chart-grid" />
            <text x={M.l - 6} y={sy(t) + 4} className="chart-tick" textAnchor="end">
              {ya.format ? ya.format(t) : t}
            </text>
          </g>
        ))}
        <rect x={M.l} y={M.t} width={IW} height={IH} className="chart-frame" />
        {props.diagonal === "up" ? (
          <line x1={sx(xa.min)} y1={sy(ya.min)} x2={sx(xa.max)} y2={sy(ya.max)} className="chart-diagonal" />
        ) : null}
        {props.series.map((s, i) => (
          <polyline
            key={s.name}
            points={s.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(" ")}
            fill="none"
            stroke={COLORS[i % COLORS.length]}
            strokeWidth={2}
            strokeLinejoin="round"
            data-series={s.name}
          />
        ))}
        {props.series.map((s, i) =>
          s.points.length === 1 && s.points[0] ? (
            <circle
              key={`dot-${s.name}`}
              cx={sx(s.points[0].x)}
              cy={sy(s.points[0].y)}
              r={3}
              fill={COLORS[i % COLORS.length]}
            />
          ) : null,
        )}
        {hover ? (
          <g pointerEvents="none">
            <line x1={sx(hover.x)} x2={sx(hover.x)} y1={M.t} y2={M.t + IH} className="chart-cross" />
            {props.series.map((s, i) => {
              const p = nearest(s, hover.x);
              return p ? (
                <circle key={s.name} cx={sx(p.x)} cy={sy(p.y)} r={4} fill={COLORS[i % COLORS.length]} />
              ) : null;
            })}
          </g>
        ) : null}
        <AxisTitles x={props.xLabel} y={props.yLabel} left={M.l} top={M.t} width={IW} height={IH} bottom={H} />
      </svg>
      <ul className="chart-legend">
        {props.series.map((s, i) => {
          const p = hover ? nearest(s, hover.x) : undefined;
          return (
            <li key={s.name}>
              <span className="swatch" style={{ background: COLORS[i % COLORS.length] }} />
              {s.name}
              {props.legendValue ? (
                <span className="muted" data-testid="legend-value">
                  {" "}
                  {props.legendValue(s)}
                </span>
              ) : null}
              {p ? (
                <span className="muted mono">
                  {" "}
                  ({fx(p.x)}, {fy(p.y)}
                  {p.t !== undefined ? ` @ ${p.t.toPrecision(3)}` : ""})
                </span>
              ) : null}
            </li>
          );
        })}
      </ul>
    </figure>
  );
}

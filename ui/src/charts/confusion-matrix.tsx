/** A confusion matrix as an SVG heat map: rows are actual classes, columns predicted. */
import type { Confusion } from "./classification.ts";

/** The heat map. */
export function ConfusionMatrix({ data }: { data: Confusion }): React.JSX.Element {
  const n = data.rows.length;
  const cell = n <= 4 ? 72 : Math.max(28, Math.floor(300 / n));
  const left = 90;
  const top = 40;
  const max = Math.max(1, ...data.rows.flat());
  const total = data.rows.flat().reduce((a, b) => a + b, 0);
  const w = left + n * cell + 8;
  const h = top + n * cell + 30;
  return (
    <figure className="chart">
      <figcaption className="chart-title">Confusion matrix</figcaption>
      <svg
        viewBox={`0 0 ${w} ${h}`}
        width={Math.min(w, 420)}
        role="img"
        aria-label={`Confusion matrix of ${n} classes`}
        className="chart-svg"
      >
        <text x={left + (n * cell) / 2} y={14} textAnchor="middle" className="chart-label">
          Predicted
        </text>
        <text
          x={14}
          y={top + (n * cell) / 2}
          textAnchor="middle"
          className="chart-label"
          transform={`rotate(-90 14 ${top + (n * cell) / 2})`}
        >
          Actual
        </text>
        {data.categories.map((c, j) => (
          <text key={`c${c}`} x={left + j * cell + cell / 2} y={top - 8} textAnchor="middle" className="chart-tick">
            {c}
          </text>
        ))}
        {data.rows.map((row, i) => (
          <g key={data.categories[i] ?? i}>
            <text x={left - 8} y={top + i * cell + cell / 2 + 4} textAnchor="end" className="chart-tick">
              {data.categories[i]}
            </text>
            {row.map((v, j) => {
              const a = v / max;
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                <g key={j}>
                  <rect
                    x={left + j * cell}
                    y={top + i * cell}
                    width={cell - 2}
                    height={cell - 2}
                    rx={4}
                    fill={i === j ? "var(--chart-1)" : "var(--chart-3)"}
                    fillOpacity={0.08 + a * 0.8}
                  >
                    <title>{`actual ${data.categories[i]}, predicted ${data.categories[j]}: ${v}`}</title>
                  </rect>
                  <text
                    x={left + j * cell + cell / 2 - 1}
                    y={top + i * cell + cell / 2 + 4}
                    textAnchor="middle"
                    className={a > 0.55 ? "cm-value strong" : "cm-value"}
                  >
                    {v.toLocaleString()}
                  </text>
                </g>
              );
            })}
          </g>
        ))}
        <text x={left} y={h - 8} className="chart-tick">
          {total.toLocaleString()} examples
        </text>
      </svg>
    </figure>
  );
}

/** Scalar metrics (system.Metrics metadata) and generic metadata as tables. */
import type { Json } from "../api/index.ts";
import { formatNumber, formatValue } from "../format.ts";

/** The numeric entries of a Metrics artifact, sorted by name. */
export function MetricsTable({ metadata }: { metadata: Record<string, Json> | undefined }): React.JSX.Element {
  const entries = Object.entries(metadata ?? {})
    .filter((e): e is [string, number] => typeof e[1] === "number")
    .sort((a, b) => a[0].localeCompare(b[0]));
  if (entries.length === 0) return <p className="muted">No scalar metrics.</p>;
  return (
    <table className="table metrics-table" data-testid="metrics-table">
      <thead>
        <tr>
          <th>Metric</th>
          <th className="num">Value</th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <td>{k}</td>
            <td className="num">{formatNumber(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Any metadata as a key/value table. */
export function MetadataTable({ metadata }: { metadata: Record<string, Json> | undefined }): React.JSX.Element {
  const entries = Object.entries(metadata ?? {});
  if (entries.length === 0) return <p className="muted small">No metadata.</p>;
  return (
    <dl className="kv">
      {entries.map(([k, v]) => (
        <div key={k} style={{ display: "contents" }}>
          <dt>{k}</dt>
          <dd className="mono">{formatValue(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

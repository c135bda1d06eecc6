/** Filter controls of the runs table: name search, state, experiment, a metric bound, a tag, and available or archived runs. */
import { useEffect, useState } from "react";
import { RUN_STATES } from "../../../src/ir/states.ts";
import { useExperimentNames } from "../hooks/lookups.ts";

/** The filters of the runs table. */
export interface RunsFilterState {
  text: string;
  state: string;
  experimentId: string;
  /** A bound on one metric (`metric:NAME` on the server); empty name or value: none. */
  metric?: { name: string; op: MetricOp; value: string };
  /** `key=value`: only runs with this tag. */
  tag?: string;
  /** Archived runs instead of the available ones. */
  archived?: boolean;
}

/** The comparisons a metric filter offers, with the API's operation for each. */
export const METRIC_OPS = {
  ">=": "GREATER_THAN_EQUALS",
  ">": "GREATER_THAN",
  "<=": "LESS_THAN_EQUALS",
  "<": "LESS_THAN",
  "=": "EQUALS",
} as const;
/** One of {@link METRIC_OPS}. */
export type MetricOp = keyof typeof METRIC_OPS;

/** The run states to filter by: Weft never pauses a run. */
const STATES = RUN_STATES.filter((s) => s !== "PAUSED");

/** Search box (debounced), state select, experiment select and a metric bound (debounced). */
export function RunsFilters(props: {
  value: RunsFilterState;
  onChange: (v: RunsFilterState) => void;
  lockExperiment?: boolean;
  /** Metric names to suggest. */
  metricNames?: string[];
}): React.JSX.Element {
  const [text, setText] = useState(props.value.text);
  const [metric, setMetric] = useState(props.value.metric ?? { name: "", op: ">=" as MetricOp, value: "" });
  const [tag, setTag] = useState(props.value.tag ?? "");
  const experiments = useExperimentNames();
  const { value, onChange } = props;
  useEffect(() => {
    const t = setTimeout(() => {
      const m = value.metric;
      const metricChanged = m?.name !== metric.name || m?.op !== metric.op || m?.value !== metric.value;
      if (text !== value.text || metricChanged) onChange({ ...value, text, metric });
    }, 250);
    return () => clearTimeout(t);
  }, [text, metric, value, onChange]);
  useEffect(() => {
    const t = setTimeout(() => {
      if (tag !== (value.tag ?? "")) onChange({ ...value, tag });
    }, 250);
    return () => clearTimeout(t);
  }, [tag, value, onChange]);
  return (
    <>
      <input
        className="input"
        type="search"
        placeholder="Filter runs by name"
        aria-label="Filter runs by name"
        value={text}
        onChange={(e) => setText(e.target.value)}
        style={{ width: 240 }}
      />
      <select
        className="select"
        aria-label="Filter by state"
        value={value.state}
        onChange={(e) => onChange({ ...value, state: e.target.value })}
      >
        <option value="">All states</option>
        {STATES.map((s) => (
          <option key={s} value={s}>
            {s.charAt(0) + s.slice(1).toLowerCase()}
          </option>
        ))}
      </select>
      <input
        className="input"
        type="search"
        placeholder="Tag key=value"
        aria-label="Filter runs by tag (key=value)"
        value={tag}
        onChange={(e) => setTag(e.target.value)}
        style={{ width: 160 }}
      />
      <select
        className="select"
        aria-label="Available or archived runs"
        value={value.archived ? "archived" : "available"}
        onChange={(e) => onChange({ ...value, archived: e.target.value === "archived" })}
        data-testid="runs-storage"
      >
        <option value="available">Available runs</option>
        <option value="archived">Archived runs</option>
      </select>
      {props.lockExperiment ? null : (
        <select
          className="select"
          aria-label="Filter by experiment"
          value={value.experimentId}
          onChange={(e) => onChange({ ...value, experimentId: e.target.value })}
        >
          <option value="">All experiments</option>
          {[...experiments].map(([id, name]) => (
            <option key={id} value={id}>
              {name}
            </option>
          ))}
        </select>
      )}
      <span className="metric-filter" style={{ display: "inline-flex", gap: 4 }}>
        <input
          className="input"
          list="run-metric-names"
          placeholder="Metric"
          aria-label="Filter by metric: name"
          value={metric.name}
          onChange={(e) => setMetric({ ...metric, name: e.target.value })}
          style={{ width: 140 }}
        />
        <datalist id="run-metric-names">
          {(props.metricNames ?? []).map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
        <select
          className="select"
          aria-label="Filter by metric: comparison"
          value={metric.op}
          onChange={(e) => setMetric({ ...metric, op: e.target.value as MetricOp })}
        >
          {Object.keys(METRIC_OPS).map((op) => (
            <option key={op} value={op}>
              {op}
            </option>
          ))}
        </select>
        <input
          className="input"
          type="number"
          step="any"
          placeholder="Value"
          aria-label="Filter by metric: value"
          value={metric.value}
          onChange={(e) => setMetric({ ...metric, value: e.target.value })}
          style={{ width: 90 }}
        />
      </span>
    </>
  );
}

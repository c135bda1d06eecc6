/** Filter controls of the runs table: name search, state, experiment, a tag, and available or archived runs. */
import { useEffect, useState } from "react";
import { RUN_STATES } from "../../../src/ir/states.ts";
import { useExperimentNames } from "../hooks/lookups.ts";

/** The filters of the runs table. */
export interface RunsFilterState {
  text: string;
  state: string;
  experimentId: string;
  /** `key=value`: only runs with this tag. */
  tag?: string;
  /** Archived runs instead of the available ones. */
  archived?: boolean;
}

/** The run states to filter by: Weft never pauses a run. */
const STATES = RUN_STATES.filter((s) => s !== "PAUSED");

/** Search box (debounced), state select and experiment select. */
export function RunsFilters(props: {
  value: RunsFilterState;
  onChange: (v: RunsFilterState) => void;
  lockExperiment?: boolean;
}): React.JSX.Element {
  const [text, setText] = useState(props.value.text);
  const [tag, setTag] = useState(props.value.tag ?? "");
  const experiments = useExperimentNames();
  const { value, onChange } = props;
  useEffect(() => {
    const t = setTimeout(() => {
      if (text !== value.text) onChange({ ...value, text });
    }, 250);
    return () => clearTimeout(t);
  }, [text, value, onChange]);
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
    </>
  );
}

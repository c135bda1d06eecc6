/** Filter controls of the runs table: name search, state, experiment. */
import { useEffect, useState } from "react";
import { RUN_STATES } from "../../../src/ir/states.ts";
import { useExperimentNames } from "../hooks/lookups.ts";

/** The filters of the runs table. */
export interface RunsFilterState {
  text: string;
  state: string;
  experimentId: string;
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
  const experiments = useExperimentNames();
  const { value, onChange } = props;
  useEffect(() => {
    const t = setTimeout(() => {
      if (text !== value.text) onChange({ ...value, text });
    }, 250);
    return () => clearTimeout(t);
  }, [text, value, onChange]);
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

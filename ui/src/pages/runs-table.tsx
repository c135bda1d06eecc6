/**
 * The virtualized runs table: only rows on screen are in the DOM (10,000 runs scroll
 * smoothly); the next server page loads as the end comes into view. Each run's metrics
 * come with its page; metric columns sort on the server (`metric:NAME`).
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef } from "react";
import type { RunSummary } from "../api/index.ts";
import { StateBadge } from "../components/ui.tsx";
import { durationBetween, formatDuration, formatMetric, formatTime } from "../format.ts";
import { useExperimentNames, usePipelineNames } from "../hooks/lookups.ts";
import { Link } from "../router.tsx";
import { metricValue } from "./metric-columns.ts";

/** The server-side sort of the table. */
export interface SortState {
  field: string;
  desc: boolean;
}

const ROW = 44;

/**
 * Column widths: select, run (takes the room left), state, duration, experiment, pipeline,
 * created; then one {@link METRIC_COLUMN} per metric. Their minimums add up to
 * {@link COLUMNS_MIN}, so the table with three metrics fits a 1,440 px screen beside the
 * sidebar; a narrower screen scrolls the table inside its own box. Long names are cut with
 * an ellipsis (the run's link carries the whole name as its title).
 */
const COLUMNS = "40px minmax(200px, 2fr) 140px 96px minmax(100px, 1fr) minmax(100px, 1fr) 170px";
const COLUMNS_MIN = 40 + 200 + 140 + 96 + 100 + 100 + 170;
const METRIC_COLUMN = 96;

function SortHeader(props: {
  label: string;
  field: string;
  sort: SortState;
  onSort: (s: SortState) => void;
  numeric?: boolean;
}): React.JSX.Element {
  const active = props.sort.field === props.field;
  const dir = active ? (props.sort.desc ? "descending" : "ascending") : "none";
  return (
    <th
      scope="col"
      aria-sort={dir}
      title={props.label}
      style={props.numeric ? { textAlign: "right" } : undefined}
      data-metric={props.numeric ? props.label : undefined}
    >
      <button
        type="button"
        className="sort-btn"
        onClick={() =>
          props.onSort({ field: props.field, desc: active ? !props.sort.desc : props.field !== "display_name" })
        }
      >
        {props.label}
        <span aria-hidden="true" className="muted">
          {active ? (props.sort.desc ? "↓" : "↑") : "↕"}
        </span>
      </button>
    </th>
  );
}

/** The table; `onLoadMore` is called when the last loaded rows come into view. */
export function RunsTable(props: {
  runs: RunSummary[];
  total: number;
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
  sort: SortState;
  onSort: (s: SortState) => void;
  selected: Set<string>;
  onToggle: (id: string) => void;
  /** The metric columns to show. */
  metricNames: string[];
}): React.JSX.Element {
  const { runs, hasMore, loading, onLoadMore } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: runs.length + (hasMore ? 1 : 0),
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (hasMore && !loading && lastIndex >= runs.length - 10) onLoadMore();
  }, [hasMore, loading, lastIndex, runs.length, onLoadMore]);

  const visibleIds = items.map((i) => runs[i.index]?.run_id).filter((x): x is string => x !== undefined);
  const experiments = useExperimentNames();
  const pipelines = usePipelineNames(
    visibleIds.map((id) => runs.find((r) => r.run_id === id)?.pipeline_version_reference?.pipeline_id ?? ""),
  );
  const metricNames = props.metricNames;
  const template = `${COLUMNS}${metricNames.map(() => ` ${METRIC_COLUMN}px`).join("")}`;

  return (
    <div className="card grid-table">
      <div
        ref={scroller}
        style={{ height: "calc(100vh - 230px)", minHeight: 360, overflow: "auto" }}
        data-testid="runs-scroller"
      >
        <table
          aria-label="Runs"
          aria-rowcount={props.total + 1}
          style={{ display: "grid", minWidth: COLUMNS_MIN + metricNames.length * METRIC_COLUMN }}
        >
          <thead style={{ display: "grid", position: "sticky", top: 0, zIndex: 2 }}>
            <tr className="grid-row grid-head" style={{ gridTemplateColumns: template }}>
              <th scope="col">
                <span className="visually-hidden">Select</span>
              </th>
              <SortHeader label="Run" field="display_name" sort={props.sort} onSort={props.onSort} />
              <SortHeader label="State" field="state" sort={props.sort} onSort={props.onSort} />
              <th scope="col">Duration</th>
              <th scope="col">Experiment</th>
              <th scope="col">Pipeline</th>
              <SortHeader label="Created" field="created_at" sort={props.sort} onSort={props.onSort} />
              {metricNames.map((n) => (
                <SortHeader key={n} label={n} field={`metric:${n}`} sort={props.sort} onSort={props.onSort} numeric />
              ))}
            </tr>
          </thead>
          <tbody
            className="grid-body"
            style={{ display: "grid", height: virtualizer.getTotalSize(), position: "relative" }}
          >
            {items.map((item) => {
              const run = runs[item.index];
              const style = {
                position: "absolute" as const,
                top: 0,
                left: 0,
                right: 0,
                height: item.size,
                transform: `translateY(${item.start}px)`,
                gridTemplateColumns: template,
              };
              if (!run) {
                return (
                  <tr key="more" className="grid-row" style={style}>
                    <td className="muted">Loading more…</td>
                  </tr>
                );
              }
              const sel = props.selected.has(run.run_id);
              const pid = run.pipeline_version_reference?.pipeline_id;
              const pipeline = pid ? (pipelines.get(pid) ?? "…") : "inline pipeline";
              const name = run.display_name || run.run_id;
              return (
                <tr
                  key={run.run_id}
                  className="grid-row"
                  aria-rowindex={item.index + 2}
                  aria-selected={sel}
                  style={style}
                  data-run-id={run.run_id}
                >
                  <td>
                    <input
                      type="checkbox"
                      checked={sel}
                      onChange={() => props.onToggle(run.run_id)}
                      aria-label={`Select ${name}`}
                    />
                  </td>
                  <td>
                    <Link to={`/runs/${encodeURIComponent(run.run_id)}`} title={name}>
                      {name}
                    </Link>
                  </td>
                  <td>
                    <StateBadge state={run.state} />
                  </td>
                  <td>{formatDuration(durationBetween(run.created_at, run.finished_at))}</td>
                  <td title={experiments.get(run.experiment_id ?? "")}>
                    {experiments.get(run.experiment_id ?? "") ?? "—"}
                  </td>
                  <td title={pipeline}>{pipeline}</td>
                  <td>{formatTime(run.created_at)}</td>
                  {metricNames.map((n) => {
                    const v = metricValue(run, n);
                    return (
                      <td key={n} style={{ textAlign: "right", fontVariantNumeric: "tabular-nums" }} data-metric={n}>
                        {v === undefined ? "" : formatMetric(v)}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
        {runs.length === 0 && !loading ? (
          <div className="empty">No runs match. Start one from a pipeline, or with `weft run pipeline.yaml`.</div>
        ) : null}
      </div>
    </div>
  );
}

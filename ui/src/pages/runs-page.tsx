/**
 * Runs, the home page: a virtualized table over server-side pages (sort and filter are
 * the server's, by metric too), with state, duration, experiment, pipeline and the run
 * metrics the user picks (remembered in localStorage), and selection of runs to compare.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { isActiveRunState } from "../../../src/ir/states.ts";
import { type ListParams, listRuns, type RunSummary } from "../api/index.ts";
import { ErrorAlert, PageHeader } from "../components/ui.tsx";
import { navigate } from "../router.tsx";
import { metricColumns, metricNamesOf, storedMetricColumns, storeMetricColumns } from "./metric-columns.ts";
import { METRIC_OPS, type RunsFilterState, RunsFilters } from "./runs-filters.tsx";
import { RunsTable, type SortState } from "./runs-table.tsx";

const PAGE = 100;

function toParams(sort: SortState, f: RunsFilterState): ListParams {
  const predicates: Array<Record<string, string | number>> = [];
  if (f.text.trim()) predicates.push({ key: "display_name", operation: "IS_SUBSTRING", string_value: f.text.trim() });
  if (f.state) predicates.push({ key: "state", operation: "EQUALS", string_value: f.state });
  const m = f.metric;
  const bound = m && m.value.trim() !== "" ? Number(m.value) : Number.NaN;
  if (m?.name.trim() && Number.isFinite(bound)) {
    predicates.push({ key: `metric:${m.name.trim()}`, operation: METRIC_OPS[m.op], double_value: bound });
  }
  predicates.push({ key: "storage_state", operation: "EQUALS", string_value: f.archived ? "ARCHIVED" : "AVAILABLE" });
  const tag = f.tag?.trim() ?? "";
  const eq = tag.indexOf("=");
  if (eq > 0) {
    predicates.push({
      key: `tags.${tag.slice(0, eq).trim()}`,
      operation: "EQUALS",
      string_value: tag.slice(eq + 1).trim(),
    });
  }
  return {
    pageSize: PAGE,
    sortBy: `${sort.field}${sort.desc ? " desc" : ""}`,
    filter: { predicates },
    experimentId: f.experimentId || undefined,
  };
}

/** The runs list page. `experimentId` fixes the experiment filter (experiment details). */
export function RunsPage(props: { experimentId?: string; embedded?: boolean }): React.JSX.Element {
  const [sort, setSort] = useState<SortState>({ field: "created_at", desc: true });
  const [filters, setFilters] = useState<RunsFilterState>({
    text: "",
    state: "",
    experimentId: props.experimentId ?? "",
  });
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [total, setTotal] = useState(0);
  const [next, setNext] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [chosen, setChosen] = useState<string[] | undefined>(() => storedMetricColumns());
  const columns = metricColumns(runs, chosen);
  const names = useMemo(() => metricNamesOf(runs), [runs]);
  const choose = (next: string[] | undefined): void => {
    storeMetricColumns(next);
    setChosen(next);
  };
  const generation = useRef(0);
  const params = toParams(sort, filters);
  const paramsKey = JSON.stringify(params);

  const loadFirst = useCallback(
    async (silent: boolean) => {
      const gen = ++generation.current;
      if (!silent) setLoading(true);
      try {
        const page = await listRuns(JSON.parse(paramsKey) as ListParams);
        if (gen !== generation.current) return;
        setRuns(page.items);
        setTotal(page.totalSize);
        setNext(page.nextPageToken);
        setError(undefined);
      } catch (err) {
        if (gen === generation.current) setError(err);
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [paramsKey],
  );

  useEffect(() => {
    void loadFirst(false);
  }, [loadFirst]);

  // while runs on the first page are active and nothing more was paged in, keep it fresh
  const hasActive = runs.some((r) => isActiveRunState(r.state));
  const singlePage = runs.length <= PAGE;
  useEffect(() => {
    if (!hasActive || !singlePage) return;
    const t = setInterval(() => void loadFirst(true), 3000);
    return () => clearInterval(t);
  }, [hasActive, singlePage, loadFirst]);

  const loadMore = useCallback(async () => {
    if (!next || loading) return;
    const gen = generation.current;
    setLoading(true);
    try {
      const page = await listRuns({ ...(JSON.parse(paramsKey) as ListParams), pageToken: next });
      if (gen !== generation.current) return;
      setRuns((r) => [...r, ...page.items]);
      setNext(page.nextPageToken);
      setTotal(page.totalSize);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  }, [next, loading, paramsKey]);

  const toggle = (id: string): void =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  const compare = (): void => navigate(`/compare?runs=${[...selected].map(encodeURIComponent).join(",")}`);

  return (
    <div className={props.embedded ? "runs-embedded" : "page"}>
      {props.embedded ? null : (
        <PageHeader
          title="Runs"
          subtitle={`${total.toLocaleString()} run${total === 1 ? "" : "s"}`}
          actions={
            <>
              <button type="button" className="btn" onClick={() => void loadFirst(false)}>
                Refresh
              </button>
              <button type="button" className="btn btn-primary" onClick={() => navigate("/pipelines")}>
                New run
              </button>
            </>
          }
        />
      )}
      <div className="toolbar">
        <RunsFilters
          value={filters}
          onChange={setFilters}
          lockExperiment={props.experimentId !== undefined}
          metricNames={names}
        />
        <MetricColumnsPicker available={names} shown={columns} chosen={chosen} onChoose={choose} />
        <span className="grow" />
        <span className="muted small" aria-live="polite">
          {selected.size > 0 ? `${selected.size} selected` : ""}
        </span>
        <button type="button" className="btn" disabled={selected.size < 2} onClick={compare} data-testid="compare-btn">
          Compare{selected.size >= 2 ? ` ${selected.size} runs` : ""}
        </button>
      </div>
      {error ? <ErrorAlert error={error} onRetry={() => void loadFirst(false)} /> : null}
      <RunsTable
        runs={runs}
        total={total}
        hasMore={next !== undefined}
        loading={loading}
        onLoadMore={() => void loadMore()}
        sort={sort}
        onSort={setSort}
        selected={selected}
        onToggle={toggle}
        metricNames={columns}
      />
    </div>
  );
}

/** Which metrics the table shows: a checkbox per metric name of the loaded runs (and any chosen before). */
function MetricColumnsPicker(props: {
  available: string[];
  shown: string[];
  chosen: string[] | undefined;
  onChoose: (names: string[] | undefined) => void;
}): React.JSX.Element {
  const all = [...props.shown, ...props.available.filter((n) => !props.shown.includes(n))];
  const toggle = (n: string): void =>
    props.onChoose(props.shown.includes(n) ? props.shown.filter((x) => x !== n) : [...props.shown, n]);
  return (
    <details className="metric-columns" data-testid="metric-columns">
      <summary className="btn">Metric columns</summary>
      <div className="card" style={{ position: "absolute", zIndex: 5, padding: 8, display: "grid", gap: 4 }}>
        {all.length === 0 ? <span className="muted small">No metrics in these runs</span> : null}
        {all.map((n) => (
          <label key={n} className="small" style={{ display: "flex", gap: 6, alignItems: "center" }}>
            <input type="checkbox" checked={props.shown.includes(n)} onChange={() => toggle(n)} />
            {n}
          </label>
        ))}
        {props.chosen !== undefined ? (
          <button type="button" className="btn small" onClick={() => props.onChoose(undefined)}>
            Default columns
          </button>
        ) : null}
      </div>
    </details>
  );
}

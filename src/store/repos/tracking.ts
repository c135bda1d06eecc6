/**
 * MLflow tracking: runs, metric history with the latest value per key, params, tags and
 * experiment tags. `logBatch` and `logMetricColumns` are the hot path of a training task:
 * one transaction that writes one chunk row per key (see `metric-chunks.ts`) and one
 * latest-value row per key, whatever the number of points.
 */
import { randomUUID } from "node:crypto";
import { TERMINAL_RUN_STATES, TERMINAL_TASK_STATES } from "../../ir/states.ts";
import { InvalidInputError, InvalidQueryError, NotFoundError } from "../errors.ts";
import { guardWrite, type SqlContext } from "../sql.ts";
import { decodeRow, type RowOf } from "../table.ts";
import { TRACKING_RUN_STATUSES, TRACKING_RUNS_TABLE } from "../tables/index.ts";
import type {
  StepMetricSeries,
  StepMetricsPage,
  TrackingBatch,
  TrackingExperiment,
  TrackingExperimentSearch,
  TrackingMetric,
  TrackingMetricColumns,
  TrackingPage,
  TrackingParam,
  TrackingRepository,
  TrackingRun,
  TrackingRunDetail,
  TrackingRunInput,
  TrackingRunPatch,
  TrackingRunSearch,
  TrackingTag,
  TrackingViewType,
} from "../types.ts";
import { columnsOf, type KeyChunk, readSeries, readSeriesAfter, splitByKey, writeChunks } from "./metric-chunks.ts";
import {
  decodeOffsetToken,
  encodeOffsetToken,
  type FilterClause,
  parseFilter,
  parseOrderBy,
} from "./tracking-filter.ts";

type RunRow = RowOf<typeof TRACKING_RUNS_TABLE.columns>;

/** The most rows one search page returns (MLflow's limit for runs/search). */
export const MAX_TRACKING_RESULTS = 50_000;
/** The most points one metric-history page returns. */
export const MAX_HISTORY_RESULTS = 25_000;

/**
 * A tracking run as read: a run that stands for a Weft task or Weft run takes its status
 * and end time from that task or run once it has ended, unless `runs/update` set them.
 */
/** The states in which a task or a run has ended, as an SQL list. */
const ENDED_STATES_SQL = [...new Set<string>([...TERMINAL_TASK_STATES, ...TERMINAL_RUN_STATES])]
  .map((state) => `'${state}'`)
  .join(", ");

const RUNS_VIEW = `(SELECT tr.id, tr.experiment_id, tr.run_name,
    COALESCE(CASE WHEN tr.end_time IS NOT NULL THEN NULL ELSE
      CASE COALESCE(t.state, w.state) WHEN 'SUCCEEDED' THEN 'FINISHED' WHEN 'CACHED' THEN 'FINISHED'
        WHEN 'SKIPPED' THEN 'FINISHED' WHEN 'FAILED' THEN 'FAILED' WHEN 'CANCELED' THEN 'KILLED' END END,
      tr.status) AS status,
    tr.start_time,
    COALESCE(tr.end_time, CASE WHEN COALESCE(t.state, w.state) IN (${ENDED_STATES_SQL})
      THEN COALESCE(t.finished_at, w.finished_at) END) AS end_time,
    tr.user_id, tr.lifecycle_stage, tr.artifact_uri, tr.weft_run_id, tr.weft_task_id, tr.parent_run_id
  FROM tracking_runs tr
  LEFT JOIN tasks t ON t.id = tr.weft_task_id
  LEFT JOIN runs w ON w.id = tr.weft_run_id AND tr.weft_task_id IS NULL)`;

const INSERT_RUN = `INSERT INTO tracking_runs (id, experiment_id, run_name, status, start_time, user_id, artifact_uri,
  weft_run_id, weft_task_id, parent_run_id) VALUES (?, ?, ?, 'RUNNING', ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`;
// MLflow's latest value: the greatest (step, timestamp, value)
const UPSERT_LATEST = `INSERT INTO tracking_latest_metrics (run_id, key, value, timestamp, step) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step
  WHERE excluded.step > step OR (excluded.step = step AND excluded.timestamp > timestamp)
    OR (excluded.step = step AND excluded.timestamp = timestamp AND coalesce(excluded.value, -1e308) >= coalesce(value, -1e308))`;
const INSERT_PARAM =
  "INSERT INTO tracking_params (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO NOTHING";
const SELECT_PARAM = "SELECT value FROM tracking_params WHERE run_id = ? AND key = ?";
const UPSERT_TAG = `INSERT INTO tracking_tags (run_id, key, value) VALUES (?, ?, ?)
  ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value`;

const ATTRIBUTES: Record<string, { column: string; type: "text" | "number" }> = {
  status: { column: "status", type: "text" },
  run_name: { column: "run_name", type: "text" },
  run_id: { column: "id", type: "text" },
  start_time: { column: "start_time", type: "number" },
  end_time: { column: "end_time", type: "number" },
  user_id: { column: "user_id", type: "text" },
  artifact_uri: { column: "artifact_uri", type: "text" },
  lifecycle_stage: { column: "lifecycle_stage", type: "text" },
};
const ATTRIBUTE_ALIASES: Record<string, string> = { runName: "run_name", run_id: "run_id", runId: "run_id" };

function attribute(key: string): { column: string; type: "text" | "number" } {
  const a = ATTRIBUTES[ATTRIBUTE_ALIASES[key] ?? key];
  if (a === undefined) {
    throw new InvalidQueryError(
      `filter: unknown attribute '${key}'; use one of ${Object.keys(ATTRIBUTES).join(", ")}, or metrics.KEY, params.KEY, tags.KEY`,
    );
  }
  return a;
}

function sqlOp(op: FilterClause["op"], column: string): string {
  if (op === "ILIKE") return `lower(${column}) LIKE lower(?)`;
  if (op === "LIKE") return `${column} GLOB ?`;
  return `${column} ${op} ?`;
}

/** MLflow's LIKE is case-sensitive: translate its `%`/`_` pattern to a GLOB pattern. */
function likeValue(op: FilterClause["op"], value: string | number): string | number {
  if (op !== "LIKE" || typeof value !== "string") return value;
  return value
    .replace(/[[\]*?]/g, (c) => `[${c}]`)
    .replace(/%/g, "*")
    .replace(/_/g, "?");
}

function clauseSql(c: FilterClause, args: unknown[]): string {
  const value = likeValue(c.op, c.value);
  if (c.kind === "attribute") {
    const a = attribute(c.key);
    if (a.type === "number" && typeof c.value !== "number") {
      throw new InvalidQueryError(`filter: attributes.${c.key} compares with a number, not '${c.value}'`);
    }
    if (a.type === "text" && typeof c.value !== "string") {
      throw new InvalidQueryError(`filter: attributes.${c.key} compares with a quoted string, not ${c.value}`);
    }
    if (a.type === "text" && [">", ">=", "<", "<="].includes(c.op)) {
      throw new InvalidQueryError(`filter: attributes.${c.key} takes =, !=, LIKE or ILIKE, not ${c.op}`);
    }
    args.push(value);
    return sqlOp(c.op, `r.${a.column}`);
  }
  const table =
    c.kind === "metric" ? "tracking_latest_metrics" : c.kind === "param" ? "tracking_params" : "tracking_tags";
  if (c.kind !== "metric" && [">", ">=", "<", "<="].includes(c.op)) {
    throw new InvalidQueryError(`filter: ${c.kind}s.${c.key} takes =, !=, LIKE or ILIKE, not ${c.op}`);
  }
  if (c.kind === "metric" && (c.op === "LIKE" || c.op === "ILIKE")) {
    throw new InvalidQueryError(`filter: metrics.${c.key} takes =, !=, >, >=, <, <=, not ${c.op}`);
  }
  args.push(c.key, value);
  return `EXISTS (SELECT 1 FROM ${table} x WHERE x.run_id = r.id AND x.key = ? AND ${sqlOp(c.op, "x.value")})`;
}

function viewSql(view: TrackingViewType | undefined, column: string): string {
  if (view === "DELETED_ONLY") return `${column} = 'deleted'`;
  if (view === "ALL") return "1";
  return `${column} = 'active'`;
}

function pageSize(value: number | undefined, max: number, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidQueryError(`${what}: max_results must be an integer from 1 to ${max}, got ${value}`);
  }
  return value;
}

function checkKey(what: string, key: unknown, runId: string): string {
  if (typeof key !== "string" || key === "" || key.length > 250) {
    throw new InvalidInputError(`run '${runId}': ${what} key must be a non-empty string of at most 250 characters`);
  }
  return key;
}

function toMetricValue(v: number | null): number {
  return v === null ? Number.NaN : v;
}

/** The tracking repository over `ctx`. */
export function createTrackingRepository(ctx: SqlContext): TrackingRepository {
  function requireRun(runId: string): TrackingRun {
    const run = repo.getRun(runId);
    if (run === undefined) throw new NotFoundError("run", runId, "run_id");
    return run;
  }

  function requireActive(runId: string): TrackingRun {
    const run = requireRun(runId);
    if (run.lifecycleStage !== "active") {
      throw new InvalidInputError(`run '${runId}' is deleted; restore it (runs/restore) before logging to it`);
    }
    return run;
  }

  function experimentOf(row: {
    id: string;
    name: string;
    storage_state: string;
    created_at: number;
  }): TrackingExperiment {
    const last = ctx.stmt("SELECT max(start_time) AS t FROM tracking_runs WHERE experiment_id = ?").get(row.id) as {
      t: number | null;
    };
    return {
      experimentId: row.id,
      name: row.name,
      lifecycleStage: row.storage_state === "ARCHIVED" ? "deleted" : "active",
      creationTime: row.created_at,
      lastUpdateTime: Math.max(row.created_at, last.t ?? 0),
      tags: ctx
        .stmt("SELECT key, value FROM experiment_tags WHERE experiment_id = ? ORDER BY key")
        .all(row.id) as TrackingTag[],
    };
  }

  function detail(run: TrackingRun): TrackingRunDetail {
    return {
      info: run,
      metrics: repo.latestMetrics(run.runId),
      params: repo.params(run.runId),
      tags: repo.tags(run.runId),
    };
  }

  /** A batch's chunks and each key's latest value (`latest` indexes the batch's `columns`). */
  function storeChunks(runId: string, chunks: readonly KeyChunk[], columns: TrackingMetricColumns): void {
    writeChunks(ctx, runId, chunks);
    const upsert = ctx.stmt(UPSERT_LATEST);
    for (const ch of chunks) {
      const value = columns.value[ch.latest] as number;
      const timestamp = columns.timestamp[ch.latest] as number;
      upsert.run(runId, ch.key, Number.isNaN(value) ? null : value, timestamp, columns.step[ch.latest] as number);
    }
  }

  const repo: TrackingRepository = {
    createRun(input: TrackingRunInput): TrackingRun {
      const runId = input.runId ?? randomUUID().replaceAll("-", "");
      const experiment = ctx.stmt("SELECT storage_state FROM experiments WHERE id = ?").get(input.experimentId) as
        | { storage_state: string }
        | undefined;
      if (experiment === undefined) throw new NotFoundError("experiment", input.experimentId, "experiment_id");
      if (experiment.storage_state === "ARCHIVED") {
        throw new InvalidInputError(
          `experiment '${input.experimentId}' is deleted; restore it before creating runs in it`,
        );
      }
      const tags = [...(input.tags ?? [])];
      let runName = input.runName ?? tags.find((t) => t.key === "mlflow.runName")?.value ?? "";
      if (runName === "") runName = `run-${runId.slice(0, 8)}`;
      if (!tags.some((t) => t.key === "mlflow.runName")) tags.push({ key: "mlflow.runName", value: runName });
      ctx.tx(() => {
        guardWrite(ctx, { entity: "run", unique: `a run with id '${runId}'` }, () => {
          const res = ctx
            .stmt(INSERT_RUN)
            .run(
              runId,
              input.experimentId,
              runName,
              input.startTime ?? Date.now(),
              input.userId ?? "",
              "",
              null,
              null,
              null,
            );
          if (res.changes === 0) throw new InvalidInputError(`run '${runId}' already exists; choose another run_id`);
        });
        for (const t of tags) ctx.stmt(UPSERT_TAG).run(runId, checkKey("tag", t.key, runId), String(t.value));
      });
      return requireRun(runId);
    },

    getRun(runId: string): TrackingRun | undefined {
      const r = ctx.stmt(`SELECT * FROM ${RUNS_VIEW} WHERE id = ?`).get(runId) as RunRow | undefined;
      return r && decodeRow(TRACKING_RUNS_TABLE, r);
    },

    getRunDetail(runId: string): TrackingRunDetail | undefined {
      const run = repo.getRun(runId);
      return run && detail(run);
    },

    updateRun(runId: string, patch: TrackingRunPatch): TrackingRun {
      if (patch.status !== undefined && !TRACKING_RUN_STATUSES.includes(patch.status)) {
        throw new InvalidInputError(
          `run '${runId}': status '${patch.status}' is not one of ${TRACKING_RUN_STATUSES.join(", ")}`,
        );
      }
      ctx.tx(() => {
        requireRun(runId);
        if (patch.status !== undefined)
          ctx.stmt("UPDATE tracking_runs SET status = ? WHERE id = ?").run(patch.status, runId);
        if (patch.endTime !== undefined)
          ctx.stmt("UPDATE tracking_runs SET end_time = ? WHERE id = ?").run(patch.endTime, runId);
        if (patch.runName !== undefined && patch.runName !== "") {
          ctx.stmt("UPDATE tracking_runs SET run_name = ? WHERE id = ?").run(patch.runName, runId);
          ctx.stmt(UPSERT_TAG).run(runId, "mlflow.runName", patch.runName);
        }
      });
      return requireRun(runId);
    },

    deleteRun(runId: string): void {
      const res = ctx.stmt("UPDATE tracking_runs SET lifecycle_stage = 'deleted' WHERE id = ?").run(runId);
      if (res.changes === 0) throw new NotFoundError("run", runId, "run_id");
    },

    restoreRun(runId: string): void {
      const res = ctx.stmt("UPDATE tracking_runs SET lifecycle_stage = 'active' WHERE id = ?").run(runId);
      if (res.changes === 0) throw new NotFoundError("run", runId, "run_id");
    },

    searchRuns(search: TrackingRunSearch): TrackingPage<TrackingRunDetail> {
      const max = pageSize(search.maxResults, MAX_TRACKING_RESULTS, 1000, "runs/search");
      const offset = decodeOffsetToken(search.pageToken);
      const args: unknown[] = [];
      const where: string[] = [viewSql(search.viewType, "r.lifecycle_stage")];
      if (search.experimentIds.length === 0) {
        throw new InvalidInputError("runs/search: experiment_ids must name at least one experiment");
      }
      where.push(`r.experiment_id IN (${search.experimentIds.map(() => "?").join(", ")})`);
      args.push(...search.experimentIds);
      for (const c of parseFilter(search.filter)) where.push(clauseSql(c, args));
      const order: string[] = [];
      for (const o of parseOrderBy(search.orderBy)) {
        const dir = o.desc ? "DESC" : "ASC";
        if (o.kind === "attribute") {
          const a = attribute(o.key);
          order.push(`r.${a.column} IS NULL, r.${a.column} ${dir}`);
        } else {
          const table =
            o.kind === "metric" ? "tracking_latest_metrics" : o.kind === "param" ? "tracking_params" : "tracking_tags";
          const expr = `(SELECT x.value FROM ${table} x WHERE x.run_id = r.id AND x.key = ?)`;
          order.push(`${expr} IS NULL, ${expr} ${dir}`);
          args.push(o.key, o.key);
        }
      }
      order.push("r.start_time DESC", "r.id");
      args.push(max + 1, offset);
      const rows = ctx
        .stmt(
          `SELECT r.* FROM ${RUNS_VIEW} r WHERE ${where.join(" AND ")} ORDER BY ${order.join(", ")} LIMIT ? OFFSET ?`,
        )
        .all(...args) as RunRow[];
      const items = rows.slice(0, max).map((r) => detail(decodeRow(TRACKING_RUNS_TABLE, r)));
      return rows.length > max ? { items, nextPageToken: encodeOffsetToken(offset + max) } : { items };
    },

    logBatch(runId: string, batch: TrackingBatch): void {
      const metrics = batch.metrics ?? [];
      const params = batch.params ?? [];
      const tags = batch.tags ?? [];
      const columns = columnsOf(runId, metrics);
      for (const k of columns.keys) checkKey("metric", k, runId);
      const chunks = metrics.length > 0 ? splitByKey(runId, columns) : [];
      for (const p of params) checkKey("param", p.key, runId);
      for (const t of tags) checkKey("tag", t.key, runId);
      ctx.tx(() => {
        requireActive(runId);
        if (params.length > 0) {
          const insert = ctx.stmt(INSERT_PARAM);
          const select = ctx.stmt(SELECT_PARAM);
          for (const p of params) {
            const value = String(p.value);
            if (insert.run(runId, p.key, value).changes === 0) {
              const old = (select.get(runId, p.key) as { value: string }).value;
              if (old !== value) {
                throw new InvalidInputError(
                  `run '${runId}': param '${p.key}' was already logged with value '${old}'; params cannot change (log '${value}' under another key)`,
                );
              }
            }
          }
        }
        if (chunks.length > 0) storeChunks(runId, chunks, columns);
        if (tags.length > 0) {
          const upsert = ctx.stmt(UPSERT_TAG);
          for (const t of tags) {
            upsert.run(runId, t.key, String(t.value));
            if (t.key === "mlflow.runName")
              ctx.stmt("UPDATE tracking_runs SET run_name = ? WHERE id = ?").run(t.value, runId);
          }
        }
      });
    },

    logMetricColumns(runId: string, columns: TrackingMetricColumns): void {
      for (const k of columns.keys) checkKey("metric", k, runId);
      const chunks = splitByKey(runId, columns);
      ctx.tx(() => {
        requireActive(runId);
        if (chunks.length > 0) storeChunks(runId, chunks, columns);
      });
    },

    deleteTag(runId: string, key: string): void {
      ctx.tx(() => {
        requireActive(runId);
        const res = ctx.stmt("DELETE FROM tracking_tags WHERE run_id = ? AND key = ?").run(runId, key);
        if (res.changes === 0) throw new NotFoundError(`tag of run '${runId}'`, key, "key");
      });
    },

    metricHistory(runId, key, page = {}): TrackingPage<TrackingMetric> {
      requireRun(runId);
      const max = pageSize(page.maxResults, MAX_HISTORY_RESULTS, MAX_HISTORY_RESULTS, "metrics/get-history");
      const offset = decodeOffsetToken(page.pageToken);
      // every point of the key, in sequence order, then sorted by step and timestamp (stable)
      const p = readSeries(ctx, runId, key);
      const order = Array.from({ length: p.count }, (_, i) => i);
      let sorted = true;
      for (let i = 1; i < p.count && sorted; i++) {
        const ds = (p.step[i] as number) - (p.step[i - 1] as number);
        sorted = ds > 0 || (ds === 0 && (p.timestamp[i] as number) >= (p.timestamp[i - 1] as number));
      }
      if (!sorted) {
        order.sort(
          (a, b) =>
            (p.step[a] as number) - (p.step[b] as number) ||
            (p.timestamp[a] as number) - (p.timestamp[b] as number) ||
            a - b,
        );
      }
      const end = Math.min(p.count, offset + max);
      const items: TrackingMetric[] = [];
      for (let j = offset; j < end; j++) {
        const i = order[j] as number;
        items.push({
          key,
          value: p.value[i] as number,
          timestamp: p.timestamp[i] as number,
          step: p.step[i] as number,
        });
      }
      return p.count > offset + max ? { items, nextPageToken: encodeOffsetToken(offset + max) } : { items };
    },

    latestMetrics(runId: string): TrackingMetric[] {
      const rows = ctx
        .stmt("SELECT key, value, timestamp, step FROM tracking_latest_metrics WHERE run_id = ? ORDER BY key")
        .all(runId) as Array<{ key: string; value: number | null; timestamp: number; step: number }>;
      return rows.map((r) => ({ ...r, value: toMetricValue(r.value) }));
    },

    params(runId: string): TrackingParam[] {
      return ctx
        .stmt("SELECT key, value FROM tracking_params WHERE run_id = ? ORDER BY key")
        .all(runId) as TrackingParam[];
    },

    tags(runId: string): TrackingTag[] {
      return ctx.stmt("SELECT key, value FROM tracking_tags WHERE run_id = ? ORDER BY key").all(runId) as TrackingTag[];
    },

    ensureWeftRun(runId: string): boolean {
      if (ctx.stmt("SELECT 1 FROM tracking_runs WHERE id = ?").get(runId) !== undefined) return true;
      return ctx.tx(() => {
        const task = ctx.stmt("SELECT id, run_id, name, started_at, created_at FROM tasks WHERE id = ?").get(runId) as
          | { id: string; run_id: string; name: string; started_at: number | null; created_at: number }
          | undefined;
        const weftRunId = task?.run_id ?? runId;
        const run = ctx
          .stmt("SELECT id, experiment_id, display_name, started_at, created_at FROM runs WHERE id = ?")
          .get(weftRunId) as
          | { id: string; experiment_id: string; display_name: string; started_at: number | null; created_at: number }
          | undefined;
        if (run === undefined) return false;
        const upsertTag = ctx.stmt(UPSERT_TAG);
        const parent = ctx
          .stmt(INSERT_RUN)
          .run(
            run.id,
            run.experiment_id,
            run.display_name,
            run.started_at ?? run.created_at,
            "",
            "",
            run.id,
            null,
            null,
          );
        if (parent.changes > 0) upsertTag.run(run.id, "mlflow.runName", run.display_name);
        if (task !== undefined) {
          ctx
            .stmt(INSERT_RUN)
            .run(
              task.id,
              run.experiment_id,
              task.name,
              task.started_at ?? task.created_at,
              "",
              "",
              run.id,
              task.id,
              run.id,
            );
          upsertTag.run(task.id, "mlflow.runName", task.name);
          upsertTag.run(task.id, "mlflow.parentRunId", run.id);
          upsertTag.run(task.id, "weft.task", task.name);
        }
        return true;
      });
    },

    stepMetrics(weftRunId: string, after = 0, limit = 50_000): StepMetricsPage {
      // each series' first points after the cursor (an index range each), merged by sequence
      const keys = ctx
        .stmt(
          `SELECT l.run_id, l.key, tr.weft_task_id, t.name AS task_name
           FROM tracking_runs tr JOIN tracking_latest_metrics l ON l.run_id = tr.id
           LEFT JOIN tasks t ON t.id = tr.weft_task_id
           WHERE tr.weft_run_id = ? ORDER BY tr.start_time, tr.id, l.key`,
        )
        .all(weftRunId) as Array<{
        run_id: string;
        key: string;
        weft_task_id: string | null;
        task_name: string | null;
      }>;
      type Point = { seq: number; value: number; timestamp: number; step: number };
      const fetched = keys.map((k) => {
        const p = readSeriesAfter(ctx, k.run_id, k.key, after, limit + 1);
        const rows: Point[] = new Array(p.count);
        for (let i = 0; i < p.count; i++) {
          rows[i] = {
            seq: p.seq[i] as number,
            value: p.value[i] as number,
            timestamp: p.timestamp[i] as number,
            step: p.step[i] as number,
          };
        }
        return { k, rows };
      });
      const all = fetched.flatMap((f) => f.rows.map((r) => r.seq)).sort((x, y) => x - y);
      const more = all.length > limit;
      const cursor = more ? (all[limit - 1] as number) : (all[all.length - 1] ?? after);
      const series: StepMetricSeries[] = [];
      for (const { k, rows } of fetched) {
        const kept = rows.filter((r) => r.seq <= cursor);
        if (kept.length === 0) continue;
        const s: StepMetricSeries = { runId: k.run_id, key: k.key, points: [] };
        if (k.weft_task_id !== null) s.taskId = k.weft_task_id;
        if (k.task_name !== null) s.taskName = k.task_name;
        s.points = kept.map((r) => ({ step: r.step, value: r.value, timestamp: r.timestamp }));
        series.push(s);
      }
      return { series, cursor, more };
    },

    getExperiment(experimentId: string): TrackingExperiment | undefined {
      const row = ctx
        .stmt("SELECT id, name, storage_state, created_at FROM experiments WHERE id = ?")
        .get(experimentId) as { id: string; name: string; storage_state: string; created_at: number } | undefined;
      return row && experimentOf(row);
    },

    getExperimentByName(name: string): TrackingExperiment | undefined {
      const row = ctx
        .stmt("SELECT id, name, storage_state, created_at FROM experiments WHERE namespace = '' AND name = ?")
        .get(name) as { id: string; name: string; storage_state: string; created_at: number } | undefined;
      return row && experimentOf(row);
    },

    searchExperiments(search: TrackingExperimentSearch): TrackingPage<TrackingExperiment> {
      const max = pageSize(search.maxResults, MAX_TRACKING_RESULTS, 1000, "experiments/search");
      const offset = decodeOffsetToken(search.pageToken);
      const where = [
        "namespace = ''",
        search.viewType === "DELETED_ONLY"
          ? "storage_state = 'ARCHIVED'"
          : search.viewType === "ALL"
            ? "1"
            : "storage_state = 'AVAILABLE'",
      ];
      const args: unknown[] = [];
      for (const c of parseFilter(search.filter, "experiments/search filter")) {
        if (c.kind === "tag") {
          where.push(
            `EXISTS (SELECT 1 FROM experiment_tags x WHERE x.experiment_id = e.id AND x.key = ? AND ${sqlOp(c.op, "x.value")})`,
          );
          args.push(c.key, likeValue(c.op, c.value));
          continue;
        }
        if (c.kind !== "attribute" || (c.key !== "name" && c.key !== "experiment_id")) {
          throw new InvalidQueryError(
            `experiments/search filter: only name, experiment_id and tags.KEY can be compared, not '${c.key}'`,
          );
        }
        if (typeof c.value !== "string" || !["=", "!=", "LIKE", "ILIKE"].includes(c.op)) {
          throw new InvalidQueryError(
            `experiments/search filter: ${c.key} takes =, !=, LIKE or ILIKE and a quoted string`,
          );
        }
        where.push(sqlOp(c.op, c.key === "name" ? "e.name" : "e.id"));
        args.push(likeValue(c.op, c.value));
      }
      args.push(max + 1, offset);
      const rows = ctx
        .stmt(
          `SELECT e.id, e.name, e.storage_state, e.created_at FROM experiments e WHERE ${where.join(" AND ")}
           ORDER BY e.created_at DESC, e.id LIMIT ? OFFSET ?`,
        )
        .all(...args) as Array<{ id: string; name: string; storage_state: string; created_at: number }>;
      const items = rows.slice(0, max).map(experimentOf);
      return rows.length > max ? { items, nextPageToken: encodeOffsetToken(offset + max) } : { items };
    },

    setExperimentTag(experimentId: string, key: string, value: string): void {
      if (typeof key !== "string" || key === "") {
        throw new InvalidInputError(`experiment '${experimentId}': tag key must be a non-empty string`);
      }
      ctx.tx(() => {
        if (ctx.stmt("SELECT 1 FROM experiments WHERE id = ?").get(experimentId) === undefined) {
          throw new NotFoundError("experiment", experimentId, "experiment_id");
        }
        ctx
          .stmt(
            `INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)
             ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value`,
          )
          .run(experimentId, key, value);
      });
    },

    renameExperiment(experimentId: string, newName: string): void {
      if (typeof newName !== "string" || newName.trim() === "") {
        throw new InvalidInputError(`experiment '${experimentId}': the new name must not be empty`);
      }
      guardWrite(ctx, { entity: "experiment", unique: `an experiment named '${newName}'` }, () => {
        const res = ctx
          .stmt("UPDATE experiments SET name = ?, display_name = ? WHERE id = ?")
          .run(newName, newName, experimentId);
        if (res.changes === 0) throw new NotFoundError("experiment", experimentId, "experiment_id");
      });
    },
  };
  return repo;
}

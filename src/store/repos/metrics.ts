/** Scalar metrics logged by tasks, and the run metrics they make. */
import { InvalidInputError } from "../errors.ts";
import { guardWrite, type SqlContext } from "../sql.ts";
import { decodeRow, encodeRow, insertSql, type RowOf } from "../table.ts";
import { METRICS_TABLE, type MetricFields, RUN_METRICS_TABLE } from "../tables/index.ts";
import type { Metric, MetricInput, MetricRepository, RunMetric, RunMetricInput } from "../types.ts";

type MetricRow = RowOf<typeof METRICS_TABLE.columns>;

const INSERT = insertSql(METRICS_TABLE, Object.keys(METRICS_TABLE.columns) as (keyof MetricRow)[]);
// a later value of a run metric (a retried or resumed task's) replaces the earlier one
const UPSERT_RUN_METRIC = `INSERT INTO ${RUN_METRICS_TABLE.table} (run_id, name, value, task_id) VALUES (?, ?, ?, ?)
  ON CONFLICT (run_id, name) DO UPDATE SET value = excluded.value, task_id = excluded.task_id`;

function checkValue(kind: string, m: { name: string; taskId: string; value: unknown }): void {
  if (typeof m.value !== "number" || !Number.isFinite(m.value)) {
    throw new InvalidInputError(
      `${kind} '${m.name}' of task '${m.taskId}': value must be a finite number, got ${String(m.value)}`,
    );
  }
}

function toMetric(r: MetricRow): Metric {
  return decodeRow(METRICS_TABLE, r);
}

/** The metrics repository over `ctx`. */
export function createMetricRepository(ctx: SqlContext): MetricRepository {
  return {
    recordMany(metrics: MetricInput[], runMetrics: RunMetricInput[] = []): void {
      for (const m of metrics) checkValue("metric", m);
      for (const m of runMetrics) checkValue("run metric", m);
      const now = Date.now();
      ctx.tx(() => {
        for (const m of metrics) {
          guardWrite(
            ctx,
            {
              entity: `metric '${m.name}' of task '${m.taskId}'`,
              unique: "the metric",
              refs: [
                { field: "runId", table: "runs", value: m.runId },
                { field: "taskId", table: "tasks", value: m.taskId },
                { field: "artifactId", table: "artifacts", value: m.artifactId },
              ],
            },
            () => {
              const fields: MetricFields = {
                runId: m.runId,
                taskId: m.taskId,
                name: m.name,
                value: m.value,
                createdAt: m.createdAt ?? now,
              };
              if (m.artifactId !== undefined && m.artifactId !== null) fields.artifactId = m.artifactId;
              ctx.stmt(INSERT).run(encodeRow(METRICS_TABLE, fields));
            },
          );
        }
        for (const m of runMetrics) {
          guardWrite(
            ctx,
            {
              entity: `run metric '${m.name}' of task '${m.taskId}'`,
              unique: "the run metric",
              refs: [
                { field: "runId", table: "runs", value: m.runId },
                { field: "taskId", table: "tasks", value: m.taskId },
              ],
            },
            () => ctx.stmt(UPSERT_RUN_METRIC).run(m.runId, m.name, m.value, m.taskId),
          );
        }
      });
    },

    listByRun(runId: string): Metric[] {
      return (ctx.stmt("SELECT * FROM metrics WHERE run_id = ? ORDER BY rowid").all(runId) as MetricRow[]).map(
        toMetric,
      );
    },

    runMetricsOf(runIds: string[]): Record<string, RunMetric[]> {
      const out: Record<string, RunMetric[]> = {};
      for (const id of runIds) out[id] = [];
      const unique = [...new Set(runIds)];
      // Chunks stay under SQLite's bound-parameter limit.
      for (let i = 0; i < unique.length; i += 500) {
        const chunk = unique.slice(i, i + 500);
        const rows = ctx
          .stmt(
            `SELECT run_id, name, value FROM ${RUN_METRICS_TABLE.table}
             WHERE run_id IN (${chunk.map(() => "?").join(", ")}) ORDER BY run_id, name`,
          )
          .all(...chunk) as Array<{ run_id: string; name: string; value: number }>;
        for (const r of rows) out[r.run_id]?.push({ name: r.name, value: r.value });
      }
      return out;
    },
  };
}

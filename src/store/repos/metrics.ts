/** Scalar metrics logged by tasks. */
import { InvalidInputError } from "../errors.ts";
import { guardWrite, type SqlContext } from "../sql.ts";
import { decodeRow, encodeRow, insertSql, type RowOf } from "../table.ts";
import { METRICS_TABLE, type MetricFields } from "../tables/index.ts";
import type { Metric, MetricInput, MetricRepository } from "../types.ts";

type MetricRow = RowOf<typeof METRICS_TABLE.columns>;

const INSERT = insertSql(METRICS_TABLE, Object.keys(METRICS_TABLE.columns) as (keyof MetricRow)[]);

function toMetric(r: MetricRow): Metric {
  return decodeRow(METRICS_TABLE, r);
}

/** The metrics repository over `ctx`. */
export function createMetricRepository(ctx: SqlContext): MetricRepository {
  return {
    recordMany(metrics: MetricInput[]): void {
      for (const m of metrics) {
        if (typeof m.value !== "number" || !Number.isFinite(m.value)) {
          throw new InvalidInputError(
            `metric '${m.name}' of task '${m.taskId}': value must be a finite number, got ${String(m.value)}`,
          );
        }
      }
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
      });
    },

    listByRun(runId: string): Metric[] {
      return (ctx.stmt("SELECT * FROM metrics WHERE run_id = ? ORDER BY rowid").all(runId) as MetricRow[]).map(
        toMetric,
      );
    },

    latestByRunIds(runIds: string[]): Record<string, Metric[]> {
      const out: Record<string, Metric[]> = {};
      for (const id of runIds) out[id] = [];
      const unique = [...new Set(runIds)];
      // Chunks stay under SQLite's bound-parameter limit.
      for (let i = 0; i < unique.length; i += 500) {
        const chunk = unique.slice(i, i + 500);
        const rows = ctx
          .stmt(
            `SELECT m.* FROM metrics m
             WHERE m.run_id IN (${chunk.map(() => "?").join(", ")})
               AND m.rowid = (SELECT max(rowid) FROM metrics l WHERE l.run_id = m.run_id AND l.name = m.name)
             ORDER BY m.run_id, m.name`,
          )
          .all(...chunk) as MetricRow[];
        for (const r of rows) out[r.run_id]?.push(toMetric(r));
      }
      return out;
    },
  };
}

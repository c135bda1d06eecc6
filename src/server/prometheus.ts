/**
 * `GET /metrics`: Prometheus text exposition of the server's state: runs by state, the
 * run queue, enabled recurring runs and HTTP responses by status class.
 */
import type { FastifyInstance } from "fastify";
import { RUN_STATES } from "../ir/index.ts";
import type { ServerContext } from "./context.ts";

/** Registers `/metrics` and the response counter behind it. */
export function registerPrometheus(app: FastifyInstance, ctx: ServerContext): void {
  const responses = new Map<string, number>();
  app.addHook("onResponse", async (_req, reply) => {
    const cls = `${Math.floor(reply.statusCode / 100)}xx`;
    responses.set(cls, (responses.get(cls) ?? 0) + 1);
  });
  app.get("/metrics", async (_req, reply) => {
    const count = (field: string, value: string) =>
      ctx.store.runs.listSummaries({ filter: [{ field, op: "EQUALS", value }], pageSize: 1 }).totalSize;
    const lines: string[] = [
      "# HELP weft_runs Runs in the store by state.",
      "# TYPE weft_runs gauge",
      ...RUN_STATES.map((s) => `weft_runs{state="${s}"} ${count("state", s)}`),
    ];
    const q = ctx.queue.stats();
    lines.push(
      "# HELP weft_run_queue_queued Runs waiting in this server's queue.",
      "# TYPE weft_run_queue_queued gauge",
      `weft_run_queue_queued ${q.queued}`,
      "# HELP weft_run_queue_running Runs executing in this server.",
      "# TYPE weft_run_queue_running gauge",
      `weft_run_queue_running ${q.running}`,
      "# HELP weft_run_queue_concurrency Runs this server executes at once.",
      "# TYPE weft_run_queue_concurrency gauge",
      `weft_run_queue_concurrency ${q.concurrency}`,
      "# HELP weft_recurring_runs_enabled Enabled recurring runs.",
      "# TYPE weft_recurring_runs_enabled gauge",
      `weft_recurring_runs_enabled ${ctx.store.recurringRuns.list({ filter: [{ field: "mode", op: "EQUALS", value: "ENABLE" }], pageSize: 1 }).totalSize}`,
      "# HELP weft_http_responses_total HTTP responses by status class.",
      "# TYPE weft_http_responses_total counter",
      ...[...responses.entries()].sort().map(([cls, n]) => `weft_http_responses_total{class="${cls}"} ${n}`),
    );
    reply.type("text/plain; version=0.0.4; charset=utf-8");
    return `${lines.join("\n")}\n`;
  });
}

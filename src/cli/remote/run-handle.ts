/**
 * A run executing on a server, seen as the engine's {@link RunHandle}: the run graph is
 * polled and each change of the run's or a task's state becomes an {@link EngineEvent},
 * so `weft run` and `weft runs retry` show remote runs with the same views (tree, plain
 * lines, JSON lines) and summary as local ones. Each started task's log is followed over
 * the server's event stream and its lines become `log` events (the stream does not tell
 * stdout from stderr: they are reported as stdout). `cancel()` terminates the run.
 */
import { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import type { GraphNode, RunGraph, WeftClient } from "../../client/index.ts";
import type { EngineEvent, RunHandle, RunSummary, TaskSummary } from "../../engine/index.ts";
import type { JsonValue } from "../../ir/index.ts";
import { isTerminalState } from "../format.ts";
import { STDERR_TAIL_LINES } from "../progress/summary.ts";
import { parseTime } from "./connect.ts";

type TaskEvent = Extract<EngineEvent, { type: "task" }>;

/** Options of {@link remoteRunHandle}. */
export interface RemoteRunOptions {
  /** The server's base URL (named in the summary). */
  host: string;
  /** How often the graph is polled; default 300 ms. */
  pollMs?: number;
  /**
   * Follow each started task's log (the server's event stream) and emit its lines as `log`
   * events, as the local engine does; default true.
   */
  logs?: boolean;
}

function taskEvent(runId: string, n: GraphNode): TaskEvent {
  const startedAt = parseTime(n.started_at);
  const finishedAt = parseTime(n.finished_at);
  return {
    type: "task",
    runId,
    taskId: n.task_id,
    path: n.path,
    name: n.name,
    displayName: n.display_name,
    kind: n.kind,
    state: n.state as TaskEvent["state"],
    attempt: n.attempt,
    ...(n.cached !== undefined ? { cached: n.cached } : {}),
    ...(startedAt !== undefined ? { startedAt } : {}),
    ...(finishedAt !== undefined ? { finishedAt } : {}),
    ...(n.error !== undefined ? { error: n.error } : {}),
  };
}

const isLeaf = (n: GraphNode) => n.kind === "container" || n.kind === "importer";

async function summarize(client: WeftClient, graph: RunGraph, host: string, startedAt: number): Promise<RunSummary> {
  const runId = graph.run_id;
  const [run, metrics, root] = await Promise.all([
    client.getRun(runId),
    client.weft.runMetrics(runId),
    client.http
      .request<{ outputs?: { parameters?: Record<string, JsonValue> } }>(
        "GET",
        `/apis/weft/v1/runs/${encodeURIComponent(runId)}/tasks/root`,
      )
      .catch(() => undefined),
  ]);
  const failed = graph.nodes.filter((n) => n.state === "FAILED" && isLeaf(n));
  const tails = new Map<string, string[]>();
  await Promise.all(
    failed.map(async (n) => {
      tails.set(n.task_id, await client.weft.taskLogs(runId, n.task_id, STDERR_TAIL_LINES).catch(() => []));
    }),
  );
  const tasks: TaskSummary[] = graph.nodes.map((n) => {
    const s = parseTime(n.started_at);
    const f = parseTime(n.finished_at);
    return {
      id: n.task_id,
      path: n.path,
      name: n.name,
      displayName: n.display_name,
      kind: n.kind,
      state: n.state as TaskSummary["state"],
      attempt: n.attempt,
      cached: n.cached === true || n.state === "CACHED",
      ...(s !== undefined ? { startedAt: s } : {}),
      ...(f !== undefined ? { finishedAt: f } : {}),
      ...(s !== undefined && f !== undefined ? { durationMs: f - s } : {}),
      ...(n.error !== undefined ? { error: n.error } : {}),
      ...(tails.has(n.task_id) ? { stderrTail: tails.get(n.task_id) } : {}),
    };
  });
  const rootNode = graph.nodes.find((n) => n.path === "root");
  const begin = parseTime(rootNode?.started_at) ?? parseTime(run.created_at) ?? startedAt;
  const end = parseTime(rootNode?.finished_at) ?? parseTime(run.finished_at) ?? Date.now();
  return {
    runId,
    state: graph.state as RunSummary["state"],
    durationMs: Math.max(0, end - begin),
    ...(run.error?.message ? { error: run.error.message } : {}),
    tasks,
    metrics: metrics.map((m) => ({
      task: (m.task ?? m.task_id).replace(/^root\//, ""),
      ...(m.task_label !== undefined ? { label: m.task_label } : {}),
      name: m.name,
      value: m.value,
    })),
    outputs: { parameters: root?.outputs?.parameters ?? {}, artifacts: {} },
    artifactsDir: `on the server ${host} (${host}/apis/weft/v1/runs/${runId}/artifacts)`,
  };
}

/**
 * Follows run `runId` on the server: emits `run` and `task` events as their states change
 * (polling the run graph) and resolves `done` with the summary once the run has ended.
 */
export function remoteRunHandle(client: WeftClient, runId: string, opts: RemoteRunOptions): RunHandle {
  const events: RunHandle["events"] = new EventEmitter();
  const pollMs = opts.pollMs ?? 300;
  const startedAt = Date.now();
  const followers = new Map<string, Promise<void>>();
  const follow = (n: GraphNode): void => {
    if (opts.logs === false || !isLeaf(n) || n.state === "PENDING" || followers.has(n.task_id)) return;
    // a task that finished before this command started (reused by a retry) is not replayed
    if (n.state !== "RUNNING" && (parseTime(n.started_at) ?? 0) < startedAt - 1000) return;
    followers.set(
      n.task_id,
      (async () => {
        for await (const e of client.weft.followTaskLogs(runId, n.task_id)) {
          if (e.type === "log")
            events.emit("event", {
              type: "log",
              runId,
              taskId: n.task_id,
              path: n.path,
              stream: "stdout",
              line: e.line,
            });
        }
      })().catch(() => {
        // a log that cannot be followed is still in weft runs logs; the run's progress goes on
      }),
    );
  };
  const done = (async (): Promise<RunSummary> => {
    const seen = new Map<string, string>();
    let runState = "";
    for (;;) {
      const graph = await client.weft.runGraph(runId);
      const final = isTerminalState(graph.state);
      if (graph.state !== runState && !final) {
        runState = graph.state;
        events.emit("event", { type: "run", runId, state: graph.state as RunSummary["state"], at: Date.now() });
      }
      for (const n of graph.nodes) {
        follow(n);
        const key = `${n.state}#${n.attempt}#${n.cached === true}`;
        if (seen.get(n.task_id) === key) continue;
        seen.set(n.task_id, key);
        events.emit("event", taskEvent(runId, n));
      }
      if (final) {
        // every stream ends once its task is final and its log drained
        await Promise.all(followers.values());
        const summary = await summarize(client, graph, opts.host, startedAt);
        events.emit("event", {
          type: "run",
          runId,
          state: summary.state,
          at: Date.now(),
          ...(summary.error ? { error: summary.error } : {}),
        });
        return summary;
      }
      await sleep(pollMs);
    }
  })();
  let canceling = false;
  return {
    runId,
    events,
    done,
    cancel() {
      if (canceling) return;
      canceling = true;
      client.terminateRun(runId).catch((err: unknown) => {
        process.stderr.write(`weft: could not terminate run ${runId}: ${(err as Error).message}\n`);
      });
    },
  };
}

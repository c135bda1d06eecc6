/**
 * Task logs: the last lines of a task's log file, and live streaming of a log as
 * Server-Sent Events (`event: log` per line, `event: end` once the task has finished and
 * the file is drained). The file is polled, so logs of runs executed by another process
 * on this machine stream too.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { FileFollower, tailLines } from "../engine/index.ts";
import { isTerminalTaskState } from "../ir/index.ts";
import type { Task } from "../store/index.ts";
import type { ServerContext } from "./context.ts";

/** The last `n` lines of a log file (`[]` when there is none yet), from at most its last MiB. */
export function tailLog(path: string | undefined, n: number): string[] {
  return tailLines(path, n, 1024 * 1024);
}

/** Streams a task's log as Server-Sent Events until the task is final and the log drained. */
export function streamTaskLog(
  ctx: ServerContext,
  req: FastifyRequest,
  reply: FastifyReply,
  task: Task,
  pollMs = 200,
): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  let follower: FileFollower | undefined;
  let closed = false;
  let sinceBeat = 0;
  const send = (event: string, data: unknown): void => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const finish = (state: string): void => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    for (const line of follower?.flush() ?? []) send("log", { line });
    send("end", { task_id: task.id, state });
    res.end();
  };
  const poll = (): void => {
    if (closed) return;
    const current = ctx.store.tasks.get(task.id);
    const path = current?.logPath ?? task.logPath;
    if (path && follower?.path !== path) follower = new FileFollower(path);
    for (const line of follower?.poll() ?? []) send("log", { line });
    if (!current || isTerminalTaskState(current.state)) {
      finish(current?.state ?? "DELETED");
      return;
    }
    sinceBeat += pollMs;
    if (sinceBeat >= 15_000) {
      sinceBeat = 0;
      res.write(": keep-alive\n\n");
    }
  };
  const timer = setInterval(poll, pollMs);
  req.raw.on("close", () => {
    closed = true;
    clearInterval(timer);
  });
  poll();
}

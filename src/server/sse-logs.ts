/**
 * Task logs: the last lines of a task's log file, and live streaming of a log as
 * Server-Sent Events (`event: log` per line, `event: end` once the task has finished and
 * the file is drained). The file is polled, so logs of runs executed by another process
 * on this machine stream too.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import type { FastifyReply, FastifyRequest } from "fastify";
import { isTerminalTaskState } from "../ir/index.ts";
import type { Task } from "../store/index.ts";
import type { ServerContext } from "./context.ts";

/**
 * Opens a log file for reading without following a symbolic link (a task that replaced
 * its log with a link to another file gets nothing served) and without blocking on a
 * FIFO; undefined when there is no regular file.
 */
function openLog(path: string): { fd: number; size: number } | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    return undefined;
  }
  return { fd, size: st.size };
}

function readFrom(path: string, offset: number, from?: (size: number) => number): { text: string; size: number } {
  const log = openLog(path);
  if (!log) return { text: "", size: offset };
  try {
    const start = from ? from(log.size) : offset;
    if (log.size <= start) return { text: "", size: log.size };
    const buf = Buffer.alloc(log.size - start);
    readSync(log.fd, buf, 0, buf.length, start);
    return { text: buf.toString("utf8"), size: log.size };
  } finally {
    closeSync(log.fd);
  }
}

/** The last `n` lines of a log file (`[]` when there is none yet). */
export function tailLog(path: string | undefined, n: number): string[] {
  if (!path) return [];
  const { text } = readFrom(path, 0, (size) => Math.max(0, size - 1024 * 1024));
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.slice(-n);
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
  let offset = 0;
  let partial = "";
  let closed = false;
  let sinceBeat = 0;
  const send = (event: string, data: unknown): void => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const finish = (state: string): void => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    if (partial !== "") send("log", { line: partial });
    send("end", { task_id: task.id, state });
    res.end();
  };
  const poll = (): void => {
    if (closed) return;
    const current = ctx.store.tasks.get(task.id);
    const path = current?.logPath ?? task.logPath;
    if (path) {
      const { text, size } = readFrom(path, offset);
      offset = size;
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) send("log", { line });
    }
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

/**
 * Runs one task process: argv without a shell, in its own process group so that
 * cancellation and timeouts kill the whole tree (SIGTERM, then SIGKILL after a grace
 * period); stdout and stderr go to a log file as they arrive.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { onAbort } from "./abort.ts";
import { EngineError } from "./errors.ts";

/** How a task process ended. */
export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the command could not be started (e.g. ENOENT). */
  spawnError?: NodeJS.ErrnoException;
  timedOut: boolean;
  canceled: boolean;
  stderrTail: string[];
  pid?: number;
}

/** What to run. */
export interface ProcessRequest {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  logPath: string;
  signal: AbortSignal;
  timeoutMs?: number;
  killGraceMs: number;
  onSpawn?: (child: ChildProcess) => void;
  onLine?: (stream: "stdout" | "stderr", line: string) => void;
}

const TAIL = 20;

/** Kills a process group: SIGTERM now, SIGKILL after `graceMs` if it is still alive. */
export function killTree(pid: number, graceMs: number): void {
  const send = (sig: NodeJS.Signals): boolean => {
    try {
      process.kill(-pid, sig);
      return true;
    } catch {
      try {
        process.kill(pid, sig);
        return true;
      } catch {
        return false;
      }
    }
  };
  if (!send("SIGTERM")) return;
  const t = setTimeout(() => send("SIGKILL"), graceMs);
  t.unref();
}

function lineSplitter(stream: "stdout" | "stderr", req: ProcessRequest, tail: string[]): (chunk: Buffer) => void {
  let partial = "";
  return (chunk) => {
    const text = partial + chunk.toString("utf8");
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    for (const l of lines) {
      if (stream === "stderr") {
        tail.push(l);
        if (tail.length > TAIL) tail.shift();
      }
      req.onLine?.(stream, l);
    }
  };
}

const APPEND_NO_FOLLOW = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW;

/**
 * Appends to a log file, creating it; a symbolic link put in its place is refused
 * (`ELOOP`), never written through.
 */
export function appendNoFollow(logPath: string, text: string): void {
  fs.mkdirSync(path.dirname(logPath), { recursive: true });
  let fd: number;
  try {
    fd = fs.openSync(logPath, APPEND_NO_FOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ELOOP") throw e;
    throw new EngineError(
      "PATH_UNSAFE",
      `log file ${logPath} is a symbolic link; logs are never written through a link, so remove it and retry the run`,
    );
  }
  try {
    fs.writeSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
}

/** Spawns the process and resolves when it has exited and its output is flushed. */
export function runProcess(req: ProcessRequest): Promise<ProcessOutcome> {
  fs.mkdirSync(path.dirname(req.logPath), { recursive: true });
  const log = fs.createWriteStream(req.logPath, { fd: fs.openSync(req.logPath, APPEND_NO_FOLLOW) });
  const stderrTail: string[] = [];
  return new Promise<ProcessOutcome>((resolve) => {
    let timedOut = false;
    let canceled = false;
    const [cmd, ...args] = req.argv;
    const child = spawn(cmd ?? "", args, {
      cwd: req.cwd,
      env: req.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let timer: NodeJS.Timeout | undefined;
    let offAbort = (): void => {};
    const cancel = (): void => {
      canceled = true;
      if (child.pid) killTree(child.pid, req.killGraceMs);
    };
    let settled = false;
    const finish = (o: Omit<ProcessOutcome, "stderrTail" | "timedOut" | "canceled">): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      offAbort();
      // As when a container's main process ends: whatever it left behind in its group dies.
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // the group is already gone
        }
      }
      log.end(() => resolve({ ...o, timedOut, canceled, stderrTail }));
    };
    child.on("error", (e: NodeJS.ErrnoException) => finish({ exitCode: null, signal: null, spawnError: e }));
    if (child.pid === undefined) return; // 'error' follows
    req.onSpawn?.(child);
    const splitOut = lineSplitter("stdout", req, stderrTail);
    const splitErr = lineSplitter("stderr", req, stderrTail);
    child.stdout?.on("data", (c: Buffer) => {
      log.write(c);
      splitOut(c);
    });
    child.stderr?.on("data", (c: Buffer) => {
      log.write(c);
      splitErr(c);
    });
    offAbort = onAbort(req.signal, cancel);
    if (req.timeoutMs && req.timeoutMs > 0) {
      timer = setTimeout(() => {
        timedOut = true;
        if (child.pid) killTree(child.pid, req.killGraceMs);
      }, req.timeoutMs);
    }
    child.on("exit", (code, sig) => {
      // A grandchild may keep the pipes open after the task exits; do not wait for it forever.
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish({ exitCode: code, signal: sig, ...(child.pid !== undefined ? { pid: child.pid } : {}) });
      }, 2000).unref();
    });
    child.on("close", (code, sig) =>
      finish({ exitCode: code, signal: sig, ...(child.pid !== undefined ? { pid: child.pid } : {}) }),
    );
  });
}

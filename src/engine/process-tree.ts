/**
 * Runs one task process: argv without a shell, in its own process group so that
 * cancellation and timeouts kill the whole tree (SIGTERM, then SIGKILL after a grace
 * period); stdout and stderr go to a log file as they arrive. A watchdog process kills
 * the groups of every task still running when this process dies, even by SIGKILL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { onAbort } from "./abort.ts";
import { TaskError } from "./errors.ts";

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

/**
 * The watchdog: a small detached node process reading "+<pgid>" / "-<pgid>" lines on
 * its stdin, a pipe only this process holds. When this process dies, however it dies,
 * the kernel closes the pipe; the watchdog then sends SIGTERM to every group still
 * registered, SIGKILL 2 s later, and exits. It ignores SIGINT and SIGHUP, so a Ctrl-C
 * or a closed terminal reaches the owner, which cancels or hands over its runs itself.
 */
const WATCHDOG = `
const groups = new Set();
let buf = "";
process.on("SIGINT", () => {});
process.on("SIGHUP", () => {});
const send = (sig) => { for (const g of groups) { try { process.kill(-g, sig); } catch {} } };
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => {
  buf += d;
  for (let i = buf.indexOf("\\n"); i >= 0; i = buf.indexOf("\\n")) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    const g = Number(line.slice(1));
    if (!Number.isInteger(g) || g <= 1) continue;
    if (line[0] === "+") groups.add(g); else groups.delete(g);
  }
});
process.stdin.on("end", () => {
  if (groups.size === 0) process.exit(0);
  send("SIGTERM");
  setTimeout(() => { send("SIGKILL"); process.exit(0); }, 2000);
});
process.stdin.resume();
`;

let watchdog: ChildProcess | null | undefined;

function tellWatchdog(line: string): void {
  if (watchdog === undefined) {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    try {
      const w = spawn(process.execPath, ["-e", WATCHDOG], { detached: true, stdio: ["pipe", "ignore", "ignore"], env });
      w.on("error", () => {
        watchdog = null;
      });
      w.on("exit", () => {
        watchdog = null;
      });
      w.stdin?.on("error", () => {
        watchdog = null;
      });
      w.unref();
      (w.stdin as unknown as { unref?: () => void } | null)?.unref?.();
      watchdog = w;
    } catch {
      watchdog = null;
    }
  }
  if (watchdog?.stdin?.writable) watchdog.stdin.write(`${line}\n`);
}

/** The watchdog's pid, once started (tests check that it is not left behind). */
export function watchdogPid(): number | undefined {
  return watchdog?.pid;
}

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
    throw new TaskError(
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
        tellWatchdog(`-${child.pid}`);
      }
      log.end(() => resolve({ ...o, timedOut, canceled, stderrTail }));
    };
    child.on("error", (e: NodeJS.ErrnoException) => finish({ exitCode: null, signal: null, spawnError: e }));
    if (child.pid === undefined) return; // 'error' follows
    tellWatchdog(`+${child.pid}`);
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

/**
 * Reading task log files (the CLI's `weft runs logs` and the server's log routes): the last lines of a file, and following a file as it grows.
 * A log is opened without following a symbolic link and only read when it is a regular
 * file, so a task that replaced its log with a link shows nothing of the link's target.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

/** Opens a regular log file without following a link or blocking on a FIFO; undefined otherwise. */
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

/**
 * The last `n` lines of a text file (reading at most its last `maxBytes`, 256 KiB by
 * default); `[]` when absent.
 */
export function tailLines(path: string | undefined, n: number, maxBytes = 256 * 1024): string[] {
  const log = path ? openLog(path) : undefined;
  if (!log) return [];
  const len = Math.min(log.size, maxBytes);
  const buf = Buffer.alloc(len);
  try {
    readSync(log.fd, buf, 0, len, log.size - len);
  } finally {
    closeSync(log.fd);
  }
  const lines = buf.toString("utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.slice(-n);
}

/**
 * Follows one file: each {@link FileFollower.poll} returns the complete lines appended
 * since the previous poll (a trailing partial line is kept until it ends or
 * {@link FileFollower.flush} is called).
 */
export class FileFollower {
  private offset = 0;
  private partial = "";

  constructor(readonly path: string) {}

  /** New complete lines since the last call. */
  poll(): string[] {
    const log = openLog(this.path);
    if (!log) return [];
    const size = log.size;
    let buf: Buffer;
    try {
      if (size < this.offset) this.offset = 0; // truncated: start over
      if (size === this.offset) return [];
      buf = Buffer.alloc(size - this.offset);
      readSync(log.fd, buf, 0, buf.length, this.offset);
    } finally {
      closeSync(log.fd);
    }
    this.offset = size;
    const text = this.partial + buf.toString("utf8");
    const lines = text.split("\n");
    this.partial = lines.pop() ?? "";
    return lines;
  }

  /** What {@link poll} returns, plus the unterminated last line if any. */
  flush(): string[] {
    const lines = this.poll();
    if (this.partial !== "") {
      lines.push(this.partial);
      this.partial = "";
    }
    return lines;
  }
}

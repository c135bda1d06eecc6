/**
 * Reading task log files: the last lines of a file, and following a file as it grows.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";

/** The last `n` lines of a text file (reads at most the last 256 KiB); `[]` when absent. */
export function tailLines(path: string | undefined, n: number): string[] {
  if (!path || !existsSync(path)) return [];
  const size = statSync(path).size;
  const len = Math.min(size, 256 * 1024);
  const buf = Buffer.alloc(len);
  const fd = openSync(path, "r");
  try {
    readSync(fd, buf, 0, len, size - len);
  } finally {
    closeSync(fd);
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
    if (!existsSync(this.path)) return [];
    const size = statSync(this.path).size;
    if (size < this.offset) this.offset = 0; // truncated: start over
    if (size === this.offset) return [];
    const buf = Buffer.alloc(size - this.offset);
    const fd = openSync(this.path, "r");
    try {
      readSync(fd, buf, 0, buf.length, this.offset);
    } finally {
      closeSync(fd);
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

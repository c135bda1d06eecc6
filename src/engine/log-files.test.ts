import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileFollower, tailLines } from "./log-files.ts";

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "weft-logs-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("log files", () => {
  it("returns the last n lines, or none for a missing file", () => {
    const f = join(tmp(), "a.log");
    writeFileSync(f, Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join("\n") + "\n");
    expect(tailLines(f, 3)).toEqual(["line 28", "line 29", "line 30"]);
    expect(tailLines(join(tmp(), "none.log"), 3)).toEqual([]);
    expect(tailLines(undefined, 3)).toEqual([]);
  });

  it("follows a growing file line by line, holding back a partial line", () => {
    const f = join(tmp(), "b.log");
    const follower = new FileFollower(f);
    expect(follower.poll()).toEqual([]);
    writeFileSync(f, "one\ntw");
    expect(follower.poll()).toEqual(["one"]);
    appendFileSync(f, "o\nthree");
    expect(follower.poll()).toEqual(["two"]);
    expect(follower.poll()).toEqual([]);
    expect(follower.flush()).toEqual(["three"]);
    expect(follower.flush()).toEqual([]);
  });
});

/**
 * `weft run` shows a task's output lines while the task runs, under the task's name; `--quiet`
 * leaves them out and `--json` keeps its own log events. The task waits for a file the test
 * creates only after it has read the first line from weft's stdout, so the line is shown
 * before the task finishes without any timing.
 */
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  collect,
  HAS_SCRIPT,
  jsonLines,
  plainText,
  type Sandbox,
  sandbox,
  shPipeline,
  spawnWeft,
  spawnWeftInTerminal,
  waitFor,
} from "./helpers.ts";

describe("weft run streams task output", () => {
  let box: Sandbox;
  let file = "";
  const release = () => join(box.dir, "release");
  beforeAll(() => {
    box = sandbox();
    file = box.write(
      "slow.yaml",
      shPipeline("slow", [
        {
          name: "slow",
          cache: false,
          script: `echo "first line"; echo "a warning" >&2; while [ ! -e '${join(box.dir, "release")}' ]; do sleep 0.05; done; echo "second line"`,
        },
      ]),
    );
  });
  afterAll(() => box.cleanup());

  it("prints each line under the task before the task finishes", async () => {
    const child = spawnWeft(box.home, ["run", file]);
    let stdout = "";
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    const done = collect(child);
    await waitFor("the task's first line on weft's stdout", () =>
      stdout.includes("  [slow] first line\n") ? true : undefined,
    );
    // the task is still waiting: nothing after its first lines has been printed
    expect(existsSync(release())).toBe(false);
    expect(stdout).not.toContain("second line");
    expect(stdout).not.toContain("SUCCEEDED");
    writeFileSync(release(), "");
    const r = await done;
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    const running = lines.findIndex((l) => / slow RUNNING$/.test(l));
    const first = lines.indexOf("  [slow] first line");
    const succeeded = lines.findIndex((l) => / slow SUCCEEDED /.test(l));
    expect(running).toBeGreaterThanOrEqual(0);
    expect(first).toBeGreaterThan(running);
    expect(lines).toContain("  [slow] a warning");
    expect(lines.indexOf("  [slow] second line")).toBeGreaterThan(first);
    expect(succeeded).toBeGreaterThan(lines.indexOf("  [slow] second line"));
  });

  it("--quiet leaves the task's lines out, --json keeps them as log events only", async () => {
    writeFileSync(release(), "");
    const quiet = await collect(spawnWeft(box.home, ["run", file, "--quiet"]));
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toMatch(/ slow SUCCEEDED /);
    expect(quiet.stdout).not.toContain("first line");
    const json = await collect(spawnWeft(box.home, ["run", file, "--json"]));
    expect(json.code).toBe(0);
    const events = jsonLines(json.stdout);
    expect(events.filter((e) => e.type === "log").map((e) => e.line)).toEqual(
      expect.arrayContaining(["first line", "a warning", "second line"]),
    );
    expect(json.stdout).not.toContain("[slow]");
  });

  it.skipIf(!HAS_SCRIPT)("in a terminal, prints the lines above the live tree while the task runs", async () => {
    rmSync(release(), { force: true });
    const child = spawnWeftInTerminal(box.home, ["run", file]);
    let stdout = "";
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    const done = collect(child);
    await waitFor("the task's first line in the terminal", () =>
      plainText(stdout).includes("[slow] first line") ? true : undefined,
    );
    expect(plainText(stdout)).not.toContain("second line");
    writeFileSync(release(), "");
    const r = await done;
    expect(r.code).toBe(0);
    const text = plainText(r.stdout);
    // printed once each, before the final tree and the summary
    expect(text.split("[slow] first line")).toHaveLength(2);
    expect(text.indexOf("[slow] second line")).toBeGreaterThan(text.indexOf("[slow] first line"));
    expect(text.indexOf("Run ")).toBeGreaterThan(text.indexOf("[slow] second line"));
  });
});

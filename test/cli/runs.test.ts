import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { type Sandbox, sandbox, shPipeline, weft } from "./helpers.ts";

const twoStep = shPipeline(
  "two-step-cli",
  [
    {
      name: "make",
      params: { word: "word" },
      outputs: ["out"],
      script: 'mkdir -p "$(dirname "$2")" && printf "%s" "$1" > "$2" && echo "making $1" && echo "warn from make" >&2',
    },
    { name: "show", fromTask: { value: ["make", "out"] }, script: 'echo "showing $1"' },
  ],
  { word: { type: "STRING", default: "apple" } },
);

describe("weft runs list/get/logs and experiments list", () => {
  let box: Sandbox;
  let runId = "";
  let secondId = "";
  beforeAll(async () => {
    box = sandbox();
    const file = box.write("two.yaml", twoStep);
    const r = await weft(box.home, ["run", file, "--experiment", "fruits", "--run-name", "apple-run"]);
    expect(r.code).toBe(0);
    runId = /Run ([0-9a-f-]{36}) SUCCEEDED/.exec(r.stdout)?.[1] ?? "";
    const r2 = await weft(box.home, ["run", file, "--param", "word=pear", "--run-name", "pear-run"]);
    expect(r2.code).toBe(0);
    secondId = /Run ([0-9a-f-]{36}) SUCCEEDED/.exec(r2.stdout)?.[1] ?? "";
  });
  afterAll(() => box.cleanup());

  it("lists runs newest first, filtered by experiment and state", async () => {
    const all = await weft(box.home, ["runs", "list"]);
    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^RUN ID\s+NAME\s+STATE/);
    expect(lines[1]).toContain(secondId);
    expect(lines[2]).toContain(runId);
    expect(lines[2]).toMatch(/apple-run\s+SUCCEEDED/);
    const fruits = JSON.parse((await weft(box.home, ["runs", "list", "--experiment", "fruits", "--json"])).stdout);
    expect(fruits.runs.map((r: { id: string }) => r.id)).toEqual([runId]);
    const failed = JSON.parse((await weft(box.home, ["runs", "list", "--state", "failed", "--json"])).stdout);
    expect(failed.runs).toEqual([]);
    const bad = await weft(box.home, ["runs", "list", "--state", "GREEN"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--state "GREEN" is not a run state/);
    const limited = JSON.parse((await weft(box.home, ["runs", "list", "--limit", "1", "--json"])).stdout);
    expect(limited.runs).toHaveLength(1);
    expect(limited.totalSize).toBe(2);
  });

  it("shows a run's tasks with state, attempts and cache decision", async () => {
    const r = await weft(box.home, ["runs", "get", runId]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Run apple-run (${runId})`);
    expect(r.stdout).toMatch(/experiment\s+fruits/);
    expect(r.stdout).toMatch(/make\s+SUCCEEDED\s+\S+\s+1\s+miss/);
    expect(r.stdout).toMatch(/show\s+SUCCEEDED/);
    const byName = await weft(box.home, ["runs", "get", "pear-run", "--json"]);
    const doc = JSON.parse(byName.stdout);
    expect(doc.run.id).toBe(secondId);
    expect(doc.run.parameters).toEqual({ word: "pear" });
    const make = doc.tasks.find((t: { name: string }) => t.name === "make");
    expect(make).toMatchObject({ state: "SUCCEEDED", attempts: 1, cache: "miss" });
    expect(typeof make.cacheExplanation).toBe("string");
    const prefix = await weft(box.home, ["runs", "get", runId.slice(0, 8), "--json"]);
    expect(JSON.parse(prefix.stdout).run.id).toBe(runId);
    const unknown = await weft(box.home, ["runs", "get", "no-such-run"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no run with id or name "no-such-run"/);
  });

  it("prints the logs of one task or all tasks", async () => {
    const one = await weft(box.home, ["runs", "logs", runId, "make"]);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain("making apple");
    expect(one.stdout).toContain("warn from make");
    expect(one.stdout).not.toContain("showing");
    const all = await weft(box.home, ["runs", "logs", runId]);
    expect(all.stdout).toMatch(/\[make\] making apple/);
    expect(all.stdout).toMatch(/\[show\] showing apple/);
    const followed = await weft(box.home, ["runs", "logs", runId, "show", "-f"]);
    expect(followed.code).toBe(0);
    expect(followed.stdout).toContain("showing apple");
    const typo = await weft(box.home, ["runs", "logs", runId, "mkae"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/has no task "mkae"; its tasks are: make, show/);
  });

  it("lists experiments with run counts", async () => {
    const r = await weft(box.home, ["experiments", "list", "--json"]);
    expect(r.code).toBe(0);
    const byName = Object.fromEntries(
      JSON.parse(r.stdout).experiments.map((e: { name: string; runCount: number }) => [e.name, e.runCount]),
    );
    expect(byName).toEqual({ fruits: 1, Default: 1 });
    const text = await weft(box.home, ["experiments", "list"]);
    expect(text.stdout).toMatch(/fruits\s+1/);
  });
});

describe("weft runs get of a failed run", () => {
  it("shows a failed task's error code, message and action", async () => {
    const box = sandbox();
    onTestFinished(() => box.cleanup());
    const file = box.write(
      "fails.yaml",
      shPipeline("fails-cli", [{ name: "boom", script: "echo broken >&2; exit 5" }]),
    );
    const r = await weft(box.home, ["run", file, "--run-name", "boom-run"]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/\[EXIT_NONZERO\] task 'root\/boom' exited with 5/);
    const got = await weft(box.home, ["runs", "get", "boom-run"]);
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/root\/boom: \[EXIT_NONZERO\] task 'root\/boom' exited with 5/);
    expect(got.stdout).toMatch(/action: read the task's log/);
    expect(got.stdout).toMatch(/\[TASK_FAILED\]/);
    const doc = JSON.parse((await weft(box.home, ["runs", "get", "boom-run", "--json"])).stdout);
    const boom = doc.tasks.find((t: { name: string }) => t.name === "boom");
    expect(boom).toMatchObject({ state: "FAILED", errorCode: "EXIT_NONZERO", exitCode: 5 });
    expect(doc.run.error).toMatchObject({ code: "TASK_FAILED", action: expect.stringContaining("weft runs retry") });
  });
});

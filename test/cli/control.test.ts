import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  collect,
  HAS_SCRIPT,
  plainText,
  type Sandbox,
  sandbox,
  shPipeline,
  spawnWeft,
  spawnWeftInTerminal,
  waitFor,
  weft,
} from "./helpers.ts";

interface RunRow {
  id: string;
  state: string;
}
interface TaskRow {
  name: string;
  state: string;
}

async function runsOf(home: string): Promise<RunRow[]> {
  const r = await weft(home, ["runs", "list", "--json"]);
  return r.code === 0 ? (JSON.parse(r.stdout).runs as RunRow[]) : [];
}

async function tasksOf(home: string, runId: string): Promise<TaskRow[]> {
  const r = await weft(home, ["runs", "get", runId, "--json"]);
  return r.code === 0 ? (JSON.parse(r.stdout).tasks as TaskRow[]) : [];
}

describe("cancel, Ctrl-C, and resume after the CLI was killed", () => {
  let box: Sandbox;
  beforeAll(() => {
    box = sandbox();
  });
  afterAll(() => box.cleanup());

  it("cancels a run executing in another process", async () => {
    const home = join(box.dir, "cancel");
    const file = box.write("sleepy.yaml", shPipeline("sleepy", [{ name: "nap", script: "echo napping; sleep 60" }]));
    const child = spawnWeft(home, ["run", file]);
    const done = collect(child);
    const run = await waitFor("the run to be RUNNING", async () =>
      (await runsOf(home)).find((r) => r.state === "RUNNING"),
    );
    await waitFor("nap to start", async () =>
      (await tasksOf(home, run.id)).some((t) => t.name === "nap" && t.state === "RUNNING") ? true : undefined,
    );
    const started = Date.now();
    const cancel = await weft(home, ["runs", "cancel", run.id]);
    expect(cancel.stdout).toContain(`cancel requested for run ${run.id}`);
    expect(cancel.stdout).toContain(`run ${run.id} CANCELED`);
    expect(cancel.code).toBe(0);
    const r = await done;
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Run [0-9a-f-]{36} CANCELED/);
    const again = await weft(home, ["runs", "cancel", run.id]);
    expect(again.stdout).toContain("already ended: CANCELED");
  });

  it("turns Ctrl-C (SIGINT) into a recorded cancellation and exits 130", async () => {
    const home = join(box.dir, "sigint");
    const file = box.write("sleepy2.yaml", shPipeline("sleepy2", [{ name: "nap", script: "sleep 60" }]));
    const child = spawnWeft(home, ["run", file]);
    const done = collect(child);
    const run = await waitFor("the run to be RUNNING", async () =>
      (await runsOf(home)).find((r) => r.state === "RUNNING"),
    );
    await waitFor("nap to start", async () =>
      (await tasksOf(home, run.id)).some((t) => t.name === "nap" && t.state === "RUNNING") ? true : undefined,
    );
    child.kill("SIGINT");
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain(`canceling run ${run.id}`);
    const [after] = await runsOf(home);
    expect(after).toMatchObject({ id: run.id, state: "CANCELED" });
  });

  it("resumes with `weft runs retry` after `weft run` was SIGKILLed, without redoing finished tasks", async () => {
    const home = join(box.dir, "kill");
    const marks = join(box.dir, "marks.txt");
    const gate = join(box.dir, "gate");
    const file = box.write(
      "resume.yaml",
      shPipeline("resume", [
        { name: "first", script: `echo first >> ${marks}` },
        // waits for the gate file, so the test decides when the second task may finish
        {
          name: "second",
          after: ["first"],
          script: `echo second >> ${marks}; i=0; while [ ! -f ${gate} ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done`,
        },
        { name: "third", after: ["second"], script: `echo third >> ${marks}` },
      ]),
    );
    const child = spawnWeft(home, ["run", file]);
    const done = collect(child);
    const run = await waitFor("the run to be RUNNING", async () =>
      (await runsOf(home)).find((r) => r.state === "RUNNING"),
    );
    await waitFor("second to start", async () =>
      (await tasksOf(home, run.id)).some((t) => t.name === "second" && t.state === "RUNNING") ? true : undefined,
    );
    child.kill("SIGKILL");
    const killed = await done;
    expect(killed.signal).toBe("SIGKILL");
    expect(readFileSync(marks, "utf8")).toBe("first\nsecond\n");
    writeFileSync(gate, "open");
    const retry = await weft(home, ["runs", "retry", run.id]);
    expect(retry.stderr).toBe("");
    expect(retry.code).toBe(0);
    expect(retry.stdout).toMatch(new RegExp(`Run ${run.id} SUCCEEDED`));
    const lines = readFileSync(marks, "utf8").trim().split("\n");
    expect(lines.filter((l) => l === "first")).toHaveLength(1);
    expect(lines.filter((l) => l === "third")).toHaveLength(1);
    const tasks = await tasksOf(home, run.id);
    expect(tasks.filter((t) => t.name !== "root").map((t) => [t.name, t.state])).toEqual(
      expect.arrayContaining([
        ["first", "SUCCEEDED"],
        ["second", "SUCCEEDED"],
        ["third", "SUCCEEDED"],
      ]),
    );
    const again = await weft(home, ["runs", "retry", run.id]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already SUCCEEDED/);
  });

  it("follows the logs of a live run with -f until it finishes", async () => {
    const home = join(box.dir, "follow");
    const file = box.write(
      "talker.yaml",
      shPipeline("talker", [
        { name: "talk", script: 'for i in 1 2 3 4 5 6 7 8; do echo "tick $i"; sleep 0.4; done; echo "bye" >&2' },
      ]),
    );
    const child = spawnWeft(home, ["run", file]);
    const done = collect(child);
    const run = await waitFor("the run to be recorded", async () => (await runsOf(home))[0]);
    const followed = await weft(home, ["runs", "logs", run.id, "talk", "-f"]);
    const r = await done;
    expect(r.code).toBe(0);
    expect(followed.code).toBe(0);
    const ticks = Array.from({ length: 8 }, (_, i) => `tick ${i + 1}`);
    expect(followed.stdout.trim().split("\n")).toEqual([...ticks, "bye"]);
  });

  it.skipIf(!HAS_SCRIPT)("cancels on Ctrl-C typed in a terminal, with the notice inside the live tree", async () => {
    const home = join(box.dir, "tty-ctrl-c");
    const file = box.write("sleepy3.yaml", shPipeline("sleepy3", [{ name: "nap", script: "sleep 60" }]));
    const child = spawnWeftInTerminal(home, ["run", file]);
    const done = collect(child);
    const run = await waitFor("the run to be RUNNING", async () =>
      (await runsOf(home)).find((r) => r.state === "RUNNING"),
    );
    await waitFor("nap to start", async () =>
      (await tasksOf(home, run.id)).some((t) => t.name === "nap" && t.state === "RUNNING") ? true : undefined,
    );
    child.stdin?.write("\x03");
    const r = await done;
    expect(r.code).toBe(130);
    const text = plainText(r.stdout);
    expect(text).toContain(`canceling run ${run.id} (Ctrl-C again to exit at once)`);
    expect(text).toMatch(/⊘ nap\s+canceled/);
    expect(text).toContain(`Run ${run.id} CANCELED`);
    const [after] = await runsOf(home);
    expect(after).toMatchObject({ id: run.id, state: "CANCELED" });
  });
});

/**
 * `weft run` and signals, with real processes: SIGTERM and SIGINT cancel the run and say
 * how to resume it; SIGKILL of `weft run` takes its task processes with it.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.ts";
import { collect, type Sandbox, sandbox, shPipeline, spawnWeft, waitFor } from "../cli/helpers.ts";

let box: Sandbox | undefined;
afterEach(() => {
  box?.cleanup();
  box = undefined;
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readPid(file: string): number | undefined {
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : "";
  return text === "" ? undefined : Number(text);
}

/** `first` writes its pid and a grandchild's, then sleeps; `second` runs after it; `quick` finishes at once. */
function pipeline(b: Sandbox): { file: string; taskPid: string; grandchildPid: string; secondRan: string } {
  const taskPid = path.join(b.dir, "task.pid");
  const grandchildPid = path.join(b.dir, "grandchild.pid");
  const secondRan = path.join(b.dir, "second.ran");
  const file = b.write(
    "p.yaml",
    shPipeline("signals", [
      { name: "quick", script: "echo quick" },
      {
        name: "first",
        script: `sleep 60 & echo $! > ${grandchildPid}; echo $$ > ${taskPid}; wait`,
        after: ["quick"],
        cache: false,
      },
      { name: "second", script: `touch ${secondRan}`, after: ["first"], cache: false },
    ]),
  );
  return { file, taskPid, grandchildPid, secondRan };
}

describe("weft run and signals", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`on ${signal} cancels the run, starts nothing more, keeps finished tasks and says how to resume`, async () => {
      box = sandbox();
      const p = pipeline(box);
      const child = spawnWeft(box.home, ["run", p.file]);
      const result = collect(child);
      const task = await waitFor("the task to start", () => readPid(p.taskPid));
      const grandchild = await waitFor("the grandchild to start", () => readPid(p.grandchildPid));
      child.kill(signal);
      const r = await result;
      expect(r.code).toBe(130);
      const store = openStore(box.home);
      try {
        const run = store.runs.list().items[0];
        expect(run?.state).toBe("CANCELED");
        expect(r.stderr).toContain(`resume it with 'weft runs retry ${run?.id}'`);
        const tasks = new Map(store.tasks.listByRun(run?.id ?? "").map((t) => [t.name, t.state]));
        expect(tasks.get("quick")).toBe("SUCCEEDED");
        expect(tasks.get("first")).toBe("CANCELED");
        expect(fs.existsSync(p.secondRan)).toBe(false);
      } finally {
        store.close();
      }
      await waitFor("the task processes to die", () => (!alive(task) && !alive(grandchild) ? true : undefined), 10_000);
    }, 60_000);
  }

  it("on SIGKILL of weft run, its task process and the task's children die too", async () => {
    box = sandbox();
    const p = pipeline(box);
    const child = spawnWeft(box.home, ["run", p.file]);
    const result = collect(child);
    const task = await waitFor("the task to start", () => readPid(p.taskPid));
    const grandchild = await waitFor("the grandchild to start", () => readPid(p.grandchildPid));
    expect(alive(task) && alive(grandchild)).toBe(true);
    child.kill("SIGKILL");
    expect((await result).signal).toBe("SIGKILL");
    await waitFor("the task processes to die", () => (!alive(task) && !alive(grandchild) ? true : undefined), 10_000);
    expect(fs.existsSync(p.secondRan)).toBe(false);
  }, 60_000);
});

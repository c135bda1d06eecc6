/**
 * Acceptance: an experiment killed with SIGKILL mid-run resumes: the trials that finished
 * are kept as they were recorded, the ones it was running run again with their number and
 * params, and the experiment ends with exactly maxTrialCount trials. A second process
 * while the first runs is refused (TUNING_EXPERIMENT_BUSY); a changed spec under the same
 * name is TUNING_EXPERIMENT_CHANGED.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.ts";
import type { ExperimentSpec } from "../../src/tuning/types.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const CHILD = join(ROOT, "test/tuning/run-experiment-child.ts");
const dirs: string[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A command trial that sleeps `ms` then prints `loss=<x>`. */
function spec(name: string, ms: number): ExperimentSpec {
  return {
    name,
    space: { parameters: [{ name: "x", type: "double", min: 0, max: 1, distribution: "uniform" }] },
    objective: {
      metrics: [{ name: "loss", goal: "minimize" }],
      additionalMetricNames: [],
      strategies: { loss: "min" },
    },
    algorithm: { name: "random", settings: {}, seed: 3 },
    parallelTrialCount: 2,
    maxTrialCount: 6,
    resumePolicy: "Never",
    metricsCollector: { kind: "StdOut", filters: [] },
    trial: {
      kind: "command",
      command: [
        process.execPath,
        "-e",
        `setTimeout(() => console.log("loss=" + process.argv[1]), ${ms})`,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Katib's trial parameter placeholder
        "${trialParameters.x}",
      ],
      env: {},
      trialParameters: [{ name: "x", reference: "x" }],
    },
  };
}

function start(
  home: string,
  specFile: string,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, home, specFile], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, output: () => out, exited };
}

async function until(what: string, test: () => boolean, limitMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!test()) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function lastJson(text: string): Record<string, unknown> {
  const lines = text.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>;
}

describe("a tuning experiment killed with SIGKILL", () => {
  it("resumes: finished trials kept, running ones run again, exactly maxTrialCount trials", async () => {
    const home = mkdtempSync(join(tmpdir(), "weft-tune-resume-"));
    dirs.push(home);
    const specFile = join(home, "spec.json");
    writeFileSync(specFile, JSON.stringify(spec("killed", 700)));

    const first = start(home, specFile);
    // two trials done and two more running: kill it
    await until("two trials to succeed and two more to run", () => {
      const o = first.output();
      return (o.match(/ SUCCEEDED/g) ?? []).length >= 2 && /killed-[23] RUNNING/.test(o);
    });
    first.child.kill("SIGKILL");
    await first.exited;

    const store = openStore(home);
    let before: ReturnType<typeof store.tuning.listTrials>;
    try {
      const exp = store.tuning.getExperimentByName("killed");
      expect(exp).toMatchObject({ state: "RUNNING", ownerPid: first.child.pid });
      before = store.tuning.listTrials(exp?.id ?? "");
    } finally {
      store.close();
    }
    const finished = before.filter((t) => t.state === "SUCCEEDED");
    const interrupted = before.filter((t) => t.state === "RUNNING" || t.state === "PENDING");
    expect(finished.length).toBeGreaterThanOrEqual(2);
    expect(interrupted.length).toBeGreaterThanOrEqual(1);
    expect(existsSync(join(home, "tuning", "killed", "killed-0.log"))).toBe(true);
    // attempts each interrupted trial's log holds now (the kill may land between a trial
    // being recorded RUNNING and its log being opened)
    const attempts = (n: number): number => {
      const file = join(home, "tuning", "killed", `killed-${n}.log`);
      return existsSync(file) ? (readFileSync(file, "utf8").match(/^# killed-/gm)?.length ?? 0) : 0;
    };
    const attemptsBefore = interrupted.map((t) => attempts(t.number));

    const second = start(home, specFile);
    expect(await second.exited).toBe(0);
    expect(lastJson(second.output())).toEqual({ state: "SUCCEEDED", reason: "MaxTrialsReached", trials: 6 });

    const after = openStore(home);
    try {
      const exp = after.tuning.getExperimentByName("killed");
      expect(exp).toMatchObject({ state: "SUCCEEDED", reason: "MaxTrialsReached" });
      expect(exp?.ownerPid).toBeUndefined();
      const trials = after.tuning.listTrials(exp?.id ?? "");
      expect(trials.map((t) => t.number)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(trials.every((t) => t.state === "SUCCEEDED")).toBe(true);
      // the finished trials are the same rows: not run again
      for (const f of finished) expect(trials[f.number]).toEqual(f);
      // the interrupted ones ran again with their number and params
      for (const i of interrupted) {
        expect(trials[i.number]?.params).toEqual(i.params);
        expect(trials[i.number]?.values).toEqual([i.params.x]);
      }
      expect(exp?.bestTrial).toBe(
        trials.reduce((b, t) => ((t.values?.[0] ?? 9) < (b.values?.[0] ?? 9) ? t : b)).number,
      );
    } finally {
      after.close();
    }
    // the log of a trial run again keeps the first attempt's lines and adds the second's
    expect(interrupted.map((t) => attempts(t.number))).toEqual(attemptsBefore.map((n) => n + 1));
  }, 120_000);

  it("refuses a second process while the owner lives, and a changed spec under the same name", async () => {
    const home = mkdtempSync(join(tmpdir(), "weft-tune-busy-"));
    dirs.push(home);
    const specFile = join(home, "spec.json");
    writeFileSync(specFile, JSON.stringify(spec("busy", 3000)));
    const first = start(home, specFile);
    await until("a trial to run", () => / RUNNING/.test(first.output()));

    const second = start(home, specFile);
    expect(await second.exited).toBe(1);
    const busy = lastJson(second.output());
    expect(busy.error).toBe("TUNING_EXPERIMENT_BUSY");
    expect(busy.message).toContain(`pid ${first.child.pid}`);

    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);
    expect(lastJson(first.output())).toMatchObject({ state: "CANCELED", reason: "Canceled" });

    const changed = join(home, "changed.json");
    writeFileSync(changed, JSON.stringify({ ...spec("busy", 3000), maxTrialCount: 9 }));
    const third = start(home, changed);
    expect(await third.exited).toBe(1);
    const refused = lastJson(third.output());
    expect(refused.error).toBe("TUNING_EXPERIMENT_CHANGED");
    expect(refused.message).toContain("another metadata.name");
  }, 120_000);
});

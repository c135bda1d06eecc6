import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { testSpec } from "../../../test/tuning/runner-spec.ts";
import { processAlive } from "../../engine/owner.ts";
import type { ExperimentSpec, Sampler, TrialTemplate } from "../types.ts";
import { createMemoryJournal } from "./memory-journal.ts";
import { runExperiment } from "./run-experiment.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function home(): string {
  const d = mkdtempSync(join(tmpdir(), "weft-cmd-trial-"));
  dirs.push(d);
  return d;
}

/** A command trial running a Node script with the trial parameter x as its argument. */
function nodeTrial(script: string, env: Record<string, string> = {}): TrialTemplate {
  return {
    kind: "command",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Katib's trial parameter placeholder
    command: [process.execPath, "-e", script, "${trialParameters.lr}"],
    env,
    trialParameters: [{ name: "lr", reference: "x" }],
  };
}

const fixed = (x: number): Sampler => ({ name: "random", suggest: () => ({ kind: "trial", params: { x } }) });

describe("command trials", () => {
  it("substitute trial parameters, set the trial's env, read Katib's StdOut format from both streams and log to the home", async () => {
    const h = home();
    const script = [
      "const lr = process.argv[1];",
      "console.log('epoch 1: loss=0.9 accuracy=0.5');",
      "console.error('loss=0.4');",
      "console.log('Epoch 2 loss=0.6 and not-a-metric: loss is nan');",
      "const e = process.env;",
      "console.log(['lr=' + lr, 'trial=' + e.WEFT_TRIAL_NAME, 'n=' + e.WEFT_TRIAL_NUMBER, 'e=' + e.WEFT_EXPERIMENT, 'custom=' + e.CUSTOM].join(' '));",
    ].join("\n");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Katib's trial parameter placeholder
    const spec = testSpec(nodeTrial(script, { CUSTOM: "v-${trialParameters.lr}" }), {
      maxTrialCount: 1,
      objective: {
        metrics: [{ name: "loss", goal: "minimize" }],
        additionalMetricNames: ["accuracy"],
        strategies: { loss: "min", accuracy: "max" },
      },
    });
    const journal = createMemoryJournal();
    const result = await runExperiment(spec, { journal, home: h, sampler: fixed(0.25) });
    const t = result.trials[0];
    expect(t).toMatchObject({ state: "SUCCEEDED", values: [0.4], metrics: { loss: 0.4, accuracy: 0.5 } });
    expect(t?.intermediate.map((p) => p.value).sort()).toEqual([0.4, 0.6, 0.9]);
    const log = readFileSync(join(h, "tuning", "exp", "exp-0.log"), "utf8");
    expect(log).toContain("lr=0.25 trial=exp-0 n=0 e=exp custom=v-0.25");
    expect(log).toContain("epoch 1: loss=0.9 accuracy=0.5");
  });

  it("fail with METRICS_UNAVAILABLE saying what the output held and what to print", async () => {
    const script = "for (let i = 0; i < 3; i++) console.log('step ' + i + ': val_loss=0.' + i + ' acc=0.5');";
    const result = await runExperiment(testSpec(nodeTrial(script), { maxTrialCount: 1 }), {
      journal: createMemoryJournal(),
      sampler: fixed(0.1),
    });
    const t = result.trials[0];
    expect(t).toMatchObject({ state: "FAILED", reason: "METRICS_UNAVAILABLE" });
    expect(t?.message).toContain('Metric "loss" was not reported (StdOut collector');
    expect(t?.message).toContain("had 3 lines");
    expect(t?.message).toContain("val_loss (3)");
    expect(t?.message).toContain('did you mean "val_loss"');
    expect(t?.message).toContain('Print a line such as "loss=0.93"');
  });

  it("record a failure's exit code and last lines, and count it", async () => {
    const script = "console.log('loading'); console.error('Traceback: CUDA out of memory'); process.exit(3);";
    const result = await runExperiment(testSpec(nodeTrial(script), { maxTrialCount: 5, maxFailedTrialCount: 2 }), {
      journal: createMemoryJournal(),
    });
    expect(result).toMatchObject({ state: "FAILED", reason: "MaxFailedTrialsReached" });
    // two failed; a trial started meanwhile was canceled when the experiment failed
    expect(result.trials.filter((t) => t.state === "FAILED")).toHaveLength(2);
    expect(result.trials.filter((t) => t.state !== "FAILED").map((t) => t.state)).toEqual(
      result.trials.length > 2 ? ["CANCELED"] : [],
    );
    expect(result.trials[0]).toMatchObject({ state: "FAILED", reason: "TrialFailed" });
    expect(result.trials[0]?.message).toContain("exited with code 3");
    expect(result.trials[0]?.message).toContain("Traceback: CUDA out of memory");
  });

  it("say when the program cannot start", async () => {
    const spec = testSpec(
      { kind: "command", command: ["/nonexistent/train"], env: {}, trialParameters: [] },
      { maxTrialCount: 1 },
    );
    const result = await runExperiment(spec, { journal: createMemoryJournal() });
    expect(result.trials[0]?.message).toContain("could not start /nonexistent/train");
  });

  it("read a File collector's JSON lines when the trial has exited", async () => {
    const h = home();
    const script = [
      "const fs = require('node:fs');",
      "fs.writeFileSync('metrics.jsonl', JSON.stringify({ loss: 0.7, step: 0 }) + '\\n' + JSON.stringify({ loss: 0.3, step: 5 }) + '\\n');",
    ].join("\n");
    const spec: ExperimentSpec = testSpec(
      { ...(nodeTrial(script) as Extract<TrialTemplate, { kind: "command" }>), workingDir: h },
      { maxTrialCount: 1, metricsCollector: { kind: "File", path: "metrics.jsonl", format: "JSON", filters: [] } },
    );
    const result = await runExperiment(spec, { journal: createMemoryJournal() });
    expect(result.trials[0]).toMatchObject({
      state: "SUCCEEDED",
      values: [0.3],
      intermediate: [
        { step: 0, value: 0.7 },
        { step: 5, value: 0.3 },
      ],
    });
  });

  it("kill the trial's process group when the experiment is canceled", async () => {
    const h = home();
    const pidFile = join(h, "grandchild.pid");
    // the trial starts a grandchild that would outlive it, then waits
    const script = [
      "const { spawn } = require('node:child_process');",
      "const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });",
      `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(g.pid));`,
      "console.log('started');",
      "setInterval(() => {}, 1000);",
    ].join("\n");
    const controller = new AbortController();
    const running = runExperiment(testSpec(nodeTrial(script), { maxTrialCount: 1 }), {
      journal: createMemoryJournal(),
      signal: controller.signal,
    });
    while (!existsSync(pidFile) || readFileSync(pidFile, "utf8") === "") await new Promise((r) => setTimeout(r, 50));
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    expect(processAlive(grandchild)).toBe(true);
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ state: "CANCELED" });
    expect(result.trials[0]).toMatchObject({ state: "CANCELED", reason: "Canceled" });
    // the group got SIGTERM: the grandchild is gone (or a zombie of its killed parent)
    let alive = processAlive(grandchild);
    for (let i = 0; i < 100 && alive; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const stat = existsSync(`/proc/${grandchild}/stat`) ? readFileSync(`/proc/${grandchild}/stat`, "utf8") : "";
      alive = processAlive(grandchild) && !/\) Z /.test(stat);
    }
    expect(alive).toBe(false);
  });
});

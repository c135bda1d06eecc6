/**
 * `weft tune` end to end: real `weft` processes over a temporary home, a Katib Experiment
 * whose trials are Jobs running `node -e`, printing `loss=...` the way Katib's StdOut
 * collector reads it.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobExperimentYaml } from "../tuning/katib-yaml.ts";
import {
  collect,
  HAS_SCRIPT,
  plainText,
  ROOT,
  type Sandbox,
  sandbox,
  spawnWeft,
  waitFor,
  weft,
  weftInTerminal,
} from "./helpers.ts";

/**
 * A Katib Experiment: minimise (x - 1)^2 + y over a double and a discrete parameter; the
 * trial gets `x=<value>` and `y=<value>` as arguments (a bare negative number would be
 * read by node as an option).
 */
function experimentYaml(name: string, opts: { script?: string; max?: number; failures?: number } = {}): string {
  const script =
    opts.script ??
    "const [x, y] = process.argv.slice(1).map((a) => Number(a.slice(2))); console.log('loss=' + ((x - 1) ** 2 + y));";
  return jobExperimentYaml({
    name,
    script,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Katib\'s trial parameter placeholders
    args: ["x=${trialParameters.x}", "y=${trialParameters.y}"],
    parameters: [
      { name: "x", type: "double", min: -2, max: 2 },
      { name: "y", type: "discrete", list: [0, 0.5, 1] },
    ],
    randomState: 3,
    maxTrials: opts.max ?? 4,
    ...(opts.failures === undefined ? {} : { maxFailures: opts.failures }),
  });
}

interface TrialJson {
  number: number;
  name: string;
  state: string;
  params: { x: number; y: number };
  values?: number[];
  metrics: Record<string, number>;
  reason?: string;
  message?: string;
}

async function trialsOf(home: string, name: string, args: string[] = []): Promise<TrialJson[]> {
  const r = await weft(home, ["tune", "trials", name, "--json", ...args]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { trials: TrialJson[] }).trials;
}

describe("weft tune", () => {
  let box: Sandbox;
  beforeAll(() => {
    box = sandbox();
  });
  afterAll(() => box.cleanup());

  const file = (name: string, text: string): string => {
    const path = join(box.dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("runs a Katib experiment of command trials, then shows its status, trials and best", async () => {
    const home = join(box.dir, "basic");
    const path = file("quad.yaml", experimentYaml("quad"));
    const r = await weft(home, ["tune", path]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // plain lines (not a terminal): each trial's state changes, then the status
    expect(r.stdout).toMatch(/trial quad-0 RUNNING x=-?[\d.]+ y=[\d.]+/);
    expect(r.stdout).toMatch(/trial quad-0 SUCCEEDED loss=[\d.]+/);
    expect(r.stdout).toContain("experiment quad SUCCEEDED (MaxTrialsReached)");
    expect(r.stdout).toContain("4 trials of 4: 4 succeeded (2 in parallel)");

    const trials = await trialsOf(home, "quad");
    expect(trials.map((t) => t.number)).toEqual([0, 1, 2, 3]);
    for (const t of trials) {
      expect(t.state).toBe("SUCCEEDED");
      // the StdOut collector read what the trial printed for its own parameters
      expect(t.values?.[0]).toBeCloseTo((t.params.x - 1) ** 2 + t.params.y, 6);
      expect(t.metrics.loss).toBe(t.values?.[0]);
    }
    const losses = trials.map((t) => t.values?.[0] as number);
    const sorted = await trialsOf(home, "quad", ["--sort", "loss"]);
    expect(sorted.map((t) => t.values?.[0])).toEqual([...losses].sort((a, b) => a - b));
    const desc = await trialsOf(home, "quad", ["--sort", "loss desc"]);
    expect(desc.map((t) => t.values?.[0])).toEqual([...losses].sort((a, b) => b - a));

    const table = await weft(home, ["tune", "trials", "quad"]);
    expect(table.stdout.split("\n")[0]).toMatch(/^trial\s+state\s+x\s+y\s+loss\s+duration\s+note$/);

    const best = await weft(home, ["tune", "best", "quad", "--json"]);
    expect(best.code).toBe(0);
    const min = Math.min(...losses);
    expect(JSON.parse(best.stdout).best).toMatchObject({ values: [min] });
    const bestText = await weft(home, ["tune", "best", "quad"]);
    expect(bestText.stdout).toMatch(/^Best of quad: trial \d \(quad-\d\)\s+loss=/);
    expect(bestText.stdout).toMatch(/\n {2}x = -?[\d.]+\n {2}y = [\d.]+\n/);

    const status = await weft(home, ["tune", "status", "quad", "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({
      name: "quad",
      state: "SUCCEEDED",
      reason: "MaxTrialsReached",
      algorithm: "random",
      trials: 4,
      counts: { SUCCEEDED: 4 },
      best: { values: [min] },
    });

    // a second weft tune of the finished experiment keeps its trials and starts none
    const again = await weft(home, ["tune", path, "--json"]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ state: "SUCCEEDED", trials: 4 });
    expect((await trialsOf(home, "quad")).map((t) => t.values?.[0])).toEqual(losses);
  }, 60_000);

  it("takes --max-trials and --seed, and prints JSON with --json", async () => {
    const home = join(box.dir, "overrides");
    const path = file("over.yaml", experimentYaml("over"));
    const r = await weft(home, ["tune", path, "--max-trials", "2", "--parallel", "1", "--seed", "11", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ name: "over", state: "SUCCEEDED", trials: 2, experiment: "over" });
    expect(out.best.values).toHaveLength(1);
  }, 60_000);

  it("fails the experiment (exit 1) when trials report no objective, saying what the collector saw", async () => {
    const home = join(box.dir, "failing");
    const path = file("silent.yaml", experimentYaml("silent", { script: "console.log('accuracy=0.5')", failures: 1 }));
    const r = await weft(home, ["tune", path]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("experiment silent FAILED (MaxFailedTrialsReached)");
    const trials = await trialsOf(home, "silent");
    const failed = trials.filter((t) => t.state === "FAILED");
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]?.reason).toBe("METRICS_UNAVAILABLE");
    expect(failed[0]?.message).toContain("loss");
    expect(failed[0]?.message).toContain("accuracy");
  }, 60_000);

  it("refuses a bad experiment with the field named (exit 2) and an unknown experiment by name", async () => {
    const home = join(box.dir, "bad");
    const path = file("bad.yaml", experimentYaml("bad").replace("parameterType: double", "parameterType: float"));
    const r = await weft(home, ["tune", path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[TUNING_SPEC_[A-Z]+\]: .*bad\.yaml.*parameterType/);
    const missing = await weft(home, ["tune", join(box.dir, "nope.yaml")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error[EXPERIMENT_FILE_NOT_FOUND]");
    const unknown = await weft(home, ["tune", "status", "nothing-here"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error[TUNING_EXPERIMENT_NOT_FOUND]: no tuning experiment named "nothing-here"');
    const sort = await weft(join(box.dir, "basic"), ["tune", "trials", "quad", "--sort", "accuracy"]);
    expect(sort.code).toBe(2);
    expect(sort.stderr).toContain('no column "accuracy"; use one of number, state, duration, x, y, loss');
  }, 60_000);

  it("cancels on Ctrl-C (exit 130, trials killed and CANCELED), and a second weft tune resumes to exactly maxTrialCount", async () => {
    const home = join(box.dir, "cancel");
    // trials 0 and 1 finish at once; later ones sleep until the experiment is canceled
    const marker = join(box.dir, "cancel-slow");
    const script = `const fs = require('node:fs'); if (fs.existsSync(${JSON.stringify(marker)})) setTimeout(() => {}, 60000); else console.log('loss=' + Number(process.argv[1].slice(2)) ** 2);`;
    const path = file("slow.yaml", experimentYaml("slow", { script, max: 4 }));
    writeFileSync(marker, "");
    const child = spawnWeft(home, ["tune", path]);
    const done = collect(child);
    await waitFor("two trials to run", async () => {
      const r = await weft(home, ["tune", "trials", "slow", "--json"]);
      if (r.code !== 0) return undefined;
      const trials = (JSON.parse(r.stdout) as { trials: TrialJson[] }).trials;
      return trials.filter((t) => t.state === "RUNNING").length === 2 ? true : undefined;
    });
    child.kill("SIGINT");
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain(`resume it with 'weft tune ${path}'`);
    const status = JSON.parse((await weft(home, ["tune", "status", "slow", "--json"])).stdout);
    expect(status.state).toBe("CANCELED");
    const canceled = await trialsOf(home, "slow");
    expect(canceled.filter((t) => t.state === "CANCELED").length).toBe(2);

    rmSync(marker);
    const resumed = await weft(home, ["tune", path]);
    expect(resumed.code).toBe(0);
    const trials = await trialsOf(home, "slow");
    expect(trials.map((t) => t.number)).toEqual([0, 1, 2, 3]);
    expect(trials.every((t) => t.state === "SUCCEEDED")).toBe(true);
    // the canceled trials ran again with their numbers and parameters
    for (const t of canceled) expect(trials[t.number]?.params).toEqual(t.params);
  }, 90_000);

  it.runIf(HAS_SCRIPT)(
    "draws a live table of trials in a terminal",
    async () => {
      const home = join(box.dir, "tty");
      const path = file("tty.yaml", experimentYaml("tty", { max: 2 }));
      const r = await weftInTerminal(home, ["tune", path]);
      expect(r.code).toBe(0);
      const text = plainText(r.stdout);
      expect(text).toMatch(/tune tty\s+RUNNING/);
      expect(text).toMatch(/trial\s+state\s+x\s+y\s+loss\s+duration\s+note/);
      expect(text).toContain("Experiment tty SUCCEEDED (MaxTrialsReached)");
    },
    60_000,
  );

  it("runs a .ts module whose default export is the options of tune(), and refuses one without", async () => {
    const home = join(box.dir, "module");
    const dir = join(box.dir, "project");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    const path = join(dir, "experiment.ts");
    writeFileSync(
      path,
      `import { defineExperiment, double } from ${JSON.stringify(join(ROOT, "src/tuning/sdk.ts"))};
export default defineExperiment({
  name: "fn",
  space: { x: double(-2, 2) },
  objective: { metric: "loss", goal: "minimize" },
  algorithm: { name: "random", seed: 5 },
  parallel: 2,
  budget: { trials: 3 },
  trial: ({ x }) => ({ loss: (x - 1) ** 2 }),
});
`,
    );
    const r = await weft(home, ["tune", path, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: "fn", state: "SUCCEEDED", trials: 3, algorithm: "random" });
    const trials = await trialsOf(home, "fn");
    for (const t of trials) expect(t.values?.[0]).toBeCloseTo((t.params.x - 1) ** 2, 9);

    const empty = join(dir, "empty.ts");
    writeFileSync(empty, "export const nothing = 1;\n");
    const bad = await weft(home, ["tune", empty]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("error[EXPERIMENT_IMPORT_FAILED]");
    expect(bad.stderr).toContain("has no default export of tune() options");
  }, 60_000);
});

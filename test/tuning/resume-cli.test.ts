/**
 * The resume acceptance through the CLI: `weft tune` killed with SIGKILL mid-experiment,
 * then `weft tune` of the same file again, ends with exactly maxTrialCount trials and the
 * trials that had finished kept as they were.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, type Sandbox, sandbox, spawnWeft, waitFor, weft } from "../cli/helpers.ts";
import { jobExperimentYaml } from "./katib-yaml.ts";

interface TrialJson {
  number: number;
  state: string;
  params: Record<string, number>;
  values?: number[];
}

function experimentYaml(name: string): string {
  // each trial sleeps 600 ms, then prints its loss
  return jobExperimentYaml({
    name,
    script: "setTimeout(() => console.log('loss=' + Number(process.argv[1].slice(2)) ** 2), 600);",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Katib\'s trial parameter placeholders
    args: ["x=${trialParameters.x}"],
    parameters: [{ name: "x", type: "double", min: -2, max: 2 }],
    maxTrials: 6,
  });
}

async function trialsOf(home: string, name: string): Promise<TrialJson[] | undefined> {
  const r = await weft(home, ["tune", "trials", name, "--json"]);
  if (r.code !== 0) return undefined;
  return (JSON.parse(r.stdout) as { trials: TrialJson[] }).trials;
}

describe("weft tune killed with SIGKILL", () => {
  let box: Sandbox;
  beforeAll(() => {
    box = sandbox();
  });
  afterAll(() => box.cleanup());

  it("resumes on the next weft tune: finished trials kept, exactly maxTrialCount trials", async () => {
    const home = join(box.dir, "home");
    const path = join(box.dir, "killed.yaml");
    writeFileSync(path, experimentYaml("killed"));
    const child = spawnWeft(home, ["tune", path]);
    const done = collect(child);
    const before = await waitFor("two trials to succeed and another to run", async () => {
      const trials = await trialsOf(home, "killed");
      if (!trials) return undefined;
      const ok = trials.filter((t) => t.state === "SUCCEEDED").length >= 2 && trials.some((t) => t.state === "RUNNING");
      return ok ? trials : undefined;
    });
    child.kill("SIGKILL");
    await done;

    const resumed = await weft(home, ["tune", path]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = (await trialsOf(home, "killed")) ?? [];
    expect(after.map((t) => t.number)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(after.every((t) => t.state === "SUCCEEDED")).toBe(true);
    for (const t of before.filter((b) => b.state === "SUCCEEDED")) {
      expect(after[t.number]).toMatchObject({ params: t.params, values: t.values });
    }
    for (const t of before.filter((b) => b.state === "RUNNING")) expect(after[t.number]?.params).toEqual(t.params);
    const status = JSON.parse((await weft(home, ["tune", "status", "killed", "--json"])).stdout);
    expect(status.state).toBe("SUCCEEDED");
  }, 120_000);
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { testSpec } from "../../test/tuning/runner-spec.ts";
import { openStore } from "../store/index.ts";
import { categorical, double } from "./sdk.ts";
import { tune } from "./tune.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("tune()", () => {
  it("records the experiment in the home's store and resumes it: a second call runs no finished trial again", async () => {
    const home = mkdtempSync(join(tmpdir(), "weft-tune-api-"));
    dirs.push(home);
    let calls = 0;
    const spec = testSpec(
      (p) => {
        calls++;
        return { loss: Math.abs(Number(p.x) - 0.5) };
      },
      { name: "api", maxTrialCount: 4 },
    );
    const result = await tune<{ x: number }>(spec, { home, handleSigint: false });
    expect(result).toMatchObject({ state: "SUCCEEDED", reason: "MaxTrialsReached" });
    const x: number | undefined = result.best?.params.x;
    expect(typeof x).toBe("number");
    expect(calls).toBe(4);

    const store = openStore(home);
    try {
      const exp = store.tuning.getExperimentByName("api");
      expect(exp).toMatchObject({ state: "SUCCEEDED", algorithm: "random", bestTrial: result.best?.number });
      expect(store.tuning.listTrials(exp?.id ?? "")).toHaveLength(4);
    } finally {
      store.close();
    }
    const again = await tune(spec, { home, handleSigint: false });
    expect(again.trials).toEqual(result.trials);
    expect(calls).toBe(4);
  });

  it("keeps nothing on disk with store: false", async () => {
    const home = mkdtempSync(join(tmpdir(), "weft-tune-mem-"));
    dirs.push(home);
    const result = await tune(
      testSpec(() => ({ loss: 1 }), { name: "mem", maxTrialCount: 2 }),
      { home, store: false, handleSigint: false },
    );
    expect(result.trials).toHaveLength(2);
    const store = openStore(home);
    try {
      expect(store.tuning.getExperimentByName("mem")).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it("takes the typed options of sdk.ts: the trial's params and the best params have the space's types", async () => {
    const seen: string[] = [];
    const result = await tune(
      {
        name: "typed",
        space: { lr: double(0.001, 0.1, { log: true }), optimizer: categorical(["adam", "sgd"]) },
        objective: { metric: "loss", goal: "minimize" },
        algorithm: { name: "random", seed: 1 },
        parallel: 2,
        budget: { trials: 3 },
        trial: ({ lr, optimizer }) => {
          const o: "adam" | "sgd" = optimizer;
          seen.push(o);
          return { loss: lr * (optimizer === "adam" ? 1 : 2) };
        },
      },
      { store: false, handleSigint: false },
    );
    expect(result).toMatchObject({ state: "SUCCEEDED", reason: "MaxTrialsReached" });
    expect(seen).toHaveLength(3);
    const lr: number | undefined = result.best?.params.lr;
    const opt: "adam" | "sgd" | undefined = result.best?.params.optimizer;
    expect(lr).toBeGreaterThanOrEqual(0.001);
    expect(["adam", "sgd"]).toContain(opt);
  });
});

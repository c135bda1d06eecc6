import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { testSpec } from "../../test/tuning/runner-spec.ts";
import { openStore } from "../store/index.ts";
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
});

import { describe, expect, it } from "vitest";
import type { TrialObservation } from "../types.ts";
import { createEarlyStopper } from "./index.ts";

function t(number: number, state: TrialObservation["state"], values: number[], steps?: number[]): TrialObservation {
  return {
    number,
    params: {},
    state,
    intermediate: values.map((value, i) => ({ step: steps?.[i] ?? i, value })),
  };
}

// averages of the first 4 values: 2.5, 3.5, 3 (the fifth value of 0 is past start_step) -> mean 3
const finished = [
  t(0, "SUCCEEDED", [1, 2, 3, 4, 100]),
  t(1, "SUCCEEDED", [2, 3, 4, 5]),
  t(2, "SUCCEEDED", [3, 3, 3, 3]),
];
const medianstop = (settings: Record<string, string> = {}) => createEarlyStopper({ name: "medianstop", settings });

describe("medianstop", () => {
  it("stops a trial whose best value at start_step is worse than the mean of the succeeded trials' averages", () => {
    const running = t(3, "RUNNING", [1, 2, 2.9, 2], [3, 4, 5, 6]);
    const reason = medianstop().shouldStop(running, [...finished, running], ["maximize"]);
    expect(reason).toBe(
      "at step 6 the best value 2.9 is below the median 3 of 3 succeeded trials' averages over their first 4 steps (Katib's median rule: the mean of those averages)",
    );
  });

  it("lets a trial run whose best value equals or beats the threshold", () => {
    for (const values of [
      [1, 1, 1, 3],
      [5, 0, 0, 0],
    ]) {
      const running = t(3, "RUNNING", values);
      expect(medianstop().shouldStop(running, [...finished, running], ["maximize"])).toBeUndefined();
    }
  });

  it("judges minimization the other way round", () => {
    const high = t(3, "RUNNING", [9, 8, 7, 3.5]);
    expect(medianstop().shouldStop(high, [...finished, high], ["minimize"])).toMatch(
      /^at step 3 the best value 3\.5 is above the median 3 of 3 /,
    );
    const low = t(3, "RUNNING", [9, 8, 7, 2.5]);
    expect(medianstop().shouldStop(low, [...finished, low], ["minimize"])).toBeUndefined();
  });

  it("judges once, at the start_step-th reported value", () => {
    const bad = [0, 0, 0, 0, 0, 0];
    const stopper = medianstop();
    expect(
      [1, 2, 3, 4, 5, 6].map((n) => {
        const running = t(3, "RUNNING", bad.slice(0, n));
        return stopper.shouldStop(running, [...finished, running], ["maximize"]) !== undefined;
      }),
    ).toEqual([false, false, false, true, false, false]);
    const first = medianstop({ start_step: "1" });
    const one = t(3, "RUNNING", [0]);
    // with start_step 1 the averages are the first values: 1, 2, 3 -> mean 2
    expect(first.shouldStop(one, [...finished, one], ["maximize"])).toMatch(/best value 0 is below the median 2 of 3 /);
    expect(first.shouldStop(t(3, "RUNNING", [2]), finished, ["maximize"])).toBeUndefined();
  });

  it("needs min_trials_required succeeded trials; early-stopped, failed and running ones do not count", () => {
    const others = [
      t(4, "EARLY_STOPPED", [0, 0, 0, 0]),
      t(5, "FAILED", [0, 0, 0, 0]),
      t(6, "RUNNING", [9, 9, 9, 9]),
      t(7, "SUCCEEDED", []),
    ];
    const running = t(3, "RUNNING", [0, 0, 0, 0]);
    const two = [finished[0], finished[1], ...others] as TrialObservation[];
    expect(medianstop().shouldStop(running, [...two, running], ["maximize"])).toBeUndefined();
    expect(medianstop({ min_trials_required: "2" }).shouldStop(running, [...two, running], ["maximize"])).toMatch(
      /below the median 3 of 2 succeeded/,
    );
    expect(medianstop().shouldStop(running, [...finished, ...others, running], ["maximize"])).toMatch(/of 3 succeeded/);
    expect(
      medianstop({ min_trials_required: "4" }).shouldStop(running, [...finished, running], ["maximize"]),
    ).toBeUndefined();
  });

  it("names a bad setting", () => {
    expect(() => medianstop({ min_trials_required: "0" })).toThrow(
      /earlyStopping\.algorithmSettings\.min_trials_required: "0" is not an integer greater than zero/,
    );
    expect(() => medianstop({ start_step: "2.5" })).toThrow(/earlyStopping\.algorithmSettings\.start_step: "2\.5"/);
    expect(() => medianstop({ start_step: "0" })).toThrow(/earlyStopping\.algorithmSettings\.start_step/);
    expect(() => medianstop({ patience: "3" })).toThrow(
      /earlyStopping\.algorithmSettings\.patience: medianstop has no setting/,
    );
    expect(() => createEarlyStopper({ name: "truncation" as "medianstop", settings: {} })).toThrow(
      /earlyStopping\.algorithmName/,
    );
  });
});

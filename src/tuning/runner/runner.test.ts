import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { testSpec } from "../../../test/tuning/runner-spec.ts";
import type { Sampler } from "../types.ts";
import { createMemoryJournal } from "./memory-journal.ts";
import { runExperiment } from "./run-experiment.ts";
import type { RunnerEvent } from "./types.ts";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("runExperiment with function trials", () => {
  it("runs maxTrialCount trials, at most parallelTrialCount at once, and picks the least loss", async () => {
    let live = 0;
    let peak = 0;
    const journal = createMemoryJournal();
    const events: RunnerEvent[] = [];
    const result = await runExperiment(
      testSpec(
        async (p) => {
          live++;
          peak = Math.max(peak, live);
          await new Promise((r) => setImmediate(r));
          live--;
          return { loss: (Number(p.x) - 0.3) ** 2 };
        },
        { parallelTrialCount: 3, maxTrialCount: 7 },
      ),
      { journal, onEvent: (e) => events.push(e) },
    );
    expect(result).toMatchObject({ state: "SUCCEEDED", reason: "MaxTrialsReached" });
    expect(result.trials.map((t) => [t.number, t.name, t.state])).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((n) => [n, `exp-${n}`, "SUCCEEDED"]),
    );
    expect(peak).toBe(3);
    const losses = result.trials.map((t) => t.values?.[0] as number);
    expect(result.best?.values?.[0]).toBe(Math.min(...losses));
    expect(result.best?.metrics).toEqual({ loss: Math.min(...losses) });
    expect(journal.trials()).toEqual(result.trials);
    expect(journal.end()).toMatchObject({
      state: "SUCCEEDED",
      reason: "MaxTrialsReached",
      bestTrial: result.best?.number,
    });
    expect(events.at(-1)).toMatchObject({ type: "end" });
    // every trial was recorded PENDING, then RUNNING, then SUCCEEDED, in that order
    const states = events.flatMap((e) => (e.type === "trial" && e.trial.number === 0 ? [e.trial.state] : []));
    expect(states).toEqual(["PENDING", "RUNNING", "SUCCEEDED"]);
  });

  it("leaves no listener on the caller's signal behind, however many trials it waits for", async () => {
    const controller = new AbortController();
    const result = await runExperiment(
      testSpec(
        async (p) => {
          await new Promise((r) => setImmediate(r));
          return { loss: Number(p.x) };
        },
        { parallelTrialCount: 1, maxTrialCount: 15 },
      ),
      { journal: createMemoryJournal(), signal: controller.signal },
    );
    expect(result.trials).toHaveLength(15);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("records a failed trial's reason, counts it, and fails the experiment at maxFailedTrialCount", async () => {
    const journal = createMemoryJournal();
    const result = await runExperiment(
      testSpec(
        (p) => {
          if (Number(p.x) > 0.0) throw new Error(`diverged at x=${p.x}`);
          return { loss: 1 };
        },
        { parallelTrialCount: 1, maxTrialCount: 10, maxFailedTrialCount: 3 },
      ),
      { journal },
    );
    expect(result).toMatchObject({ state: "FAILED", reason: "MaxFailedTrialsReached" });
    expect(result.trials).toHaveLength(3);
    for (const t of result.trials) {
      expect(t).toMatchObject({ state: "FAILED", reason: "TrialFailed" });
      expect(t.message).toContain("diverged at x=");
    }
    expect(result.best).toBeUndefined();
  });

  it("fails a trial without the objective as METRICS_UNAVAILABLE, saying what it returned and what to do", async () => {
    const result = await runExperiment(
      testSpec(() => ({ accuracy: 0.9 }), { maxTrialCount: 2 }),
      { journal: createMemoryJournal() },
    );
    expect(result.state).toBe("SUCCEEDED");
    const t = result.trials[0];
    expect(t).toMatchObject({ state: "FAILED", reason: "METRICS_UNAVAILABLE", metrics: { accuracy: 0.9 } });
    expect(t?.message).toContain('Metric "loss" was not reported');
    expect(t?.message).toContain("returned { accuracy }");
    expect(t?.message).toContain('ctx.report("loss"');
  });

  it("fails a trial whose objective is NaN", async () => {
    const result = await runExperiment(
      testSpec(() => ({ loss: Number.NaN }), { maxTrialCount: 1 }),
      {
        journal: createMemoryJournal(),
      },
    );
    expect(result.trials[0]).toMatchObject({ state: "FAILED", reason: "METRICS_NOT_FINITE" });
  });

  it("reduces reported series by strategy; a returned value wins", async () => {
    const spec = testSpec(
      (_p, ctx) => {
        ctx.report("loss", 0.5, 0);
        ctx.report("loss", 0.2, 1);
        ctx.report("loss", 0.4, 2);
        ctx.report("acc", 0.7, 0);
        ctx.report("acc", 0.6, 1);
        return { extra: 3 };
      },
      {
        maxTrialCount: 1,
        objective: {
          metrics: [{ name: "loss", goal: "minimize" }],
          additionalMetricNames: ["acc"],
          strategies: { loss: "min", acc: "latest" },
        },
      },
    );
    const journal = createMemoryJournal();
    const result = await runExperiment(spec, { journal });
    expect(result.trials[0]).toMatchObject({
      state: "SUCCEEDED",
      values: [0.2],
      metrics: { loss: 0.2, acc: 0.6, extra: 3 },
      intermediate: [
        { step: 0, value: 0.5 },
        { step: 1, value: 0.2 },
        { step: 2, value: 0.4 },
      ],
    });
    expect(journal.observations(0)).toHaveLength(5);
  });

  it("stops at the goal and cancels the trials still running", async () => {
    const slow = deferred();
    const result = await runExperiment(
      testSpec(
        async (p, ctx) => {
          if (ctx.number === 0) {
            // runs until canceled
            await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
            return { loss: 9 };
          }
          slow.resolve();
          return { loss: ctx.number === 2 ? 0.01 : 0.5 + Number(p.x) };
        },
        {
          parallelTrialCount: 2,
          maxTrialCount: 20,
          objective: {
            metrics: [{ name: "loss", goal: "minimize" }],
            goal: 0.05,
            additionalMetricNames: [],
            strategies: { loss: "min" },
          },
        },
      ),
      { journal: createMemoryJournal() },
    );
    expect(result).toMatchObject({ state: "SUCCEEDED", reason: "GoalReached" });
    expect(result.best).toMatchObject({ number: 2, values: [0.01] });
    expect(result.trials[0]).toMatchObject({ state: "CANCELED", reason: "GoalReached" });
    expect(result.trials).toHaveLength(3);
  });

  it("asks again with attempt + 1 while a suggestion breaks a constraint, then fails naming the constraint", async () => {
    const attempts: number[] = [];
    const sampler: Sampler = {
      name: "random",
      suggest(ctx) {
        attempts.push(ctx.attempt);
        return { kind: "trial", params: { x: ctx.attempt < 3 ? 0.9 : 0.1 } };
      },
    };
    const spec = testSpec(() => ({ loss: 1 }), {
      maxTrialCount: 1,
      space: {
        parameters: [{ name: "x", type: "double", min: 0, max: 1, distribution: "uniform" }],
        constraints: [{ name: "x below a half", test: (p) => Number(p.x) < 0.5 }],
      },
    });
    const result = await runExperiment(spec, { journal: createMemoryJournal(), sampler });
    expect(attempts).toEqual([0, 1, 2, 3]);
    expect(result.trials.map((t) => t.params)).toEqual([{ x: 0.1 }]);

    const never: Sampler = { name: "random", suggest: () => ({ kind: "trial", params: { x: 0.9 } }) };
    const journal = createMemoryJournal();
    await expect(runExperiment(spec, { journal, sampler: never })).rejects.toMatchObject({
      code: "TUNING_CONSTRAINTS_UNSATISFIABLE",
      message: expect.stringContaining("x below a half"),
    });
    expect(journal.end()).toMatchObject({ state: "FAILED", reason: "Error" });
  });

  it("ends with SuggestionEndReached when the sampler is done, and waits while it says wait", async () => {
    let calls = 0;
    const sampler: Sampler = {
      name: "grid",
      suggest(ctx) {
        calls++;
        if (ctx.trialNumber >= 3) return { kind: "done", reason: "the grid is exhausted" };
        // trial 2 only after trials 0 and 1 ended
        if (ctx.trialNumber === 2 && ctx.history.some((t) => t.state === "RUNNING")) return { kind: "wait" };
        return { kind: "trial", params: { x: ctx.trialNumber / 10 } };
      },
    };
    const result = await runExperiment(
      testSpec(
        async () => {
          await new Promise((r) => setImmediate(r));
          return { loss: 1 };
        },
        { maxTrialCount: undefined, parallelTrialCount: 3 },
      ),
      { journal: createMemoryJournal(), sampler },
    );
    expect(result).toMatchObject({
      state: "SUCCEEDED",
      reason: "SuggestionEndReached",
      message: "the grid is exhausted",
    });
    expect(result.trials.map((t) => t.params.x)).toEqual([0, 0.1, 0.2]);
    expect(calls).toBeGreaterThan(3);
  });

  it("early-stops a trial with medianstop: its values are what it reported so far, and it is aborted", async () => {
    let aborted = 0;
    const result = await runExperiment(
      testSpec(
        async (p, ctx) => {
          // trial 0 and 1 are good (loss 0.1 at every step); later ones are bad (loss 5)
          const loss = ctx.number < 2 ? 0.1 : 5;
          for (let step = 0; step < 5; step++) {
            if (ctx.signal.aborted) {
              aborted++;
              return undefined;
            }
            ctx.report("loss", loss + step * 0.001, step);
            await new Promise((r) => setImmediate(r));
          }
          void p;
          return undefined;
        },
        {
          parallelTrialCount: 1,
          maxTrialCount: 4,
          earlyStopping: { name: "medianstop", settings: { min_trials_required: "2", start_step: "1" } },
        },
      ),
      { journal: createMemoryJournal() },
    );
    expect(result.trials.map((t) => t.state)).toEqual(["SUCCEEDED", "SUCCEEDED", "EARLY_STOPPED", "EARLY_STOPPED"]);
    const stopped = result.trials[2];
    expect(stopped?.reason).toBe("EarlyStopped");
    expect(stopped?.message).toBeTruthy();
    expect(stopped?.values?.[0]).toBe(5);
    expect(stopped?.intermediate.length).toBeLessThan(5);
    expect(aborted).toBe(2);
  });

  it("cancels on the signal: running trials CANCELED, the experiment CANCELED", async () => {
    const controller = new AbortController();
    const started = deferred();
    const run = runExperiment(
      testSpec(
        async (_p, ctx) => {
          started.resolve();
          await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
          return undefined;
        },
        { parallelTrialCount: 2 },
      ),
      { journal: createMemoryJournal(), signal: controller.signal },
    );
    await started.promise;
    controller.abort();
    const result = await run;
    expect(result).toMatchObject({ state: "CANCELED", reason: "Canceled" });
    expect(result.trials.map((t) => t.state)).toEqual(["CANCELED", "CANCELED"]);
  });
});

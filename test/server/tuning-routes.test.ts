/**
 * The tuning routes over a real server on 127.0.0.1 and a store filled through
 * `store.tuning`: the list with counts and best values, one experiment with its best
 * trial or Pareto front, trials, observations, the analysis, and the errors.
 */
import { describe, expect, it } from "vitest";
import { listeningHarnessPerTest } from "./harness.ts";
import { seedTuning } from "./tuning-seed.ts";

const API = "/apis/weft/v1/tuning";
const l = listeningHarnessPerTest();

async function call(
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: Record<string, unknown> & { [k: string]: unknown } }> {
  const res = await fetch(`${l.base}${API}${path}`, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

type Json = Record<string, unknown>;

describe("tuning routes", () => {
  it("lists experiments newest first with trials by state and the best value", async () => {
    const seeded = seedTuning(l.h.store);
    const { status, body } = await call("/experiments");
    expect(status).toBe(200);
    const exps = body.experiments as Json[];
    expect(exps.map((e) => e.name)).toEqual(["mo-search", "lr-search"]);
    const lr = exps[1] as Json;
    expect(lr).toMatchObject({
      state: "RUNNING",
      algorithm: "tpe",
      objectives: [{ name: "loss", goal: "minimize" }],
      trial_counts: { SUCCEEDED: 28, FAILED: 1, RUNNING: 1 },
      trial_count: 30,
      max_trial_count: 30,
      parallel_trial_count: 3,
      best_value: seeded.best.value,
      best_trial: `lr-search-${seeded.best.number}`,
      created_at: "2026-01-05T10:00:00.000Z",
    });
    expect(exps[0]).toMatchObject({ state: "SUCCEEDED", reason: "MaxTrialsReached", best_trial: "mo-search-2" });
    expect(body.total_size).toBe(2);
  });

  it("filters by state and pages with a token", async () => {
    seedTuning(l.h.store);
    const running = await call("/experiments?state=RUNNING");
    expect((running.body.experiments as Json[]).map((e) => e.name)).toEqual(["lr-search"]);
    const first = await call("/experiments?page_size=1");
    expect((first.body.experiments as Json[]).map((e) => e.name)).toEqual(["mo-search"]);
    const second = await call(`/experiments?page_size=1&page_token=${first.body.next_page_token}`);
    expect((second.body.experiments as Json[]).map((e) => e.name)).toEqual(["lr-search"]);
    expect(second.body.next_page_token).toBeUndefined();
    const bad = await call("/experiments?state=DONE");
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe(
      'query parameter state "DONE" is not a state; use one of RUNNING, SUCCEEDED, FAILED, CANCELED.',
    );
  });

  it("answers one experiment with its spec summary and best trial", async () => {
    const seeded = seedTuning(l.h.store);
    const { status, body } = await call("/experiments/lr-search");
    expect(status).toBe(200);
    expect((body.spec as Json).parameters).toHaveLength(3);
    expect(body.spec).toMatchObject({
      additional_metric_names: ["accuracy"],
      algorithm_settings: { n_startup_trials: "10" },
      seed: 7,
      trial_kind: "pipeline",
    });
    expect(body.best_trial_number).toBe(seeded.best.number);
    expect((body.best_trials as Json[]).map((t) => t.number)).toEqual([seeded.best.number]);
  });

  it("gives a multi-objective experiment's Pareto front and the best chosen by its rule", async () => {
    seedTuning(l.h.store);
    const { body } = await call("/experiments/mo-search");
    expect((body.best_trials as Json[]).map((t) => t.number)).toEqual([0, 1, 2, 5]);
    // weighted accuracy=1, seconds=0.2 over the front's min-max normalised values: trial 2
    expect(body.best_trial_number).toBe(2);
    expect((body.spec as Json).best_rule).toBe("weighted accuracy=1,seconds=0.2");
  });

  it("lists every trial with params, values, metrics, state, reason and run id", async () => {
    const seeded = seedTuning(l.h.store);
    const { body } = await call("/experiments/lr-search/trials");
    const trials = body.trials as Json[];
    expect(trials).toHaveLength(30);
    expect(trials[0]).toMatchObject({
      name: "lr-search-0",
      number: 0,
      state: "SUCCEEDED",
      values: [seeded.loss.get(0)],
      metrics: { loss: seeded.loss.get(0) },
      run_id: seeded.runs[0],
    });
    expect(trials[3]).toMatchObject({ state: "FAILED", reason: "METRICS_UNAVAILABLE", message: "no value of loss" });
    expect(trials[3]?.values).toBeUndefined();
    const failed = await call("/experiments/lr-search/trials?state=FAILED");
    expect((failed.body.trials as Json[]).map((t) => t.number)).toEqual([3]);
  });

  it("answers a trial's intermediate values by name or number", async () => {
    const seeded = seedTuning(l.h.store);
    const v = seeded.loss.get(0) as number;
    const byName = await call("/experiments/lr-search/trials/lr-search-0/observations");
    expect(byName.status).toBe(200);
    expect((byName.body.observations as Json[]).map((o) => [o.metric, o.step, o.value])).toEqual([
      ["loss", 0, v + 2],
      ["loss", 1, v + 1],
      ["loss", 2, v],
    ]);
    const byNumber = await call("/experiments/lr-search/trials/0/observations");
    expect(byNumber.body).toEqual(byName.body);
    const none = await call("/experiments/lr-search/trials/lr-search-99/observations");
    expect(none.status).toBe(404);
    expect(none.body.message).toContain("tuning trial 'lr-search-99' of experiment 'lr-search' was not found");
  });

  it("analyses: lr gets most of the importance, history is best so far, the front for several objectives", async () => {
    const seeded = seedTuning(l.h.store);
    const { body } = await call("/experiments/lr-search/analysis");
    const [imp] = body.importance as Array<{ metric: string; parameters: Array<{ parameter: string; share: number }> }>;
    expect(imp?.metric).toBe("loss");
    expect(imp?.parameters[0]?.parameter).toBe("lr");
    const [hist] = body.history as Array<{ points: Array<{ number: number; value: number; best: number }> }>;
    expect(hist?.points).toHaveLength(28);
    expect(hist?.points.map((p) => p.number)).not.toContain(3);
    expect(hist?.points.at(-1)?.best).toBe(seeded.best.value);
    expect(body.pareto_front).toBeUndefined();
    const mo = await call("/experiments/mo-search/analysis");
    expect(mo.body.pareto_front).toEqual([0, 1, 2, 5]);
    expect((mo.body.history as unknown[]).length).toBe(2);
  });

  it("answers 404 naming an unknown experiment, and refuses to cancel one that ended or runs elsewhere", async () => {
    seedTuning(l.h.store);
    for (const path of ["/experiments/nope", "/experiments/nope/trials", "/experiments/nope/analysis"]) {
      const r = await call(path);
      expect(r.status).toBe(404);
      expect(r.body.message).toBe(
        "tuning experiment with name 'nope' was not found; list the tuning experiments to see which exist.",
      );
    }
    const ended = await call("/experiments/mo-search:cancel", { method: "POST" });
    expect(ended.status).toBe(400);
    expect(ended.body.message).toBe(
      "tuning experiment 'mo-search' already ended (SUCCEEDED); there is nothing to cancel.",
    );
    const elsewhere = await call("/experiments/lr-search:cancel", { method: "POST" });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.message).toContain("not by this server");
  });
});

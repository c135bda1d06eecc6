/**
 * Tuning experiments recorded through `store.tuning`, as the runner records them, for the
 * server's and the UI's tests: `lr-search` (one objective, 30 trials: a failed one, a
 * running one, the rest succeeded, the first five with a pipeline run each) whose loss
 * depends on `lr` only, and `mo-search` (accuracy up, seconds down, 12 trials) with a
 * weighted best rule.
 */
import { type Store, sampleSpec } from "../../src/store/index.ts";
import { Rng } from "../../src/tuning/rng.ts";
import type { ExperimentSpec } from "../../src/tuning/types.ts";

/** What {@link seedTuning} recorded. */
export interface SeededTuning {
  /** Run ids of `lr-search`'s trials 0-4 by trial number. */
  runs: string[];
  /** `lr-search`'s loss by trial number (absent for the failed and running trials). */
  loss: Map<number, number>;
  /** The best (least) loss and its trial. */
  best: { number: number; value: number };
}

const T0 = Date.parse("2026-01-05T10:00:00Z");

const LR_SPEC = {
  name: "lr-search",
  space: {
    parameters: [
      { name: "lr", type: "double", min: 1e-4, max: 1e-1, distribution: "logUniform" },
      { name: "units", type: "int", min: 8, max: 256, distribution: "uniform" },
      { name: "optimizer", type: "categorical", values: ["sgd", "adam", "rmsprop"], distribution: "uniform" },
    ],
  },
  objective: {
    metrics: [{ name: "loss", goal: "minimize" }],
    additionalMetricNames: ["accuracy"],
    strategies: { loss: "min", accuracy: "latest" },
  },
  algorithm: { name: "tpe", settings: { n_startup_trials: "10" }, seed: 7 },
  parallelTrialCount: 3,
  maxTrialCount: 30,
  resumePolicy: "Never",
  metricsCollector: { kind: "Pipeline" },
  trial: { kind: "pipeline", source: "/pipelines/train.ts", parameters: { lr: "lr" }, fixed: {} },
} satisfies Omit<ExperimentSpec, "space" | "trial"> & Record<string, unknown>;

const MO_SPEC = {
  name: "mo-search",
  space: {
    parameters: [
      { name: "units", type: "int", min: 8, max: 512, distribution: "uniform" },
      { name: "epochs", type: "int", min: 1, max: 20, distribution: "uniform" },
    ],
  },
  objective: {
    metrics: [
      { name: "accuracy", goal: "maximize" },
      { name: "seconds", goal: "minimize" },
    ],
    additionalMetricNames: [],
    strategies: { accuracy: "max", seconds: "min" },
    best: { rule: "weighted", weights: { accuracy: 1, seconds: 0.2 } },
  },
  algorithm: { name: "nsga2", settings: {}, seed: 1 },
  parallelTrialCount: 2,
  maxTrialCount: 12,
  resumePolicy: "Never",
  metricsCollector: { kind: "StdOut", filters: [] },
  trial: { kind: "command", command: ["python", "train.py"], env: {}, trialParameters: [] },
};

/** Records both experiments in `store`. */
export function seedTuning(store: Store): SeededTuning {
  const rng = new Rng(11);
  const lr = store.tuning.createExperiment({
    name: "lr-search",
    source: "kind: Experiment\n",
    sourceDigest: "d-lr",
    spec: LR_SPEC as never,
    algorithm: "tpe",
    createdAt: T0,
  });
  const runs: string[] = [];
  const loss = new Map<number, number>();
  for (let n = 0; n < 30; n++) {
    const params = {
      lr: Number((10 ** (-4 + 3 * rng.next())).toPrecision(4)),
      units: 8 + Math.floor(rng.next() * 249),
      optimizer: rng.pick(["sgd", "adam", "rmsprop"]),
    };
    store.tuning.createTrial({ experimentId: lr.id, number: n, params, createdAt: T0 + n * 1000 });
    if (n === 29) {
      store.tuning.updateTrial(lr.id, n, { state: "RUNNING", startedAt: T0 + n * 1000 });
      continue;
    }
    if (n === 3) {
      store.tuning.updateTrial(lr.id, n, {
        state: "FAILED",
        reason: "METRICS_UNAVAILABLE",
        message: "no value of loss",
        startedAt: T0 + n * 1000,
        finishedAt: T0 + n * 1000 + 500,
      });
      continue;
    }
    const value = Number(((Math.log10(params.lr) + 2.5) ** 2).toFixed(6));
    loss.set(n, value);
    let runId: string | undefined;
    if (n < 5) {
      runId = store.runs.create({
        displayName: `lr-search-${n}`,
        pipelineSpec: sampleSpec(),
        state: "SUCCEEDED",
      }).id;
      runs.push(runId);
    }
    store.tuning.updateTrial(lr.id, n, {
      state: "SUCCEEDED",
      values: [value],
      metrics: { loss: value, accuracy: Number((1 - value / 10).toFixed(4)) },
      startedAt: T0 + n * 1000,
      finishedAt: T0 + n * 1000 + 800,
      ...(runId ? { runId } : {}),
    });
    if (n === 0) {
      store.tuning.appendObservations(lr.id, 0, [
        { metric: "loss", step: 0, value: value + 2 },
        { metric: "loss", step: 1, value: value + 1 },
        { metric: "loss", step: 2, value },
      ]);
    }
  }
  const [bestNumber, bestValue] = [...loss].sort((a, b) => a[1] - b[1] || a[0] - b[0])[0] as [number, number];
  store.tuning.setBestTrial(lr.id, bestNumber);

  const mo = store.tuning.createExperiment({
    name: "mo-search",
    sourceDigest: "d-mo",
    spec: MO_SPEC as never,
    algorithm: "nsga2",
    createdAt: T0 + 60_000,
  });
  // accuracy, seconds: the front is trials 0, 1, 2, 5 (3, 4, 6.. are dominated)
  const points: Array<[number, number]> = [
    [0.8, 10],
    [0.9, 20],
    [0.95, 40],
    [0.85, 25],
    [0.7, 15],
    [0.75, 5],
    [0.6, 30],
    [0.88, 22],
    [0.79, 11],
    [0.9, 21],
    [0.5, 6],
    [0.94, 41],
  ];
  points.forEach(([acc, sec], n) => {
    store.tuning.createTrial({
      experimentId: mo.id,
      number: n,
      params: { units: 8 + n * 40, epochs: 1 + n },
      createdAt: T0 + 60_000 + n,
    });
    store.tuning.updateTrial(mo.id, n, {
      state: "SUCCEEDED",
      values: [acc, sec],
      metrics: { accuracy: acc, seconds: sec },
    });
  });
  store.tuning.finishExperiment(mo.id, { state: "SUCCEEDED", reason: "MaxTrialsReached", at: T0 + 120_000 });
  return { runs, loss, best: { number: bestNumber, value: bestValue } };
}

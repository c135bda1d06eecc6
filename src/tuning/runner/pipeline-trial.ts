/**
 * Pipeline trials: one Engine run per trial, in the KFP experiment named after the tuning
 * experiment, named after the trial and tagged `weft.tuning.experiment` and
 * `weft.tuning.trial`, with the trial's values as pipeline parameters (plus the fixed
 * ones). Intermediate values are the run's step metrics (`ctx.log.metric`, store.tracking)
 * of the metrics asked for, read while it runs; when it ends, the values its Metrics
 * artifacts hold (the run's metrics) are added to each series as its last point. Loaded
 * only when an experiment has pipeline trials.
 */
import { extname, resolve } from "node:path";
import type { Engine } from "../../engine/index.ts";
import type { JsonValue, PipelinePackage } from "../../ir/index.ts";
import type { Store } from "../../store/index.ts";
import type { ExperimentSpec } from "../types.ts";
import type { TrialOutcome, TrialRunner } from "./types.ts";

/** How often a running trial's step metrics are read. */
export const STEP_METRICS_POLL_MS = 500;

export interface PipelineTrialDeps {
  readonly engine: Engine;
  readonly store: Store;
  readonly pipeline: PipelinePackage;
  readonly pollMs?: number;
}

/** Tags a trial's run carries. */
export const TUNING_EXPERIMENT_TAG = "weft.tuning.experiment";
export const TUNING_TRIAL_TAG = "weft.tuning.trial";

/** The trial runner of pipeline trials over an engine and its store. */
export function createPipelineTrialRunner(deps: PipelineTrialDeps): TrialRunner {
  return async (trial): Promise<TrialOutcome> => {
    const spec = trial.spec;
    const template = spec.trial;
    if (template.kind !== "pipeline") throw new Error("pipeline trial runner: not a pipeline trial");
    const wanted = new Set([...spec.objective.metrics.map((m) => m.name), ...spec.objective.additionalMetricNames]);
    const parameters: Record<string, JsonValue> = { ...(template.fixed as Record<string, JsonValue>) };
    for (const [pipelineParam, spaceParam] of Object.entries(template.parameters)) {
      const v = trial.params[spaceParam];
      if (v !== undefined) parameters[pipelineParam] = v;
    }
    let handle: ReturnType<Engine["startRun"]>;
    try {
      handle = deps.engine.startRun({
        pipeline: deps.pipeline,
        parameters,
        experimentName: spec.name,
        runName: trial.name,
        tags: { [TUNING_EXPERIMENT_TAG]: spec.name, [TUNING_TRIAL_TAG]: trial.name },
      });
    } catch (err) {
      return {
        kind: "failed",
        reason: "TrialFailed",
        message: `the pipeline run was refused: ${(err as Error).message}`,
      };
    }
    trial.recordRun(handle.runId);
    const onAbort = (): void => handle.cancel();
    if (trial.signal.aborted) onAbort();
    else trial.signal.addEventListener("abort", onAbort, { once: true });

    let cursor = 0;
    const lastStep = new Map<string, number>();
    const stepKeys = new Set<string>();
    const read = (): void => {
      for (;;) {
        const page = deps.store.tracking.stepMetrics(handle.runId, cursor);
        for (const s of page.series) {
          stepKeys.add(s.key);
          if (!wanted.has(s.key)) continue;
          for (const p of s.points) {
            lastStep.set(s.key, Math.max(lastStep.get(s.key) ?? -1, p.step));
            trial.report(s.key, p.value, p.step);
          }
        }
        cursor = page.cursor;
        if (!page.more) return;
      }
    };
    const timer = setInterval(() => {
      try {
        read();
      } catch {
        // read again at the next tick or at the end
      }
    }, deps.pollMs ?? STEP_METRICS_POLL_MS);
    timer.unref();
    const summary = await handle.done;
    clearInterval(timer);
    trial.signal.removeEventListener("abort", onAbort);
    read();
    if (trial.signal.aborted) return { kind: "completed", explainMissing: () => "" };
    if (summary.state !== "SUCCEEDED") {
      const failed = summary.tasks.filter((t) => t.state === "FAILED");
      const detail = failed
        .map(
          (t) =>
            `${t.path}: ${t.error ?? "failed"}${t.stderrTail?.length ? `\n${t.stderrTail.slice(-10).join("\n")}` : ""}`,
        )
        .join("\n");
      return {
        kind: "failed",
        reason: "TrialFailed",
        message: `run ${handle.runId} ended ${summary.state}${summary.error ? `: ${summary.error}` : ""}${detail ? `\n${detail}` : ""}`,
      };
    }
    const artifactNames = new Set<string>();
    for (const m of summary.metrics) {
      artifactNames.add(m.name);
      if (!wanted.has(m.name) || !Number.isFinite(m.value)) continue;
      const step = (lastStep.get(m.name) ?? -1) + 1;
      lastStep.set(m.name, step);
      trial.report(m.name, m.value, step);
    }
    const list = (s: Set<string>) => (s.size === 0 ? "none" : [...s].join(", "));
    return {
      kind: "completed",
      explainMissing: (metric) =>
        `Metric "${metric}" was not reported by run ${handle.runId} (Pipeline collector): its step metrics were ${list(stepKeys)}; its Metrics artifacts held ${list(artifactNames)}. Log it from a task with ctx.log.metric("${metric}", value, { step }) or write it to a Metrics output (metrics.logMetric("${metric}", value)).`,
    };
  };
}

/** Loads a pipeline file: KFP YAML/JSON, or a TypeScript pipeline module compiled here. */
export async function loadTrialPipeline(source: string): Promise<PipelinePackage> {
  const path = resolve(source);
  const ext = extname(path).toLowerCase();
  if (ext === ".yaml" || ext === ".yml" || ext === ".json") {
    const { loadPipelineFile } = await import("../../ir/index.ts");
    return loadPipelineFile(path);
  }
  const { compilePipelineFile } = await import("../../compiler/index.ts");
  return compilePipelineFile(path);
}

/** The pipeline a template carries in memory (`tune()`): a package, a PipelineSpec or an SDK pipeline. */
async function inMemoryPipeline(value: unknown): Promise<PipelinePackage> {
  const v = value as Record<string, unknown>;
  if (v !== null && typeof v === "object" && "pipelineSpec" in v) return v as unknown as PipelinePackage;
  if (v !== null && typeof v === "object" && "pipelineInfo" in v && "root" in v) {
    return { pipelineSpec: v as unknown as PipelinePackage["pipelineSpec"] };
  }
  const { compilePipeline } = await import("../../compiler/index.ts");
  return compilePipeline(value as Parameters<typeof compilePipeline>[0]);
}

/**
 * The pipeline trial runner of `spec` in the home `home`: its own store and engine,
 * released by `close`.
 */
export async function openPipelineTrials(
  spec: ExperimentSpec,
  home: string | undefined,
): Promise<{ runner: TrialRunner; close(): Promise<void> }> {
  if (spec.trial.kind !== "pipeline") throw new Error("openPipelineTrials: not a pipeline trial");
  const { TuningError } = await import("../errors.ts");
  if (home === undefined) {
    throw new TuningError(
      "TUNING_SPEC_UNSUPPORTED",
      `${spec.file ?? `experiment "${spec.name}"`}: pipeline trials run on a Weft home's engine; run the experiment with a home (not store: false)`,
    );
  }
  const pipeline =
    spec.trial.pipeline === undefined
      ? await loadTrialPipeline(spec.trial.source)
      : await inMemoryPipeline(spec.trial.pipeline);
  const { openStore } = await import("../../store/index.ts");
  const { Engine } = await import("../../engine/index.ts");
  const store = openStore(home);
  const engine = new Engine({ home, store });
  // the runs of trials a killed experiment process left behind are marked as the engine marks any orphan
  engine.recoverOrphans();
  return {
    runner: createPipelineTrialRunner({ engine, store, pipeline }),
    async close() {
      await engine.close();
      store.close();
    },
  };
}

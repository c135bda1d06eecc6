/**
 * `tune()`: runs (or resumes) an experiment from TypeScript. The options are `sdk.ts`'s
 * typed `TuneOptions` (converted by `toExperimentSpec`) or an `ExperimentSpec` as the Katib
 * reader makes it. The experiment is recorded in the store of the resolved Weft home
 * (WEFT_HOME, `weft.config.*`, the project's `.weft`), where `weft tune status|trials|best`
 * and the UI read it; `store: false` keeps it in memory. Ctrl-C (SIGINT) cancels it.
 *
 * @example
 * const result = await tune({
 *   name: "lr-search",
 *   space: { lr: double(1e-4, 0.1, { log: true }), units: int(16, 256) },
 *   objective: { metric: "loss", goal: "minimize" },
 *   trial: async ({ lr, units }) => ({ loss: await train(lr, units) }),
 *   budget: { trials: 20 },
 * });
 * result.best?.params.lr; // number
 */
import { createMemoryJournal } from "./runner/memory-journal.ts";
import { runExperiment } from "./runner/run-experiment.ts";
import type { ExperimentJournal, ExperimentResult, RunnerEvent, TrialRecord } from "./runner/types.ts";
import { type ParamsOf, type Space, type TuneOptions, toExperimentSpec } from "./sdk.ts";
import type { Assignment, ExperimentSpec } from "./types.ts";

/** How `tune()` runs: where it records the experiment, and how it is followed and canceled. */
export interface TuneRunOptions {
  /** The Weft home; default the resolved one. */
  readonly home?: string;
  /** `false`: record nothing on disk (no resume, no `weft tune status`). Default: the home's store. */
  readonly store?: false;
  /** Cancels the experiment (besides Ctrl-C). */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunnerEvent) => void;
  /** The text the experiment was read from, when it came from a file (resume compares it). */
  readonly source?: string;
  /** Ctrl-C cancels the experiment while it runs (default true). */
  readonly handleSigint?: boolean;
}

/** A trial whose params have the space's types. */
export type TypedTrial<P extends Assignment> = Omit<TrialRecord, "params"> & { readonly params: P };

/** The result of `tune()`, with the best trial's params typed. */
export type TuneResult<P extends Assignment> = Omit<ExperimentResult, "best" | "pareto" | "trials"> & {
  readonly best?: TypedTrial<P>;
  readonly pareto?: readonly TypedTrial<P>[];
  readonly trials: readonly TypedTrial<P>[];
};

function isExperimentSpec(v: unknown): v is ExperimentSpec {
  return typeof v === "object" && v !== null && "parallelTrialCount" in v && "metricsCollector" in v;
}

/** Runs the experiment to its end (resuming it when the home has it recorded) and returns its result. */
export async function tune<const S extends Space>(
  options: TuneOptions<S>,
  run?: TuneRunOptions,
): Promise<TuneResult<ParamsOf<S> & Assignment>>;
export async function tune<P extends Assignment = Assignment>(
  spec: ExperimentSpec,
  run?: TuneRunOptions,
): Promise<TuneResult<P>>;
export async function tune(
  input: ExperimentSpec | TuneOptions<Space>,
  options: TuneRunOptions = {},
): Promise<TuneResult<Assignment>> {
  const spec = isExperimentSpec(input) ? input : toExperimentSpec(input);
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  if (options.handleSigint !== false) process.once("SIGINT", onSigint);
  options.signal?.addEventListener("abort", () => controller.abort(), { once: true });
  let home = options.home;
  let close: (() => void) | undefined;
  let journal: ExperimentJournal;
  try {
    if (options.store === false) {
      journal = createMemoryJournal();
    } else {
      // the store is loaded only here: an experiment in memory needs none of it
      const { openStore, resolveHome } = await import("../store/index.ts");
      const { createStoreJournal } = await import("./runner/store-journal.ts");
      home ??= resolveHome().home;
      const store = openStore(home);
      close = () => store.close();
      journal = createStoreJournal(store);
    }
    const result = await runExperiment(spec, {
      journal,
      signal: controller.signal,
      ...(home === undefined ? {} : { home }),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.source === undefined ? {} : { source: options.source }),
    });
    return result as unknown as TuneResult<Assignment>;
  } finally {
    process.removeListener("SIGINT", onSigint);
    close?.();
  }
}

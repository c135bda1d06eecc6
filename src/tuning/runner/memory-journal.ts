/**
 * A journal in memory: for an experiment run inside a task (the prebuilt `tune`
 * component), which has no store. Nothing survives the process; `trials()` reads what
 * was recorded.
 */
import type { ExperimentSpec } from "../types.ts";
import type {
  ExperimentEnd,
  ExperimentJournal,
  ExperimentSource,
  ObservationPoint,
  TrialPatch,
  TrialRecord,
} from "./types.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface MemoryJournal extends ExperimentJournal {
  /** The trials recorded, by number. */
  trials(): TrialRecord[];
  /** How the experiment ended, once it has. */
  end(): ExperimentEnd | undefined;
  /** Every observation recorded, by trial number, in order. */
  observations(number: number): readonly ObservationPoint[];
}

/** A new, empty in-memory journal. */
export function createMemoryJournal(): MemoryJournal {
  const trials = new Map<number, Mutable<TrialRecord>>();
  const observations = new Map<number, ObservationPoint[]>();
  let ended: ExperimentEnd | undefined;
  let objective: string | undefined;
  const journal: MemoryJournal = {
    open(spec: ExperimentSpec, _source: ExperimentSource): TrialRecord[] {
      objective = spec.objective.metrics[0]?.name;
      ended = undefined;
      return journal.trials();
    },
    createTrial(t) {
      trials.set(t.number, { ...t, state: "PENDING", metrics: {}, intermediate: [] });
    },
    updateTrial(number, patch: TrialPatch) {
      const t = trials.get(number);
      if (t === undefined) throw new Error(`trial ${number} was never created`);
      for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) continue;
        if (v === null) delete (t as Record<string, unknown>)[k];
        else (t as Record<string, unknown>)[k] = v;
      }
    },
    clearObservations(number) {
      observations.delete(number);
      const t = trials.get(number);
      if (t) t.intermediate = [];
    },
    observe(number, points) {
      const list = observations.get(number) ?? [];
      list.push(...points);
      observations.set(number, list);
      const t = trials.get(number);
      if (t) {
        t.intermediate = list.filter((p) => p.metric === objective).map((p) => ({ step: p.step, value: p.value }));
      }
    },
    setBest() {},
    finish(end) {
      ended = end;
    },
    close() {},
    trials() {
      return [...trials.values()].sort((a, b) => a.number - b.number).map((t) => ({ ...t }));
    },
    end: () => ended,
    observations: (number) => observations.get(number) ?? [],
  };
  return journal;
}

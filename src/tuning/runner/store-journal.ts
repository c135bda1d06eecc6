/**
 * The journal in a Weft home's store (`store.tuning`). `open` creates the experiment, or
 * resumes it: the same name with another source digest is TUNING_EXPERIMENT_CHANGED, an
 * owner still alive (judged as run owners are, `ownerGone`) is TUNING_EXPERIMENT_BUSY.
 * While open, the owner's heartbeat is written every second. Loaded only by callers with
 * a store, so the runner itself never imports the store.
 */
import { ownerGone, thisOwner } from "../../engine/owner.ts";
import type { Store, TuningExperiment, TuningTrial } from "../../store/index.ts";
import { TuningError } from "../errors.ts";
import type { ExperimentSpec } from "../types.ts";
import { serialisableSpec } from "./source.ts";
import type { ExperimentJournal, ExperimentSource, TrialRecord } from "./types.ts";

const HEARTBEAT_MS = 1000;

function toRecord(store: Store, t: TuningTrial, objective: string): TrialRecord {
  const intermediate = store.tuning
    .listObservations(t.experimentId, t.number, objective)
    .map((o) => ({ step: o.step, value: o.value }));
  const r: Record<string, unknown> = {
    number: t.number,
    name: t.name,
    params: t.params,
    state: t.state,
    metrics: t.metrics,
    intermediate,
  };
  if (Object.keys(t.meta).length > 0) r.meta = t.meta;
  for (const k of ["reason", "message", "values", "runId", "startedAt", "finishedAt"] as const) {
    if (t[k] !== undefined) r[k] = t[k];
  }
  return r as unknown as TrialRecord;
}

export interface StoreJournal extends ExperimentJournal {
  /** The experiment's row, once opened. */
  experiment(): TuningExperiment | undefined;
}

/** A journal over `store` (not closed by the journal). */
export function createStoreJournal(store: Store): StoreJournal {
  let current: TuningExperiment | undefined;
  let timer: NodeJS.Timeout | undefined;
  const owner = thisOwner();

  const id = (): string => {
    if (current === undefined) throw new Error("the journal is not open");
    return current.id;
  };

  function claim(spec: ExperimentSpec, source: ExperimentSource): TuningExperiment {
    const where = spec.file ?? `experiment "${spec.name}"`;
    const found = store.tuning.getExperimentByName(spec.name);
    if (found === undefined) {
      const created = store.tuning.createExperiment({
        name: spec.name,
        source: source.text,
        sourceDigest: source.digest,
        spec: serialisableSpec(spec),
        algorithm: spec.algorithm.name,
      });
      if (!store.tuning.claimExperiment(created.id, owner, null)) {
        throw new TuningError("TUNING_EXPERIMENT_BUSY", `${where}: another process claimed "${spec.name}" first`);
      }
      return created;
    }
    if (found.sourceDigest !== source.digest) {
      throw new TuningError(
        "TUNING_EXPERIMENT_CHANGED",
        `${where}: the home already has a tuning experiment named "${spec.name}" run from another spec (created ${new Date(found.createdAt).toISOString()}); its trials would not be comparable. Give this experiment another metadata.name (or name:), or delete the recorded one to start it over.`,
      );
    }
    if (found.ownerInstance !== undefined || found.ownerPid !== undefined) {
      const gone = ownerGone(found, Date.now());
      if (gone === undefined) {
        throw new TuningError(
          "TUNING_EXPERIMENT_BUSY",
          `${where}: "${spec.name}" is being run by pid ${found.ownerPid} on ${found.ownerHost}; wait for it to end or stop that process, then run it again to resume.`,
        );
      }
    }
    if (!store.tuning.claimExperiment(found.id, owner, found.ownerInstance ?? null)) {
      throw new TuningError("TUNING_EXPERIMENT_BUSY", `${where}: another process resumed "${spec.name}" first`);
    }
    return found;
  }

  const journal: StoreJournal = {
    open(spec, source) {
      current = claim(spec, source);
      const experimentId = current.id;
      timer = setInterval(() => {
        try {
          store.tuning.heartbeatExperiment(experimentId, owner.identity.instance);
        } catch {
          // a busy database skips one beat; the lease is far longer
        }
      }, HEARTBEAT_MS);
      timer.unref();
      const objective = spec.objective.metrics[0]?.name ?? "";
      return store.tuning.listTrials(experimentId).map((t) => toRecord(store, t, objective));
    },
    createTrial(t) {
      store.tuning.createTrial({
        experimentId: id(),
        number: t.number,
        name: t.name,
        params: { ...t.params },
        meta: { ...(t.meta ?? {}) },
      });
    },
    updateTrial(number, patch) {
      const { values, metrics, ...rest } = patch;
      store.tuning.updateTrial(id(), number, {
        ...rest,
        ...(values === undefined ? {} : { values: values === null ? null : [...values] }),
        ...(metrics === undefined ? {} : { metrics: { ...metrics } }),
      });
    },
    clearObservations(number) {
      store.tuning.clearObservations(id(), number);
    },
    observe(number, points) {
      store.tuning.appendObservations(id(), number, points);
    },
    setBest(number) {
      store.tuning.setBestTrial(id(), number ?? null);
    },
    finish(end) {
      const done = store.tuning.finishExperiment(id(), {
        state: end.state,
        reason: end.reason,
        ...(end.message === undefined ? {} : { message: end.message }),
        ...(end.bestTrial === undefined ? {} : { bestTrial: end.bestTrial }),
      });
      current = done;
    },
    close() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    experiment: () => (current ? store.tuning.getExperiment(current.id) : undefined),
  };
  return journal;
}

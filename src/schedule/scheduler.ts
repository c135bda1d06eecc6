/**
 * The recurring-run scheduler: on each tick it finds enabled recurring runs whose next
 * fire time has come, claims each fire with the store's compare-and-set
 * (`recurringRuns.claimDue`) and records the run in the same transaction. A fire is
 * therefore recorded exactly once, even when the process dies between two statements or
 * several processes tick the same store: a restart neither fires a run twice nor loses
 * a due one. The created run is PENDING; `onFired` hands it to whoever executes runs.
 */
import { randomUUID } from "node:crypto";
import { ACTIVE_RUN_STATES, type JsonValue } from "../ir/index.ts";
import type { RecurringRun, Store } from "../store/index.ts";
import { substituteParameterMacros } from "./macros.ts";
import { compileTrigger, latestDueFireTime, nextFireTime, type Trigger } from "./trigger.ts";

/** Options of a {@link Scheduler}. */
export interface SchedulerOptions {
  store: Store;
  /** Epoch milliseconds; tests pass a controllable clock. Default `Date.now`. */
  clock?: () => number;
  /** Called after a fired run was committed (PENDING), e.g. to queue it for execution. */
  onFired?: (runId: string, recurringRun: RecurringRun) => void;
  /** Called when a recurring run cannot fire (bad trigger, deleted pipeline version). */
  onError?: (recurringRunId: string, error: unknown) => void;
  /** At most this many fires per recurring run per tick (catch-up happens over ticks). Default 100. */
  maxFiresPerTick?: number;
}

/** One run created by a tick. */
export interface FiredRun {
  runId: string;
  recurringRunId: string;
  scheduledAt: number;
  index: number;
}

const ACTIVE_STATES: JsonValue = [...ACTIVE_RUN_STATES];

/**
 * The first fire time of a recurring run created at `createdAt`: with a start time in the
 * past, catch-up begins at the start time, as in KFP.
 */
export function firstFireTime(trigger: Trigger, createdAt: number): number | undefined {
  const compiled = compileTrigger(trigger);
  const after = trigger.startTime !== undefined ? trigger.startTime - 1 : createdAt;
  return nextFireTime(compiled, after, createdAt);
}

/**
 * The next fire time after `now` (used when a recurring run is enabled again: the time it
 * was disabled is not caught up).
 */
export function nextFireAfter(trigger: Trigger, now: number, createdAt: number): number | undefined {
  const compiled = compileTrigger(trigger);
  const after = trigger.startTime !== undefined ? Math.max(now, trigger.startTime - 1) : now;
  return nextFireTime(compiled, after, createdAt);
}

/** Fires due recurring runs; see the module comment for its guarantees. */
export class Scheduler {
  private readonly store: Store;
  private readonly clock: () => number;
  private readonly opts: SchedulerOptions;
  private timer: NodeJS.Timeout | undefined;

  constructor(opts: SchedulerOptions) {
    this.opts = opts;
    this.store = opts.store;
    this.clock = opts.clock ?? Date.now;
  }

  /** Fires every due run of every enabled recurring run once; returns what it created. */
  tick(): FiredRun[] {
    const fired: FiredRun[] = [];
    let pageToken: string | undefined;
    do {
      const page = this.store.recurringRuns.list({
        filter: [{ field: "mode", op: "EQUALS", value: "ENABLE" }],
        pageSize: 200,
        ...(pageToken ? { pageToken } : {}),
      });
      for (const rr of page.items) {
        try {
          fired.push(...this.fireDue(rr));
        } catch (err) {
          this.opts.onError?.(rr.id, err);
        }
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
    return fired;
  }

  /** Ticks every `intervalMs` (default 1 s) until {@link stop}. */
  start(intervalMs = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (err) {
        this.opts.onError?.("*", err);
      }
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the periodic tick. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private activeRuns(rr: RecurringRun): number {
    return this.store.runs.list({
      filter: [
        { field: "recurringRunId", op: "EQUALS", value: rr.id },
        { field: "state", op: "IN", value: ACTIVE_STATES },
      ],
      pageSize: 1,
    }).totalSize;
  }

  private fireDue(initial: RecurringRun): FiredRun[] {
    const compiled = compileTrigger(initial.trigger);
    const now = this.clock();
    let next = initial.nextFireAt;
    if (next === undefined) {
      if (initial.lastFiredAt !== undefined) return []; // past its end time
      next = firstFireTime(initial.trigger, initial.createdAt);
      if (next === undefined) return [];
      this.store.recurringRuns.update(initial.id, { nextFireAt: next });
    }
    const fired: FiredRun[] = [];
    const limit = this.opts.maxFiresPerTick ?? 100;
    while (next !== undefined && next <= now && fired.length < limit) {
      if (this.activeRuns(initial) >= Math.max(1, initial.maxConcurrency)) break;
      const expected: number = next;
      const scheduledAt = initial.noCatchup ? latestDueFireTime(compiled, expected, now, initial.createdAt) : expected;
      const newNext = nextFireTime(compiled, scheduledAt, initial.createdAt);
      const run = this.claimAndRecord(initial, expected, scheduledAt, newNext, now);
      if (!run) break;
      fired.push(run);
      this.opts.onFired?.(run.runId, initial);
      next = newNext;
    }
    return fired;
  }

  private claimAndRecord(
    rr: RecurringRun,
    expected: number,
    scheduledAt: number,
    newNext: number | undefined,
    now: number,
  ): FiredRun | undefined {
    return this.store.transaction(() => {
      if (!this.store.recurringRuns.claimDue(now, rr.id, expected, newNext)) return undefined;
      const current = this.store.recurringRuns.get(rr.id) ?? rr;
      const spec =
        current.pipelineSpec ??
        (current.pipelineVersionId ? this.store.pipelines.getVersion(current.pipelineVersionId)?.spec : undefined);
      if (!spec) {
        throw new Error(
          `recurring run ${rr.id} ("${rr.displayName}") has no pipeline spec and its pipeline version is gone; delete it or create it again with a pipeline_version_reference that exists.`,
        );
      }
      const index =
        this.store.runs.list({ filter: [{ field: "recurringRunId", op: "EQUALS", value: rr.id }], pageSize: 1 })
          .totalSize + 1;
      const runId = randomUUID();
      const parameters = substituteParameterMacros(current.parameters, { scheduledAt, currentAt: now, index, runId });
      const version = current.pipelineVersionId
        ? this.store.pipelines.getVersion(current.pipelineVersionId)
        : undefined;
      this.store.runs.create({
        id: runId,
        experimentId: current.experimentId,
        displayName: `${current.displayName}-${index}`,
        description: current.description,
        ...(version ? { pipelineVersionId: version.id } : {}),
        ...(version?.platformSpec ? { platformSpec: version.platformSpec } : {}),
        pipelineSpec: spec,
        parameters,
        createdAt: now,
        scheduledAt,
        recurringRunId: rr.id,
        namespace: current.namespace,
        ...(current.pipelineRoot ? { pipelineRoot: current.pipelineRoot } : {}),
        ...(current.serviceAccount ? { serviceAccount: current.serviceAccount } : {}),
      });
      return { runId, recurringRunId: rr.id, scheduledAt, index };
    });
  }
}

/**
 * The server's run queue. Runs created over the API (or fired by a recurring run) are
 * recorded PENDING first, so a restart loses nothing; the queue then executes them with
 * at most `concurrency` runs at a time. On start it re-queues PENDING runs that no live
 * process owns (created before a restart), after the engine marked orphaned RUNNING runs.
 */
import { EventEmitter } from "node:events";
import type { EngineEvent, EngineEventEmitter } from "../engine/index.ts";
import { UNSTOPPED_RUN_STATES } from "../ir/index.ts";
import type { Store } from "../store/index.ts";

/** What executes a recorded run; the default wraps `Engine.resumeRun`. */
export interface RunExecutor {
  /** Executes the PENDING run `runId`; `done` settles when the run reaches a final state. */
  execute(runId: string): { events: EngineEventEmitter; done: Promise<unknown> };
  /** Cancels a run that is executing in this process or elsewhere. */
  cancel(runId: string): void;
}

/** Options of a {@link RunQueue}. */
export interface RunQueueOptions {
  store: Store;
  executor: RunExecutor;
  /** Runs executed at once; default 4; 0 keeps runs queued (execution paused). */
  concurrency?: number;
  /** Called when a run could not be started; the run is marked FAILED. */
  onError?: (runId: string, error: unknown) => void;
}

/** A FIFO of run ids executed with a concurrency limit; emits every engine event as `event`. */
export class RunQueue {
  /** Engine events of all runs executing in this process (`on("event", fn)`). */
  readonly events: EngineEventEmitter = new EventEmitter() as EngineEventEmitter;
  private readonly pending: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly opts: RunQueueOptions;
  private readonly concurrency: number;
  private stopped = false;

  constructor(opts: RunQueueOptions) {
    this.opts = opts;
    this.concurrency = Math.max(0, opts.concurrency ?? 4);
    this.events.setMaxListeners(0);
  }

  /** Queues a recorded PENDING run. Queuing the same id twice has no effect. */
  enqueue(runId: string): void {
    if (this.stopped || this.queued.has(runId) || this.running.has(runId)) return;
    this.queued.add(runId);
    this.pending.push(runId);
    this.pump();
  }

  /** Re-queues PENDING runs without an owner (created before a restart); returns their ids. */
  recover(): string[] {
    const ids: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = this.opts.store.runs.listSummaries({
        filter: [{ field: "state", op: "EQUALS", value: "PENDING" }],
        sort: { field: "createdAt", desc: false },
        pageSize: 500,
        ...(pageToken ? { pageToken } : {}),
      });
      for (const run of page.items) if (run.ownerPid === undefined) ids.push(run.id);
      pageToken = page.nextPageToken;
    } while (pageToken);
    for (const id of ids) this.enqueue(id);
    return ids;
  }

  /** Removes a queued run that has not started; returns whether it was queued. */
  dequeue(runId: string): boolean {
    if (!this.queued.has(runId)) return false;
    this.queued.delete(runId);
    const i = this.pending.indexOf(runId);
    if (i >= 0) this.pending.splice(i, 1);
    return true;
  }

  /** Whether the run is executing in this process. */
  isRunning(runId: string): boolean {
    return this.running.has(runId);
  }

  /** Resolves when the run stops executing in this process (at once if it is not executing), or after `timeoutMs`. */
  async whenDone(runId: string, timeoutMs = 10_000): Promise<void> {
    const running = this.running.get(runId);
    if (!running) return;
    await Promise.race([running, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  /** Counts of queued and executing runs. */
  stats(): { queued: number; running: number; concurrency: number } {
    return { queued: this.pending.length, running: this.running.size, concurrency: this.concurrency };
  }

  /**
   * Stops taking runs at once (queued runs stay PENDING in the store for the next start)
   * and waits for the executing ones (up to `timeoutMs`).
   */
  async stop(timeoutMs = 5000): Promise<void> {
    this.stopped = true;
    this.pending.length = 0;
    this.queued.clear();
    const all = Promise.allSettled([...this.running.values()]);
    await Promise.race([all, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.concurrency && this.pending.length > 0) {
      const runId = this.pending.shift() as string;
      this.queued.delete(runId);
      this.start(runId);
    }
  }

  private start(runId: string): void {
    const run = this.opts.store.runs.get(runId);
    if (run?.state !== "PENDING") return; // canceled or deleted while queued
    let done: Promise<unknown>;
    try {
      const handle = this.opts.executor.execute(runId);
      const forward = (e: EngineEvent): void => {
        this.events.emit("event", e);
      };
      handle.events.on("event", forward);
      done = handle.done.finally(() => handle.events.off("event", forward));
    } catch (err) {
      done = Promise.reject(err);
    }
    const tracked = done
      .catch((err: unknown) => {
        this.opts.onError?.(runId, err);
        const message = err instanceof Error ? err.message : String(err);
        const code = (err as { code?: unknown } | null)?.code;
        try {
          this.opts.store.runs.transitionState(runId, UNSTOPPED_RUN_STATES, "FAILED", {
            error: { code: typeof code === "string" ? code : "EXECUTION_FAILED", message },
          });
        } catch {
          // the store was closed or the run deleted meanwhile: nothing left to mark
        }
      })
      .finally(() => {
        this.running.delete(runId);
        this.pump();
      });
    this.running.set(runId, tracked);
  }
}

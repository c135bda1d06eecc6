/**
 * One run executing in this process: owns it in the store (pid, host, heartbeat), polls
 * for cross-process cancellation, executes the root DAG and records the final state.
 */
import type { ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { isTerminalTaskState, type JsonValue, UNFINISHED_TASK_STATES, UNSTOPPED_RUN_STATES } from "../ir/index.ts";
import type { Run, Store, Task } from "../store/index.ts";
import type { RunContext, RunSettings } from "./context.ts";
import { executeDag } from "./dag-executor.ts";
import { type RunErrorCode, taskFailure } from "./errors.ts";
import { thisOwner } from "./owner.ts";
import { killTree } from "./process-tree.ts";
import { recordRootArtifacts } from "./root-artifacts.ts";
import { runMetricPlan } from "./run-metrics.ts";
import { runtimeValuesOf } from "./runtime-values.ts";
import type { Scheduler } from "./scheduler.ts";
import { buildSummary } from "./summary.ts";
import type { Capacity, EngineEvent, EngineEventEmitter, RunSummary, RuntimeState } from "./types.ts";

/** How often the owner writes its heartbeat and polls for cancellation. */
export const HEARTBEAT_MS = 1000;

/** What a {@link RunExecution} needs. */
export interface RunExecutionInit {
  run: Run;
  store: Store;
  scheduler: Scheduler;
  capacity: Capacity;
  settings: RunSettings;
  clock: () => number;
  previous: Map<string, Task>;
  /** The run's parameters with defaults filled in. */
  parameters: Record<string, JsonValue>;
}

/** A run being executed by this process. */
export class RunExecution {
  readonly events: EngineEventEmitter = new EventEmitter<{ event: [EngineEvent] }>();
  private readonly init: RunExecutionInit;
  private readonly abort = new AbortController();
  private readonly drain = new AbortController();
  private readonly procs = new Set<ChildProcess>();
  private handingOver = false;
  /** Set when another process took the run over (this owner was deemed gone): write nothing more. */
  private lost = false;
  private instance: string | undefined;

  constructor(init: RunExecutionInit) {
    this.init = init;
    // Listeners are optional; an 'error'-free emitter never throws on emit.
    this.events.setMaxListeners(0);
  }

  /** Requests cancellation: kills live process trees; the run ends CANCELED. */
  cancel(): void {
    if (this.abort.signal.aborted) return;
    const { store, run, clock } = this.init;
    store.runs.transitionState(run.id, UNSTOPPED_RUN_STATES, "CANCELING", { at: clock() });
    this.emitRun("CANCELING");
    this.abort.abort();
    for (const p of this.procs) if (p.pid !== undefined) killTree(p.pid, this.init.settings.killGraceMs);
  }

  /**
   * Hands the run over to the next process that opens the store (graceful shutdown): no
   * task starts from now on, running tasks get up to `waitMs` to finish (and are
   * recorded), then the rest are killed. Unless it finished meanwhile, the run is then
   * recorded PENDING without an owner, which the next `weft server` start resumes,
   * reusing every task that succeeded.
   */
  async handOver(waitMs: number): Promise<void> {
    if (this.abort.signal.aborted) return;
    this.handingOver = true;
    this.drain.abort();
    const end = Date.now() + waitMs;
    while (this.procs.size > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    if (this.abort.signal.aborted) return;
    this.abort.abort();
    for (const p of this.procs) if (p.pid !== undefined) killTree(p.pid, this.init.settings.killGraceMs);
  }

  private emitRun(state: RuntimeState, error?: string): void {
    const e: EngineEvent = { type: "run", runId: this.init.run.id, state, at: this.init.clock() };
    if (error !== undefined) e.error = error;
    this.events.emit("event", e);
  }

  /** Executes the run to a terminal state; resolves with its summary, never rejects. */
  async start(): Promise<RunSummary> {
    const { store, run, clock } = this.init;
    const started = clock();
    const owner = thisOwner();
    this.instance = owner.identity.instance;
    store.runs.setOwner(run.id, owner.pid, owner.host, started, owner.identity);
    store.runs.updateState(run.id, "RUNNING", { at: started, error: null });
    const timer = setInterval(() => this.beat(), HEARTBEAT_MS);
    timer.unref();
    const ctx: RunContext = {
      runId: run.id,
      runName: run.displayName,
      experimentId: run.experimentId,
      runtime: runtimeValuesOf(run, this.init.settings.artifactsDir),
      spec: run.pipelineSpec,
      ...(run.platformSpec ? { platformSpec: run.platformSpec } : {}),
      runMetrics: runMetricPlan(run.pipelineSpec, run.platformSpec),
      store,
      scheduler: this.init.scheduler,
      capacity: this.init.capacity,
      settings: this.init.settings,
      signal: this.abort.signal,
      clock,
      emit: (e) => this.events.emit("event", e),
      previous: this.init.previous,
      procs: this.procs,
      draining: this.drain.signal,
    };
    let state: RuntimeState;
    let error: { code: RunErrorCode; message: string; action?: string } | undefined;
    let outputs: Awaited<ReturnType<typeof executeDag>>["outputs"] = { parameters: {}, artifacts: {} };
    try {
      await new Promise((r) => setImmediate(r)); // let callers attach listeners first
      this.emitRun("RUNNING");
      const r = await executeDag(ctx, run.pipelineSpec.root, "root", undefined, {
        parameters: this.init.parameters,
        artifacts: await recordRootArtifacts(ctx, run),
      });
      outputs = r.outputs;
      if (this.abort.signal.aborted || r.state === "CANCELED") {
        state = "CANCELED";
        error = { code: "CANCELED", message: "the run was canceled", action: "weft runs retry runs it again" };
      } else if (r.state === "FAILED") {
        state = "FAILED";
        error = {
          code: "TASK_FAILED",
          message: r.error?.message ?? "a task failed",
          ...(r.error ? { action: r.error.action } : {}),
        };
      } else state = "SUCCEEDED";
    } catch (e) {
      state = "FAILED";
      error = {
        code: "INTERNAL",
        message: `the engine failed: ${(e as Error).message}`,
        action: "report it with the message; weft runs retry may succeed",
      };
    } finally {
      clearInterval(timer);
    }
    const finished = clock();
    if (this.lost) {
      this.emitRun("FAILED", "another process recovered this run; this process stopped executing it");
      return buildSummary(store, run.id, outputs, this.init.settings.artifactsDir, finished - started);
    }
    if (this.handingOver && state !== "SUCCEEDED" && this.stoppedByHandOver()) {
      store.transaction(() => {
        store.tasks.markUnfinishedAs(
          run.id,
          UNFINISHED_TASK_STATES,
          "CANCELED",
          finished,
          taskFailure("OWNER_STOPPED", "the process running the run stopped before this task finished"),
        );
        store.runs.updateState(run.id, "PENDING", { at: finished, error: null });
        store.runs.clearOwner(run.id);
      });
      this.emitRun("PENDING");
      return buildSummary(store, run.id, outputs, this.init.settings.artifactsDir, finished - started);
    }
    if (state !== "SUCCEEDED") {
      store.tasks.markUnfinishedAs(
        run.id,
        UNFINISHED_TASK_STATES,
        state === "CANCELED" ? "CANCELED" : "FAILED",
        finished,
        state === "CANCELED"
          ? taskFailure("CANCELED", "the run was canceled")
          : taskFailure("INTERNAL", error?.message ?? "the run ended before this task finished"),
      );
    }
    store.runs.updateState(run.id, state, { at: finished, finishedAt: finished, error: error ?? null });
    store.runs.clearOwner(run.id);
    this.emitRun(state, error?.message);
    return buildSummary(store, run.id, outputs, this.init.settings.artifactsDir, finished - started);
  }

  /** Whether the hand-over stopped a task (one is CANCELED or unfinished), rather than the run failing by itself. */
  private stoppedByHandOver(): boolean {
    const { store, run } = this.init;
    return store.tasks.listByRun(run.id).some((t) => t.state === "CANCELED" || !isTerminalTaskState(t.state));
  }

  private beat(): void {
    const { store, run, clock } = this.init;
    try {
      if (!store.runs.heartbeat(run.id, clock(), this.instance)) {
        // Recovered by another process while this one was stalled past the lease: stop,
        // kill the task processes and leave the record to its new owner.
        this.lost = true;
        this.abort.abort();
        for (const p of this.procs) if (p.pid !== undefined) killTree(p.pid, this.init.settings.killGraceMs);
        return;
      }
      if (!this.abort.signal.aborted && store.runs.get(run.id)?.cancelRequested) this.cancel();
    } catch {
      // A busy database only delays the heartbeat; the next beat retries.
    }
  }
}

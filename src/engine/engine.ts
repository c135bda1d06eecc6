/**
 * The {@link Engine}: the one entry point the CLI and the server use to start, resume,
 * cancel and plan runs.
 */
import type { PipelinePackage } from "../ir/spec.ts";
import type { JsonValue } from "../ir/spec.ts";
import { EngineError } from "./errors.ts";
import type { Capacity, PlanResult, RunHandle, StartRunRequest } from "./types.ts";

/** Options of an {@link Engine}. */
export interface EngineOptions {
  /** `$WEFT_HOME`, resolved by the caller (default `./.weft`). */
  home: string;
  /** The metadata store (`openStore(home)`). */
  store: unknown;
  /** The artifact store (LocalArtifactStore at `<home>/artifacts`). */
  artifacts: unknown;
  /** Global cap on concurrently running tasks; default = capacity. */
  maxParallel?: number;
  /** Override detected capacity (tests use this). */
  capacity?: Partial<Capacity>;
  /** Where TS task programs are written (default `<cwd>/node_modules/.cache/weft/programs`). */
  programRoot?: string;
  /** Clock in epoch milliseconds (default `Date.now`). */
  clock?: () => number;
}

/** The local execution engine. */
export class Engine {
  readonly opts: EngineOptions;
  constructor(opts: EngineOptions) {
    this.opts = opts;
  }
  /** Records the run (PENDING), then executes it in this process. */
  startRun(_req: StartRunRequest): RunHandle {
    throw new EngineError("INTERNAL", "Engine.startRun is being implemented");
  }
  /** Resumes a FAILED, CANCELED or orphaned run: reuses finished tasks, reruns the rest. */
  resumeRun(_runId: string): RunHandle {
    throw new EngineError("INTERNAL", "Engine.resumeRun is being implemented");
  }
  /** Cancels a run: in-process kills the process trees; otherwise asks the owner to. */
  cancelRun(_runId: string): void {
    throw new EngineError("INTERNAL", "Engine.cancelRun is being implemented");
  }
  /** Dry run: resolves the whole DAG statically without executing anything. */
  plan(_pipeline: PipelinePackage, _parameters?: Record<string, JsonValue>): PlanResult {
    throw new EngineError("INTERNAL", "Engine.plan is being implemented");
  }
  /** Marks runs whose owner process is dead as FAILED (OWNER_DIED); returns their ids. */
  recoverOrphans(): string[] {
    return [];
  }
}

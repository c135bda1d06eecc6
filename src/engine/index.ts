/**
 * The local execution engine: plans KFP v2 IR into DAG executions and runs them on this
 * machine (child processes, resource-bounded scheduling, CEL conditions, loops, exit
 * handlers, retries, caching, cancellation and resume).
 */

export { explainCacheMiss, type Fingerprint, fingerprint } from "./cache.ts";
export { evaluateCondition, selectExpression } from "./cel.ts";
export type { EngineOptions } from "./engine.ts";
export { Engine } from "./engine.ts";
export type { EngineErrorCode, RunErrorCode, TaskErrorCode, TaskFailure } from "./errors.ts";
export { EngineError, ParameterError, PlanError, TASK_ERRORS, TaskError } from "./errors.ts";
export { FileFollower, tailLines } from "./log-files.ts";
export { resolveRunParameters } from "./params.ts";
export { defaultMaxParallel, detectCapacity, type ParallelCap, parseCpu, parseMemory } from "./resources.ts";
export { parseDuration } from "./retry.ts";
export { checkRootArtifacts } from "./root-artifacts.ts";
export type {
  Capacity,
  EngineEvent,
  EngineEventEmitter,
  PlannedTask,
  PlanResult,
  ResourceDemand,
  RunHandle,
  RunSummary,
  RuntimeState,
  StartRunRequest,
  TaskKind,
  TaskState,
  TaskSummary,
} from "./types.ts";

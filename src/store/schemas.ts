/**
 * Runtime schemas of the JSON columns the store reads back. Each column's TypeScript type
 * is derived from its schema, so what is written and what is read agree on one shape.
 */
import { z } from "zod";
import { type JsonValue, JsonValueSchema } from "../ir/spec.ts";
import { RUNTIME_STATES, TASK_STATES } from "../ir/states.ts";

/** A run's lifecycle state, as KFP's `V2beta1RuntimeState`. */
export const RuntimeStateSchema = z.enum(RUNTIME_STATES);
/** A run's lifecycle state. */
export type RuntimeState = z.infer<typeof RuntimeStateSchema>;

/** A task's lifecycle state. */
export const TaskStateSchema = z.enum(TASK_STATES);
/** A task's lifecycle state. */
export type TaskState = z.infer<typeof TaskStateSchema>;

/** One entry of a run's state history. */
export const RunStateChangeSchema = z.looseObject({ state: RuntimeStateSchema, at: z.number() });
/** One entry of a run's state history. */
export type RunStateChange = z.infer<typeof RunStateChangeSchema>;
/** The state history column of a run. */
export const RunStateHistorySchema = z.array(RunStateChangeSchema);

/** Why a run failed: the code, the message and, where known, the action to take. */
export const RunErrorSchema = z.looseObject({ code: z.string(), message: z.string(), action: z.string().optional() });
/** Why a run failed. */
export type RunError = z.infer<typeof RunErrorSchema>;

/**
 * Why a task or one of its attempts failed, was canceled or was skipped: a code of the
 * engine's task failure catalogue (absent in records written before codes existed), the
 * message, the action to take and the end of the task's stderr.
 */
export const TaskErrorSchema = z.looseObject({
  code: z.string().optional(),
  message: z.string(),
  action: z.string().optional(),
  stderrTail: z.string().optional(),
});
/** Why a task attempt failed. */
export type TaskError = z.infer<typeof TaskErrorSchema>;

/** One attempt of a task (retries add attempts). */
export const TaskAttemptSchema = z.looseObject({
  attempt: z.number().int(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  exitCode: z.number().int().optional(),
  error: TaskErrorSchema.optional(),
});
/** One attempt of a task (retries add attempts). */
export type TaskAttempt = z.infer<typeof TaskAttemptSchema>;
/** The attempts column of a task. */
export const TaskAttemptsSchema = z.array(TaskAttemptSchema);

/** A record of JSON values keyed by name (parameters, outputs). */
export const JsonRecordSchema = z.record(z.string(), JsonValueSchema);

/** A task's resolved inputs: parameter values and input artifact ids per input name. */
export const TaskInputsSchema = z.looseObject({
  parameters: JsonRecordSchema,
  artifacts: z.record(z.string(), z.array(z.string())),
});
/** A task's resolved inputs. */
export type TaskInputs = z.infer<typeof TaskInputsSchema>;

/** A task's output parameter values. */
export const TaskOutputsSchema = z.looseObject({ parameters: JsonRecordSchema });
/** A task's output parameter values. */
export type TaskOutputs = z.infer<typeof TaskOutputsSchema>;

/** How the cache treated a task: its key, whether it hit, and why it missed. */
export const TaskCacheInfoSchema = z.looseObject({
  key: z.string(),
  hit: z.boolean(),
  sourceTaskId: z.string().optional(),
  sourceRunId: z.string().optional(),
  explanation: z.string().optional(),
  parts: z.record(z.string(), z.string()).optional(),
});
/** How the cache treated a task. */
export type TaskCacheInfo = z.infer<typeof TaskCacheInfoSchema>;

/** One output artifact remembered by a cache entry. */
export const CachedArtifactSchema = z.looseObject({
  uri: z.string(),
  schemaTitle: z.string(),
  schemaVersion: z.string(),
  metadata: JsonRecordSchema,
  digest: z.string().optional(),
});
/** One output artifact remembered by a cache entry. */
export type CachedArtifact = z.infer<typeof CachedArtifactSchema>;

/** The outputs a cache entry replays on a hit. */
export const CacheOutputsSchema = z.looseObject({
  parameters: JsonRecordSchema,
  artifacts: z.record(z.string(), z.array(CachedArtifactSchema)),
});
/** The outputs a cache entry replays on a hit. */
export type CacheOutputs = z.infer<typeof CacheOutputsSchema>;

/** When a recurring run fires: a cron expression or a fixed interval, within an optional window. */
export const TriggerSchema = z.looseObject({
  cron: z.looseObject({ expression: z.string(), format: z.enum(["6-field", "5-field"]) }).optional(),
  periodic: z.looseObject({ intervalSeconds: z.number().positive() }).optional(),
  startTime: z.number().optional(),
  endTime: z.number().optional(),
});
/** When a recurring run fires. */
export type Trigger = z.infer<typeof TriggerSchema>;

/** Anything JSON, as a column value. */
export type { JsonValue };

/** Tags of pipelines and pipeline versions: string keys to string values. */
export const TagsSchema = z.record(z.string(), z.string());

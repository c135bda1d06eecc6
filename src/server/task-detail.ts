/**
 * One task in Weft's extension JSON (`GET /apis/weft/v1/runs/{run_id}/tasks/{task_id}`):
 * its resolved inputs, output parameters, how the cache treated it, and every attempt.
 */
import type { Event, Task, TaskError } from "../store/index.ts";
import { compact, time } from "./kfp-json.ts";

/**
 * A task error in extension JSON: `code` is one of the engine's task failure codes
 * (absent for records written before codes existed), `action` says what to do.
 */
export interface TaskErrorJson {
  code?: string;
  message: string;
  action?: string;
  stderr_tail?: string;
}

/** One attempt of a task. */
export interface TaskAttemptJson {
  attempt: number;
  started_at?: string;
  finished_at?: string;
  exit_code?: number;
  error?: TaskErrorJson;
}

/** The task detail answer; unset fields are omitted. */
export interface TaskDetailJson {
  task_id: string;
  run_id: string;
  path: string;
  name: string;
  display_name: string;
  kind: string;
  state: string;
  started_at?: string;
  finished_at?: string;
  inputs: { parameters: Record<string, unknown>; artifacts: Record<string, string[]> };
  /** `artifacts`: output artifact ids by output name (the task's OUTPUT lineage events). */
  outputs: { parameters: Record<string, unknown>; artifacts: Record<string, string[]> };
  cache?: { key: string; hit: boolean; explanation?: string; source_run_id?: string; source_task_id?: string };
  attempts: TaskAttemptJson[];
  exit_code?: number;
  error?: TaskErrorJson;
}

function errorJson(e: TaskError | undefined): TaskErrorJson | undefined {
  return e ? compact({ code: e.code, message: e.message, action: e.action, stderr_tail: e.stderrTail }) : undefined;
}

/** A task record as {@link TaskDetailJson}; `events` are its lineage events. */
export function taskDetailJson(t: Task, events: readonly Event[] = []): TaskDetailJson {
  const byName = new Map<string, string[]>();
  for (const e of events) {
    if (e.type !== "OUTPUT" || e.taskId !== t.id) continue;
    const list = byName.get(e.name) ?? [];
    if (!list.includes(e.artifactId)) list.push(e.artifactId);
    byName.set(e.name, list);
  }
  const outputArtifacts: Record<string, string[]> = Object.fromEntries(byName);
  const out: Record<string, unknown> = compact({
    task_id: t.id,
    run_id: t.runId,
    path: t.path,
    name: t.name,
    display_name: t.displayName || t.name,
    kind: t.kind,
    state: t.state,
    started_at: time(t.startedAt),
    finished_at: time(t.finishedAt),
    inputs: { parameters: t.inputs.parameters, artifacts: t.inputs.artifacts },
    outputs: { parameters: t.outputs.parameters, artifacts: outputArtifacts },
    cache: t.cache
      ? compact({
          key: t.cache.key,
          hit: t.cache.hit,
          explanation: t.cache.explanation,
          source_run_id: t.cache.sourceRunId,
          source_task_id: t.cache.sourceTaskId,
        })
      : undefined,
    attempts: t.attempts.map((a) =>
      compact({
        attempt: a.attempt,
        started_at: time(a.startedAt),
        finished_at: time(a.finishedAt),
        exit_code: a.exitCode,
        error: errorJson(a.error),
      }),
    ),
    exit_code: t.exitCode,
    error: errorJson(t.error),
  });
  return out as unknown as TaskDetailJson;
}

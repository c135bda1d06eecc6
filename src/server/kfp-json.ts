/**
 * Store entities in KFP v2beta1 JSON: snake_case fields, RFC 3339 times, int64 as strings,
 * and unset fields omitted. Also the per-resource filter/sort field maps.
 */

import type {
  ApiExperiment,
  ApiPipeline,
  ApiPipelineVersion,
  ApiRecurringRun,
  ApiRun,
  ApiTaskDetail,
} from "../client/types.ts";
import { isTerminalRunState } from "../ir/index.ts";
import { compileTrigger, nextFireAfter, nextFireTime } from "../schedule/index.ts";
import type {
  Event,
  Experiment,
  Pipeline,
  PipelineVersion,
  RecurringRun,
  Run,
  RunMetric,
  RunSummary,
  RuntimeState,
  TableDecl,
  Task,
  TaskState,
} from "../store/index.ts";
import {
  EXPERIMENTS_TABLE,
  PIPELINE_VERSIONS_TABLE,
  PIPELINES_TABLE,
  RECURRING_RUNS_TABLE,
  RUNS_TABLE,
  timeFields,
  wireFields,
} from "../store/index.ts";
import type { ResourceFields } from "./query.ts";

/**
 * The wire shapes: each JSON function below returns the typed client's type, so a field
 * the server writes and the client does not read (or the reverse) is a compile error.
 */
type Json = Record<string, unknown>;

/** Epoch ms to RFC 3339; `undefined` stays unset. */
export const time = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

/** Drops `undefined` and empty-string fields, as protojson omits unset fields. */
export function compact<T extends object>(o: T): T {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    if (v !== undefined && v !== "") out[k] = v;
  }
  return out as T;
}

/** A resource's filter and sort keys: its table's list fields, by their KFP names, newest first by default. */
const resourceFields = (resource: string, table: TableDecl): ResourceFields => ({
  resource,
  fields: wireFields(table),
  timeFields: timeFields(table),
  defaultSort: { field: "createdAt", desc: true },
});

/** Filter and sort keys of `GET /runs`: the runs table's list fields, by their KFP names. */
export const RUN_FIELDS: ResourceFields = { ...resourceFields("run", RUNS_TABLE), metrics: true };

/** Filter and sort keys of `GET /experiments`. */
export const EXPERIMENT_FIELDS: ResourceFields = resourceFields("experiment", EXPERIMENTS_TABLE);

/** Filter and sort keys of `GET /pipelines`. */
export const PIPELINE_FIELDS: ResourceFields = resourceFields("pipeline", PIPELINES_TABLE);

/** Filter and sort keys of `GET /pipelines/{id}/versions`. */
export const VERSION_FIELDS: ResourceFields = resourceFields("pipeline version", PIPELINE_VERSIONS_TABLE);

/** Filter and sort keys of `GET /recurringruns`. */
export const RECURRING_RUN_FIELDS: ResourceFields = resourceFields("recurring run", RECURRING_RUNS_TABLE);

/** `v2beta1Pipeline`. */
export function pipelineJson(p: Pipeline): ApiPipeline {
  return compact<ApiPipeline>({
    pipeline_id: p.id,
    name: p.name,
    display_name: p.displayName,
    description: p.description,
    created_at: time(p.createdAt),
    namespace: p.namespace,
    tags: tagsJson(p.tags),
  });
}

/** Tags as KFP writes them: omitted when there are none. */
const tagsJson = (tags: Record<string, string> | undefined): Record<string, string> | undefined =>
  tags && Object.keys(tags).length > 0 ? tags : undefined;

/** `v2beta1PipelineVersion`; the spec is included unless `withSpec` is false. */
export function versionJson(v: PipelineVersion, withSpec = true): ApiPipelineVersion {
  return compact<ApiPipelineVersion>({
    pipeline_id: v.pipelineId,
    pipeline_version_id: v.id,
    name: v.name,
    display_name: v.displayName,
    description: v.description,
    created_at: time(v.createdAt),
    code_source_url: v.codeSourceUrl,
    pipeline_spec: withSpec ? v.spec : undefined,
    tags: tagsJson(v.tags),
  });
}

/** `v2beta1Experiment`. */
export function experimentJson(e: Experiment): ApiExperiment {
  return compact<ApiExperiment>({
    experiment_id: e.id,
    display_name: e.displayName,
    description: e.description,
    created_at: time(e.createdAt),
    namespace: e.namespace,
    storage_state: e.storageState,
    last_run_created_at: time(e.lastRunCreatedAt),
  });
}

/** KFP has no CACHED run state: a cached task is SKIPPED ("skipped, e.g. due to caching"). */
export function taskRuntimeState(s: TaskState): RuntimeState {
  return s === "CACHED" ? "SKIPPED" : s;
}

/**
 * A run's or task's error as a `google.rpc.Status`: gRPC code 2 (UNKNOWN), the message,
 * and one `weft.ErrorInfo` whose `reason` is the engine's code and whose metadata holds
 * the action to take (no details for a task record written before codes existed).
 */
function statusJson(e: { code?: string; message: string; action?: string }): Json {
  return compact({
    code: 2,
    message: e.message,
    details:
      e.code !== undefined
        ? [
            compact({
              "@type": "type.googleapis.com/weft.ErrorInfo",
              reason: e.code,
              metadata: e.action !== undefined ? { action: e.action } : undefined,
            }),
          ]
        : undefined,
  });
}

/** KFP's `map<string, ArtifactList>`: artifact ids by input or output name; unset when empty. */
type ArtifactLists = Record<string, { artifact_ids: string[] }>;

function artifactLists(byName: Map<string, string[]>): ArtifactLists | undefined {
  // fromEntries defines own properties: an input named `__proto__` stays a name
  const entries = [...byName].filter(([, ids]) => ids.length > 0).map(([name, ids]) => [name, { artifact_ids: ids }]);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/**
 * A task's artifacts by name, as KFP's PipelineTaskDetail `inputs` and `outputs` carry
 * them: inputs from the task's resolved inputs (every node kind records them), outputs
 * from its OUTPUT lineage events; ids are the artifacts API's.
 */
function taskArtifacts(t: Task, events: readonly Event[]): { inputs?: ArtifactLists; outputs?: ArtifactLists } {
  const inputs = new Map(Object.entries(t.inputs.artifacts).map(([name, ids]) => [name, [...ids]]));
  const recorded = new Set(inputs.keys());
  const outputs = new Map<string, string[]>();
  for (const e of events) {
    if (e.type === "INPUT" && recorded.has(e.name)) continue;
    const into = e.type === "OUTPUT" ? outputs : inputs;
    const list = into.get(e.name) ?? [];
    if (!list.includes(e.artifactId)) list.push(e.artifactId);
    into.set(e.name, list);
  }
  const out: { inputs?: ArtifactLists; outputs?: ArtifactLists } = {};
  const i = artifactLists(inputs);
  const o = artifactLists(outputs);
  if (i) out.inputs = i;
  if (o) out.outputs = o;
  return out;
}

/** `v2beta1PipelineTaskDetail`; `events` (the task's lineage events) fill `inputs` and `outputs`. */
export function taskJson(t: Task, children: string[], events: readonly Event[] = []): ApiTaskDetail {
  return compact<ApiTaskDetail>({
    run_id: t.runId,
    task_id: t.id,
    display_name: t.displayName || t.name,
    create_time: time(t.createdAt),
    start_time: time(t.startedAt),
    end_time: time(t.finishedAt),
    state: taskRuntimeState(t.state),
    error: t.error ? statusJson(t.error) : undefined,
    ...taskArtifacts(t, events),
    parent_task_id: t.parentId,
    pod_name: t.path,
    child_tasks: children.length > 0 ? children.map((id) => ({ task_id: id })) : undefined,
  });
}

/** A run's given input artifacts as `runtime_config.input_artifacts` (a Weft extension); none: left out. */
function inputArtifactsJson(given: Record<string, string> | undefined): Record<string, { uri: string }> | undefined {
  const entries = Object.entries(given ?? {});
  return entries.length > 0 ? Object.fromEntries(entries.map(([name, uri]) => [name, { uri }])) : undefined;
}

/**
 * `v2beta1Run`; `tasks` adds `run_details.task_details`; `pipelineId` fills the version reference.
 * A {@link RunSummary} (what lists read) has no `pipeline_spec`: clients get one run for it.
 */
export function runJson(
  r: Run | RunSummary,
  opts: { pipelineId?: string; tasks?: Task[]; events?: Event[]; metrics?: RunMetric[] } = {},
): ApiRun {
  let runDetails: ApiRun["run_details"];
  if (opts.tasks) {
    const children = new Map<string, string[]>();
    for (const t of opts.tasks) {
      if (t.parentId) children.set(t.parentId, [...(children.get(t.parentId) ?? []), t.id]);
    }
    const events = new Map<string, Event[]>();
    for (const e of opts.events ?? []) events.set(e.taskId, [...(events.get(e.taskId) ?? []), e]);
    runDetails = {
      task_details: opts.tasks.map((t) => taskJson(t, children.get(t.id) ?? [], events.get(t.id) ?? [])),
    };
  }
  return compact<ApiRun>({
    experiment_id: r.experimentId,
    run_id: r.id,
    display_name: r.displayName,
    storage_state: r.storageState,
    description: r.description,
    pipeline_version_reference:
      r.pipelineVersionId && opts.pipelineId
        ? { pipeline_id: opts.pipelineId, pipeline_version_id: r.pipelineVersionId }
        : undefined,
    pipeline_spec: r.pipelineVersionId || !("pipelineSpec" in r) ? undefined : r.pipelineSpec,
    runtime_config: compact({
      parameters: r.parameters,
      pipeline_root: r.pipelineRoot,
      input_artifacts: inputArtifactsJson(r.inputArtifacts),
    }),
    service_account: r.serviceAccount,
    created_at: time(r.createdAt),
    scheduled_at: time(r.scheduledAt),
    finished_at: isTerminalRunState(r.state) ? time(r.finishedAt) : undefined,
    state: r.state,
    error: r.error ? statusJson(r.error) : undefined,
    run_details: runDetails,
    recurring_run_id: r.recurringRunId,
    state_history: r.stateHistory.map((s) => ({ update_time: time(s.at), state: s.state })),
    metrics: opts.metrics?.map((m) => ({ name: m.name, number_value: m.value })),
    tags: tagsJson(r.tags),
  });
}

/** `v2beta1RecurringRun`. */
export function recurringRunJson(rr: RecurringRun, opts: { pipelineId?: string; now?: number } = {}): ApiRecurringRun {
  const { trigger } = rr;
  const upcoming = opts.now === undefined ? [] : upcomingFireTimes(rr, opts.now);
  const window = { start_time: time(trigger.startTime), end_time: time(trigger.endTime) };
  return compact<ApiRecurringRun>({
    recurring_run_id: rr.id,
    display_name: rr.displayName,
    description: rr.description,
    pipeline_version_reference:
      rr.pipelineVersionId && opts.pipelineId
        ? { pipeline_id: opts.pipelineId, pipeline_version_id: rr.pipelineVersionId }
        : undefined,
    pipeline_spec: rr.pipelineVersionId ? undefined : rr.pipelineSpec,
    runtime_config: compact({ parameters: rr.parameters, pipeline_root: rr.pipelineRoot }),
    service_account: rr.serviceAccount,
    max_concurrency: String(rr.maxConcurrency),
    trigger: trigger.cron
      ? { cron_schedule: compact({ cron: trigger.cron.expression, ...window }) }
      : { periodic_schedule: compact({ interval_second: String(trigger.periodic?.intervalSeconds ?? 0), ...window }) },
    mode: rr.mode,
    created_at: time(rr.createdAt),
    updated_at: time(rr.updatedAt),
    status: rr.status,
    no_catchup: rr.noCatchup,
    namespace: rr.namespace,
    experiment_id: rr.experimentId,
    next_fire_times: upcoming.length > 0 ? upcoming : undefined,
  });
}

/**
 * The next `count` fire times after `now` (RFC 3339) of an enabled recurring run; none
 * when it is disabled, past its end time, or its trigger cannot be compiled.
 */
export function upcomingFireTimes(rr: RecurringRun, now: number, count = 5): string[] {
  if (rr.mode !== "ENABLE") return [];
  const out: string[] = [];
  try {
    const compiled = compileTrigger(rr.trigger);
    let next = nextFireAfter(rr.trigger, now, rr.createdAt);
    while (next !== undefined && out.length < count) {
      out.push(new Date(next).toISOString());
      next = nextFireTime(compiled, next, rr.createdAt);
    }
  } catch {
    return [];
  }
  return out;
}

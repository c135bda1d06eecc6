/**
 * ParallelFor: one `iteration-N` DAG per item (parameter items from a raw JSON list or
 * an input parameter, or artifacts from a list input), at most `parallelismLimit` (and
 * the engine's cap) at a time, each started as an earlier one finishes; outputs are
 * collected into lists.
 */
import { type ComponentSpec, iterationLabel, type JsonValue, type PipelineTaskSpec } from "../ir/index.ts";
import { emitTask, type NodeIO, type NodePlace, type NodeResult, type RunContext, toTaskInputs } from "./context.ts";
import { collectLoopOutputs } from "./dag-outputs.ts";
import { failureOf, TaskError, type TaskFailure } from "./errors.ts";
import { yieldToEventLoop } from "./scheduler.ts";
import type { TaskState } from "./types.ts";

type Item = { kind: "parameter"; value: JsonValue } | { kind: "artifact"; value: NodeIO["artifacts"][string] };

/** The items a loop task iterates over, naming the task when they are not a list. */
export function loopItems(task: PipelineTaskSpec, inputs: NodeIO, where: string): Item[] {
  if (task.artifactIterator) {
    const list = inputs.artifacts[task.artifactIterator.items.inputArtifact] ?? [];
    return list.map((a) => ({ kind: "artifact", value: [a] }));
  }
  const it = task.parameterIterator;
  if (!it) return [];
  let raw: JsonValue | undefined;
  if (it.items.raw !== undefined) raw = parseList(it.items.raw, where);
  else if (it.items.inputParameter !== undefined) {
    raw = inputs.parameters[it.items.inputParameter];
    if (typeof raw === "string") raw = parseList(raw, where);
  }
  if (!Array.isArray(raw)) {
    throw new TaskError(
      "INPUT_INVALID",
      `loop '${where}' iterates over ${JSON.stringify(raw ?? null)}, which is not a list; pass a JSON list`,
    );
  }
  return raw.map((value) => ({ kind: "parameter", value }));
}

function parseList(s: string, where: string): JsonValue {
  try {
    return JSON.parse(s) as JsonValue;
  } catch {
    throw new TaskError("INPUT_INVALID", `loop '${where}': items '${s}' are not a JSON list`);
  }
}

/** Runs one DAG instance (passed in by the DAG executor, which this module must not import). */
export type DagRunner = (
  ctx: RunContext,
  component: ComponentSpec,
  scopePath: string,
  parentId: string | undefined,
  inputs: NodeIO,
) => Promise<{ state: TaskState; outputs: NodeIO; error?: TaskFailure }>;

/** Records the loop node, runs its iterations bounded by `parallelismLimit`, collects outputs. */
export async function runLoopNode(
  ctx: RunContext,
  place: NodePlace,
  task: PipelineTaskSpec,
  component: ComponentSpec,
  inputs: NodeIO,
  executeDag: DagRunner,
): Promise<NodeResult> {
  const rec = ctx.store.tasks.upsert({
    runId: ctx.runId,
    path: place.path,
    name: place.name,
    displayName: place.label ?? place.name,
    kind: "loop",
    componentName: place.componentName,
    ...(place.parentId !== undefined ? { parentId: place.parentId } : {}),
    state: "RUNNING",
    startedAt: ctx.clock(),
    inputs: toTaskInputs(inputs),
  });
  emitTask(ctx, rec);
  let items: Item[];
  try {
    items = loopItems(task, inputs, place.path);
  } catch (e) {
    const msg = failureOf(e, "INPUT_INVALID");
    const t = ctx.store.tasks.update(rec.id, { state: "FAILED", finishedAt: ctx.clock(), error: msg });
    emitTask(ctx, t, { error: msg });
    return { state: "FAILED", outputs: { parameters: {}, artifacts: {} }, taskId: rec.id, error: msg };
  }
  const itemInput = task.parameterIterator?.itemInput ?? task.artifactIterator?.itemInput ?? "";
  const limit = task.iteratorPolicy?.parallelismLimit ?? 0;
  // Iterations start lazily, as earlier ones finish: a 10,000-item loop holds at most
  // `workers` iteration scopes, records and promises, never one per item up front.
  const results: NodeResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      await yieldToEventLoop();
      if (next >= items.length || ctx.signal.aborted) return;
      const i = next++;
      const item = items[i] as Item;
      const io: NodeIO = { parameters: { ...inputs.parameters }, artifacts: { ...inputs.artifacts } };
      if (item.kind === "parameter") io.parameters[itemInput] = item.value;
      else io.artifacts[itemInput] = item.value;
      const label = iterationLabel(item.kind === "parameter" ? item.value : undefined, i);
      results[i] = await runIteration(ctx, place, rec.id, i, label, component, io, executeDag);
    }
  };
  const cap = Math.min(limit > 0 ? limit : Number.POSITIVE_INFINITY, ctx.scheduler.maxParallel, items.length);
  await Promise.all(Array.from({ length: Math.max(1, cap) }, worker));
  // iterations never started (the run was canceled) leave holes in `results`
  const ran = results.filter((r) => r !== undefined);
  const failed = ran.find((r) => r.state === "FAILED");
  const state: TaskState = failed ? "FAILED" : ctx.signal.aborted ? "CANCELED" : "SUCCEEDED";
  const outputs = collectLoopOutputs(component, ran);
  const t = ctx.store.tasks.update(rec.id, {
    state,
    finishedAt: ctx.clock(),
    outputs: { parameters: outputs.parameters },
    ...(failed?.error !== undefined ? { error: failed.error } : {}),
  });
  emitTask(ctx, t, failed?.error !== undefined ? { error: failed.error } : {});
  return { state, outputs, taskId: rec.id, ...(failed?.error !== undefined ? { error: failed.error } : {}) };
}

async function runIteration(
  ctx: RunContext,
  loop: NodePlace,
  loopId: string,
  index: number,
  label: string,
  component: ComponentSpec,
  io: NodeIO,
  executeDag: DagRunner,
): Promise<NodeResult> {
  const path = `${loop.path}/iteration-${index}`;
  const rec = ctx.store.tasks.upsert({
    runId: ctx.runId,
    path,
    name: `iteration-${index}`,
    displayName: label,
    kind: "iteration",
    componentName: loop.componentName,
    parentId: loopId,
    iterationIndex: index,
    state: "RUNNING",
    startedAt: ctx.clock(),
    inputs: toTaskInputs(io),
  });
  emitTask(ctx, rec);
  const r = await executeDag(ctx, component, path, rec.id, io);
  const t = ctx.store.tasks.update(rec.id, {
    state: r.state,
    finishedAt: ctx.clock(),
    outputs: { parameters: r.outputs.parameters },
    error: r.error ?? null,
  });
  emitTask(ctx, t, r.error !== undefined ? { error: r.error } : {});
  return { state: r.state, outputs: r.outputs, taskId: rec.id, ...(r.error !== undefined ? { error: r.error } : {}) };
}

/**
 * Runs a container task as a child process of this machine: resolves its command line,
 * waits for resources, retries per its `retryPolicy`, records each attempt and, after
 * success, its outputs, then puts it in the cache.
 */
import { execFileSync } from "node:child_process";
import { insideRoot } from "../artifacts/index.ts";
import { type ComponentSpec, type ContainerSpec, isSuccessState, type PipelineTaskSpec } from "../ir/index.ts";
import { type Fail, lastAttempt, recordedError, runAttempt } from "./attempt.ts";
import { type CacheLookup, lookupCache } from "./cache-step.ts";
import { emitTask, type NodeIO, type NodePlace, type NodeResult, type RunContext, toTaskInputs } from "./context.ts";
import { failureOf, type TaskFailure, taskFailure } from "./errors.ts";
import { kubernetesNotes, kubernetesSettings, unrunnableContainer } from "./kubernetes.ts";
import { cacheOutputsOf, storedOutputs } from "./outputs-recorder.ts";
import { appendNoFollow } from "./process-tree.ts";
import { needsHostKfp } from "./python-env.ts";
import { localDemand, resolveResources, type TaskResources } from "./resources.ts";
import { backoffMs, maxAttempts, sleep } from "./retry.ts";
import { relPath } from "./task-io.ts";
import type { ResourceDemand } from "./types.ts";

let kfpAvailable: boolean | undefined;

/** Whether the host's python3 can import `kfp` (checked once per process). */
export function hostHasKfp(): boolean {
  if (kfpAvailable === undefined) {
    try {
      execFileSync("python3", ["-c", "import kfp"], { stdio: "ignore", timeout: 30_000 });
      kfpAvailable = true;
    } catch {
      kfpAvailable = false;
    }
  }
  return kfpAvailable;
}

/** Replaces `{{$.pipeline_task_uuid}}` in constant inputs once the task's id is known. */
function substituteTaskUuid(inputs: NodeIO, id: string): NodeIO | undefined {
  const marker = "{{$.pipeline_task_uuid}}";
  const entries = Object.entries(inputs.parameters);
  if (!entries.some(([, v]) => typeof v === "string" && v.includes(marker))) return undefined;
  const parameters = Object.fromEntries(
    entries.map(([k, v]) => [k, typeof v === "string" ? v.split(marker).join(id) : v]),
  );
  return { parameters, artifacts: inputs.artifacts };
}

/**
 * The task's resources and Kubernetes settings as this run uses them: the demand to
 * reserve and the notes on what is not honoured here, or the failure that stops it
 * (a placeholder whose value is not a quantity; with `strictResources`, a request this
 * machine cannot meet or data only a cluster provides).
 */
function localSettings(
  ctx: RunContext,
  path: string,
  component: ComponentSpec,
  container: ContainerSpec,
  inputs: NodeIO,
): { demand: ResourceDemand; notes: string[] } | { failure: TaskFailure } {
  let resources: TaskResources;
  try {
    resources = resolveResources(container.resources, inputs.parameters, path);
  } catch (e) {
    return { failure: failureOf(e, "SPEC_INVALID", path) };
  }
  const strict = ctx.settings.strictResources === true;
  const fitted = localDemand(path, resources, ctx.capacity, strict);
  if ("failure" in fitted) return fitted;
  const k8s = kubernetesNotes(path, kubernetesSettings(ctx.platformSpec, component.executorLabel), strict);
  if ("failure" in k8s) return k8s;
  return { demand: fitted.demand, notes: [...fitted.notes, ...k8s.notes] };
}

/** Writes notes at the head of the task's log (where its output follows) and as log events. */
function noteInLog(ctx: RunContext, path: string, taskId: string, notes: string[]): void {
  const lines = notes.map((n) => `weft: ${n}`);
  appendNoFollow(insideRoot(ctx.settings.logsDir, ctx.runId, `${relPath(path)}.log`), `${lines.join("\n")}\n`);
  for (const line of lines) ctx.emit({ type: "log", runId: ctx.runId, taskId, path, stream: "stderr", line });
}

function fail(ctx: RunContext, id: string, f: Fail): NodeResult {
  const state = f.canceled ? "CANCELED" : "FAILED";
  const t = ctx.store.tasks.update(id, {
    state,
    finishedAt: ctx.clock(),
    error: recordedError(f),
    ...(f.exitCode !== undefined ? { exitCode: f.exitCode } : {}),
  });
  const error = { code: f.code, message: f.message, action: f.action };
  emitTask(ctx, t, { error, ...(f.stderrTail ? { stderrTail: f.stderrTail } : {}) });
  return { state, outputs: { parameters: {}, artifacts: {} }, taskId: id, error };
}

/** Runs one container task to a terminal state; never rejects. */
export async function runContainerNode(
  ctx: RunContext,
  place: NodePlace,
  task: PipelineTaskSpec,
  component: ComponentSpec,
  inputs: NodeIO,
): Promise<NodeResult> {
  const prev = ctx.previous.get(place.path);
  if (prev && isSuccessState(prev.state)) {
    emitTask(ctx, prev);
    return { state: prev.state, outputs: storedOutputs(ctx, prev.id, prev.outputs.parameters), taskId: prev.id };
  }
  const container = ctx.spec.deploymentSpec?.executors?.[component.executorLabel ?? ""]?.container;
  const rec = ctx.store.tasks.upsert({
    runId: ctx.runId,
    path: place.path,
    name: place.name,
    displayName: place.name,
    kind: "container",
    componentName: place.componentName,
    ...(place.parentId !== undefined ? { parentId: place.parentId } : {}),
    state: "PENDING",
    attempt: Math.max(1, lastAttempt(prev)),
    inputs: toTaskInputs(inputs),
  });
  emitTask(ctx, rec);
  const withUuid = substituteTaskUuid(inputs, rec.id);
  if (withUuid) {
    inputs = withUuid;
    ctx.store.tasks.update(rec.id, { inputs: toTaskInputs(inputs) });
  }
  if (!container) {
    return fail(ctx, rec.id, {
      ...taskFailure(
        "SPEC_INVALID",
        `task '${place.path}': executor '${component.executorLabel ?? ""}' of component '${place.componentName}' has no container in deploymentSpec.executors`,
      ),
      retryable: false,
    });
  }
  const unrunnable = unrunnableContainer(place.path, component.executorLabel ?? "", container);
  if (unrunnable) {
    return fail(ctx, rec.id, {
      ...taskFailure(unrunnable.code, unrunnable.message, unrunnable.action),
      retryable: false,
    });
  }
  const local = localSettings(ctx, place.path, component, container, inputs);
  if ("failure" in local) return fail(ctx, rec.id, { ...local.failure, retryable: false });
  const { demand } = local;
  let cache: CacheLookup;
  try {
    cache = lookupCache(ctx, place, task, component, container, inputs, rec.id);
  } catch (e) {
    return fail(ctx, rec.id, {
      ...taskFailure("CACHE_FAILED", `task '${place.path}': cache lookup failed: ${(e as Error).message}`),
      retryable: false,
    });
  }
  if (cache.hit) return cache.hit;
  if (cache.info) ctx.store.tasks.update(rec.id, { cache: cache.info });
  if (local.notes.length > 0) {
    try {
      noteInLog(ctx, place.path, rec.id, local.notes);
    } catch (e) {
      return fail(ctx, rec.id, { ...failureOf(e, "INTERNAL", place.path), retryable: false });
    }
  }
  const argvTemplate = [...(container.command ?? []), ...(container.args ?? [])];
  // A task whose prelude installs kfp gets it in its own Python environment (python-env.ts).
  if (needsHostKfp(argvTemplate) && !hostHasKfp()) {
    return fail(ctx, rec.id, {
      code: "PYTHON_KFP_MISSING",
      action: "pip install kfp on this machine, then weft runs retry",
      message: `task '${place.path}' is a KFP lightweight Python component (python3 -m kfp.dsl.executor_main): it runs only where the host's python3 can import 'kfp'. Install it with 'pip install kfp' (the task expects image '${container.image}')`,
      retryable: false,
    });
  }
  const attempts = maxAttempts(task.retryPolicy);
  let last: Fail | undefined;
  for (let attempt = lastAttempt(prev) + 1, n = 1; n <= attempts; attempt++, n++) {
    if (n > 1) {
      await sleep(backoffMs(task.retryPolicy, n), ctx.signal);
    }
    if (ctx.signal.aborted)
      return fail(ctx, rec.id, {
        ...taskFailure("CANCELED", "the run was canceled"),
        retryable: false,
        canceled: true,
      });
    const r = await runAttempt(ctx, place, rec, component, container, inputs, attempt, demand, cache.info);
    if ("state" in r) {
      if (cache.enabled && cache.fingerprint) {
        ctx.store.cache.put({
          key: cache.fingerprint.key,
          componentDigest: cache.fingerprint.componentDigest,
          parts: cache.fingerprint.parts,
          taskId: rec.id,
          runId: ctx.runId,
          outputs: cacheOutputsOf(r.outputs),
        });
      }
      return r;
    }
    last = r;
    if (r.canceled || !r.retryable) break;
  }
  return fail(ctx, rec.id, last ?? { ...taskFailure("INTERNAL", "no attempt ran"), retryable: false });
}

/**
 * Runs a container task as a child process of this machine: resolves its command line,
 * waits for resources, retries per its `retryPolicy`, records each attempt and, after
 * success, its outputs, then puts it in the cache.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { uriToLocalPath } from "../executor/index.ts";
import type { ComponentSpec, ContainerSpec, JsonValue, PipelineTaskSpec } from "../ir/index.ts";
import type { Task, TaskCacheInfo } from "../store/index.ts";
import { type CacheLookup, lookupCache } from "./cache-step.ts";
import {
  emitTask,
  isSuccess,
  type NodeIO,
  type NodePlace,
  type NodeResult,
  type RunContext,
  toTaskInputs,
} from "./context.ts";
import { cacheOutputsOf, recordInputEvents, recordOutputArtifacts, storedOutputs } from "./outputs-recorder.ts";
import { resolveArgv } from "./placeholders.ts";
import { runProcess } from "./process-tree.ts";
import { demandOf, unsatisfiable } from "./resources.ts";
import { backoffMs, maxAttempts, sleep } from "./retry.ts";
import { buildExecutorInput, prepareAttempt, readOutputs } from "./task-io.ts";

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

/** Relative location of a task under the run (`root/a/b` → `a/b`). */
export function relPath(taskPath: string): string {
  return taskPath.replace(/^root\/?/, "") || "root";
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

type Fail = { message: string; stderrTail?: string[]; exitCode?: number; retryable: boolean; canceled?: boolean };

function fail(ctx: RunContext, id: string, f: Fail): NodeResult {
  const state = f.canceled ? "CANCELED" : "FAILED";
  const t = ctx.store.tasks.update(id, {
    state,
    finishedAt: ctx.clock(),
    error: { message: f.message, ...(f.stderrTail ? { stderrTail: f.stderrTail.join("\n") } : {}) },
    ...(f.exitCode !== undefined ? { exitCode: f.exitCode } : {}),
  });
  emitTask(ctx, t, { error: f.message, ...(f.stderrTail ? { stderrTail: f.stderrTail } : {}) });
  return { state, outputs: { parameters: {}, artifacts: {} }, taskId: id, error: f.message };
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
  if (prev && isSuccess(prev.state)) {
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
    attempt: prev ? prev.attempt : 1,
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
      message: `task '${place.path}': executor '${component.executorLabel ?? ""}' of component '${place.componentName}' has no container in deploymentSpec.executors`,
      retryable: false,
    });
  }
  let demand: ReturnType<typeof demandOf>;
  try {
    demand = demandOf(container.resources);
  } catch (e) {
    return fail(ctx, rec.id, { message: `task '${place.path}': ${(e as Error).message}`, retryable: false });
  }
  const why = unsatisfiable(demand, ctx.capacity);
  if (why) {
    return fail(ctx, rec.id, {
      message: `task '${place.path}' can never run here: ${why}; lower its resource request or run it on a bigger machine`,
      retryable: false,
    });
  }
  let cache: CacheLookup;
  try {
    cache = lookupCache(ctx, place, task, component, container, inputs, rec.id);
  } catch (e) {
    return fail(ctx, rec.id, {
      message: `task '${place.path}': cache lookup failed: ${(e as Error).message}`,
      retryable: false,
    });
  }
  if (cache.hit) return cache.hit;
  if (cache.info) ctx.store.tasks.update(rec.id, { cache: cache.info });
  const argvTemplate = [...(container.command ?? []), ...(container.args ?? [])];
  if (argvTemplate.some((a) => a.includes("kfp.dsl.executor_main")) && !hostHasKfp()) {
    return fail(ctx, rec.id, {
      message: `task '${place.path}' is a KFP lightweight Python component (python3 -m kfp.dsl.executor_main): it runs only where the host's python3 can import 'kfp'. Install it with 'pip install kfp' (the task expects image '${container.image}')`,
      retryable: false,
    });
  }
  const attempts = maxAttempts(task.retryPolicy);
  let last: Fail | undefined;
  for (let attempt = prev ? prev.attempt + 1 : 1, n = 1; n <= attempts; attempt++, n++) {
    if (n > 1) {
      await sleep(backoffMs(task.retryPolicy, n), ctx.signal);
    }
    if (ctx.signal.aborted)
      return fail(ctx, rec.id, { message: "the run was canceled", retryable: false, canceled: true });
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
  return fail(ctx, rec.id, last ?? { message: "no attempt ran", retryable: false });
}

async function runAttempt(
  ctx: RunContext,
  place: NodePlace,
  rec: Task,
  component: ComponentSpec,
  container: ContainerSpec,
  inputs: NodeIO,
  attempt: number,
  demand: ReturnType<typeof demandOf>,
  cacheInfo: TaskCacheInfo | undefined,
): Promise<NodeResult | Fail> {
  let lease: Awaited<ReturnType<RunContext["scheduler"]["acquire"]>>;
  try {
    lease = await ctx.scheduler.acquire(demand, ctx.signal);
  } catch {
    return { message: "the run was canceled", retryable: false, canceled: true };
  }
  const rel = relPath(place.path);
  const logPath = path.join(ctx.settings.logsDir, ctx.runId, `${rel}.log`);
  const startedAt = ctx.clock();
  let argv: string[];
  let files: ReturnType<typeof prepareAttempt>;
  const programDir = path.join(ctx.settings.programRoot, ctx.runId, rel);
  try {
    files = prepareAttempt(
      component,
      ctx.settings.artifactsDir,
      ctx.runId,
      place.path,
      path.join(ctx.settings.home, "work", ctx.runId, rel, `attempt-${attempt}`),
    );
    fs.mkdirSync(programDir, { recursive: true });
    const executorInput = buildExecutorInput(inputs, files);
    const inputArtifacts: Record<string, { uri: string; path: string; metadata: Record<string, JsonValue> }[]> = {};
    for (const [k, list] of Object.entries(inputs.artifacts)) {
      inputArtifacts[k] = list.map((a) => ({ uri: a.uri, path: uriToLocalPath(a.uri), metadata: a.metadata }));
    }
    argv = resolveArgv([...(container.command ?? []), ...(container.args ?? [])], {
      parameters: inputs.parameters,
      inputArtifacts,
      outputParameterFiles: files.outputParameterFiles,
      outputArtifacts: files.outputArtifacts,
      executorInputJson: JSON.stringify(executorInput),
      pipelineJobName: ctx.runName,
      pipelineJobUuid: ctx.runId,
      pipelineTaskName: place.name,
      pipelineTaskUuid: rec.id,
      task: place.path,
    });
  } catch (e) {
    lease.release();
    return { message: (e as Error).message, retryable: false };
  }
  const t = ctx.store.tasks.update(rec.id, {
    state: "RUNNING",
    attempt,
    startedAt,
    finishedAt: null,
    logPath,
    resources: { cpus: demand.cpus, memoryBytes: demand.memoryBytes, gpus: lease.gpus, argv },
  });
  emitTask(ctx, t);
  if (attempt > 1) fs.appendFileSync(logPath, `--- attempt ${attempt} ---\n`);
  const env: NodeJS.ProcessEnv = { ...process.env, WEFT_PROGRAM_DIR: programDir, WEFT_SKIP_PACKAGE_INSTALL: "1" };
  for (const e of container.env ?? []) env[e.name] = e.value;
  if (demand.gpus > 0) env.CUDA_VISIBLE_DEVICES = lease.gpus.join(",");
  const out = await runProcess({
    argv,
    env,
    cwd: process.cwd(),
    logPath,
    signal: ctx.signal,
    ...(ctx.settings.taskTimeoutMs !== undefined ? { timeoutMs: ctx.settings.taskTimeoutMs } : {}),
    killGraceMs: ctx.settings.killGraceMs,
    onSpawn: (child) => {
      ctx.procs.add(child);
      child.on("exit", () => ctx.procs.delete(child));
      if (child.pid !== undefined) ctx.store.tasks.update(rec.id, { pid: child.pid });
    },
    onLine: (stream, line) =>
      ctx.emit({ type: "log", runId: ctx.runId, taskId: rec.id, path: place.path, stream, line }),
  });
  lease.release();
  const finishedAt = ctx.clock();
  const exitCode = out.exitCode ?? undefined;
  let failure: Fail | undefined;
  if (out.spawnError) {
    const cmd = argv[0] ?? "";
    failure =
      out.spawnError.code === "ENOENT"
        ? {
            message: `task '${place.path}': command '${cmd}' not found on this machine; the task expects image '${container.image}'. Install '${cmd}' or run the pipeline where that image's tools exist`,
            retryable: false,
          }
        : { message: `task '${place.path}': could not start '${cmd}': ${out.spawnError.message}`, retryable: false };
  } else if (out.canceled)
    failure = { message: "the run was canceled", retryable: false, canceled: true, stderrTail: out.stderrTail };
  else if (out.timedOut)
    failure = {
      message: `task '${place.path}' timed out after ${ctx.settings.taskTimeoutMs} ms and was killed`,
      retryable: true,
      stderrTail: out.stderrTail,
    };
  else if (out.exitCode !== 0) {
    const hint =
      out.exitCode === 127
        ? `; exit 127 means a command was not found (the task expects image '${container.image}')`
        : "";
    failure = {
      message: `task '${place.path}' exited with ${out.exitCode ?? `signal ${out.signal}`}${hint}; see its log ${logPath}`,
      retryable: true,
      stderrTail: out.stderrTail,
      ...(exitCode !== undefined ? { exitCode } : {}),
    };
  }
  if (!failure) {
    try {
      const o = readOutputs(component, files, place.path);
      const outputs: NodeIO = { parameters: o.parameters, artifacts: {} };
      const done = ctx.store.transaction(() => {
        recordInputEvents(ctx, rec.id, inputs);
        outputs.artifacts = recordOutputArtifacts(ctx, rec.id, o.artifacts);
        ctx.store.tasks.appendAttempt(rec.id, { attempt, startedAt, finishedAt, exitCode: 0 });
        return ctx.store.tasks.update(rec.id, {
          state: "SUCCEEDED",
          finishedAt,
          exitCode: 0,
          error: null,
          outputs: { parameters: o.parameters },
          ...(cacheInfo ? { cache: cacheInfo } : {}),
        });
      });
      emitTask(ctx, done);
      return { state: "SUCCEEDED", outputs, taskId: rec.id };
    } catch (e) {
      failure = { message: (e as Error).message, retryable: true, stderrTail: out.stderrTail };
    }
  }
  ctx.store.tasks.appendAttempt(rec.id, {
    attempt,
    startedAt,
    finishedAt,
    ...(exitCode !== undefined ? { exitCode } : {}),
    error: { message: failure.message, ...(failure.stderrTail ? { stderrTail: failure.stderrTail.join("\n") } : {}) },
  });
  return failure;
}

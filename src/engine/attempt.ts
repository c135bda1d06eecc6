/**
 * One attempt of a container task: waits for resources, lays out its files, resolves
 * its command line, records it RUNNING, runs the process and, on success, records its
 * outputs before marking it SUCCEEDED.
 */
import fs from "node:fs";
import { insideRoot } from "../artifacts/index.ts";
import type { ComponentSpec, ContainerSpec } from "../ir/index.ts";
import type { Task, TaskCacheInfo } from "../store/index.ts";
import { emitTask, type NodeIO, type NodePlace, type NodeResult, type RunContext } from "./context.ts";
import { failureOf, type TaskFailure, taskFailure } from "./errors.ts";
import { digestOutputs, recordInputEvents, recordOutputArtifacts } from "./outputs-recorder.ts";
import { resolveArgv } from "./placeholders.ts";
import { appendNoFollow, runProcess } from "./process-tree.ts";
import { applyPythonEnv, PythonEnvError, pythonEnvForTask } from "./python-env.ts";
import type { demandOf } from "./resources.ts";
import {
  buildExecutorInput,
  placeholderArtifacts,
  prepareAttempt,
  readOutputs,
  recordedArgv,
  relPath,
} from "./task-io.ts";

/** Why an attempt failed (a catalogue code, message and action), and whether another attempt may help. */
export type Fail = TaskFailure & {
  stderrTail?: string[];
  exitCode?: number;
  retryable: boolean;
  canceled?: boolean;
};

/**
 * The number of the last attempt of `task` that really started a process (0 for none):
 * a task SKIPPED or CANCELED before it ran has no attempt to count, so the retry that
 * finally runs it is attempt 1.
 */
export function lastAttempt(task: Task | undefined): number {
  if (!task) return 0;
  const started = task.startedAt !== undefined && task.state !== "SKIPPED" ? task.attempt : 0;
  return Math.max(0, started, ...task.attempts.map((a) => a.attempt));
}

/** Runs one attempt; resolves with the node result on success or a {@link Fail}. */
export async function runAttempt(
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
    return { ...taskFailure("CANCELED", "the run was canceled"), retryable: false, canceled: true };
  }
  if (ctx.draining?.aborted) {
    lease.release();
    return {
      ...taskFailure(
        "OWNER_STOPPED",
        "not started: the process running the run was stopping; it runs when the run resumes",
      ),
      retryable: false,
      canceled: true,
    };
  }
  const rel = relPath(place.path);
  const startedAt = ctx.clock();
  let argv: string[];
  let files: ReturnType<typeof prepareAttempt>;
  let logPath: string;
  let programDir: string;
  try {
    // Every path below is proved inside its root; a task path that slipped past
    // validation (`../`) fails the task here, before anything is written or removed.
    logPath = insideRoot(ctx.settings.logsDir, ctx.runId, `${rel}.log`);
    programDir = insideRoot(ctx.settings.programRoot, ctx.runId, rel);
    files = prepareAttempt(
      component,
      ctx.settings.artifactsDir,
      ctx.runId,
      place.path,
      insideRoot(ctx.settings.home, "work"),
      `attempt-${attempt}`,
    );
    fs.mkdirSync(programDir, { recursive: true });
    // Creates the log (or checks the previous attempt's) without following a link.
    appendNoFollow(logPath, attempt > 1 ? `--- attempt ${attempt} ---\n` : "");
    const executorInput = buildExecutorInput(inputs, files);
    // the URIs a task is handed are local paths, as in its executor input (taskUri)
    const { inputArtifacts, outputArtifacts } = placeholderArtifacts(inputs, files);
    argv = resolveArgv([...(container.command ?? []), ...(container.args ?? [])], {
      parameters: inputs.parameters,
      inputArtifacts,
      outputParameterFiles: files.outputParameterFiles,
      outputArtifacts,
      executorInputJson: JSON.stringify(executorInput),
      executorOutputFile: files.executorOutputFile,
      run: ctx.runtime,
      pipelineTaskName: place.name,
      pipelineTaskUuid: rec.id,
      task: place.path,
    });
  } catch (e) {
    lease.release();
    return { ...failureOf(e, "INTERNAL", place.path), retryable: false };
  }
  const t = ctx.store.tasks.update(rec.id, {
    state: "RUNNING",
    attempt,
    startedAt,
    finishedAt: null,
    exitCode: null,
    logPath,
    resources: { cpus: demand.cpus, memoryBytes: demand.memoryBytes, gpus: lease.gpus, argv: recordedArgv(argv) },
  });
  emitTask(ctx, t);
  const env: NodeJS.ProcessEnv = { ...process.env, WEFT_PROGRAM_DIR: programDir, WEFT_SKIP_PACKAGE_INSTALL: "1" };
  await addTrackingEnv(ctx, env, rec.id, place.name, logPath);
  for (const e of container.env ?? []) env[e.name] = e.value;
  if (demand.gpus > 0) env.CUDA_VISIBLE_DEVICES = lease.gpus.join(",");
  const envFailure = await enterPythonEnv(ctx, place, t, argv, env, logPath);
  if (envFailure) {
    lease.release();
    ctx.store.tasks.appendAttempt(rec.id, {
      attempt,
      startedAt,
      finishedAt: ctx.clock(),
      error: recordedError(envFailure),
    });
    return envFailure;
  }
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
  const finishedAt = ctx.clock();
  const exitCode = out.exitCode ?? undefined;
  // The exit status first, before the lease, the outputs or anything else: a kill after
  // this point leaves the record saying how the process ended. (A kill before the
  // SUCCEEDED transaction still runs the task again on resume: at least once.)
  try {
    ctx.store.tasks.update(rec.id, { exitCode: exitCode ?? null, finishedAt });
  } catch {
    // a busy store: the attempt is recorded below all the same
  }
  lease.release();
  let failure: Fail | undefined;
  if (out.spawnError) {
    const cmd = argv[0] ?? "";
    failure =
      out.spawnError.code === "ENOENT"
        ? {
            ...taskFailure(
              "COMMAND_NOT_FOUND",
              `task '${place.path}': command '${cmd}' not found on this machine; the task expects image '${container.image}'. Install '${cmd}' or run the pipeline where that image's tools exist`,
              `install '${cmd}' or run the pipeline where image '${container.image}''s tools exist`,
            ),
            retryable: false,
          }
        : {
            ...taskFailure("SPAWN_FAILED", `task '${place.path}': could not start '${cmd}': ${out.spawnError.message}`),
            retryable: false,
          };
  } else if (out.canceled)
    failure = {
      ...taskFailure("CANCELED", "the run was canceled"),
      retryable: false,
      canceled: true,
      stderrTail: out.stderrTail,
    };
  else if (out.timedOut)
    failure = {
      ...taskFailure("TIMEOUT", `task '${place.path}' timed out after ${ctx.settings.taskTimeoutMs} ms and was killed`),
      retryable: true,
      stderrTail: out.stderrTail,
    };
  else if (out.exitCode !== 0) {
    const hint =
      out.exitCode === 127
        ? `; exit 127 means a command was not found (the task expects image '${container.image}')`
        : "";
    // no log path here: the message reaches the API and the web UI, where a server path
    // means nothing; the action says how to read the log and the record keeps logPath
    const message = `task '${place.path}' exited with ${out.exitCode ?? `signal ${out.signal}`}${hint}`;
    failure = {
      ...(out.exitCode === null
        ? taskFailure("SIGNAL", message)
        : taskFailure(
            "EXIT_NONZERO",
            message,
            out.exitCode === 127
              ? `install the missing command or run where image '${container.image}''s tools exist`
              : undefined,
          )),
      retryable: true,
      stderrTail: out.stderrTail,
      ...(exitCode !== undefined ? { exitCode } : {}),
    };
  }
  if (!failure) {
    try {
      const o = readOutputs(component, files, place.path, ctx.settings.artifactsDir);
      // Streamed before the write transaction opens: a multi-GiB output holds no lock.
      const digested = await digestOutputs(o.artifacts, place.path);
      const outputs: NodeIO = { parameters: o.parameters, artifacts: {} };
      const done = ctx.store.transaction(() => {
        recordInputEvents(ctx, rec.id, inputs);
        outputs.artifacts = recordOutputArtifacts(ctx, rec.id, digested, {
          path: place.path,
          component,
          parameters: o.parameters,
        });
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
      failure = { ...failureOf(e, "INTERNAL", place.path), retryable: true, stderrTail: out.stderrTail };
    }
  }
  ctx.store.tasks.appendAttempt(rec.id, {
    attempt,
    startedAt,
    finishedAt,
    ...(exitCode !== undefined ? { exitCode } : {}),
    error: recordedError(failure),
  });
  return failure;
}

/**
 * Puts the task in its cached Python environment when its script starts with pip installs
 * (`python-env.ts`): sets PATH and VIRTUAL_ENV, says which environment in the first lines
 * of its log and in its record. Resolves with the failure when the environment cannot be made.
 */
async function enterPythonEnv(
  ctx: RunContext,
  place: NodePlace,
  running: Task,
  argv: string[],
  env: NodeJS.ProcessEnv,
  logPath: string,
): Promise<Fail | undefined> {
  const say = (line: string): void => {
    appendNoFollow(logPath, line);
    ctx.emit({
      type: "log",
      runId: ctx.runId,
      taskId: running.id,
      path: place.path,
      stream: "stdout",
      line: line.trimEnd(),
    });
  };
  try {
    const py = await pythonEnvForTask({
      argv,
      env,
      cwd: process.cwd(),
      task: place.path,
      signal: ctx.signal,
      onWait: say,
    });
    if (!py) return undefined;
    if ("skipped" in py) {
      say(py.logLine);
      return undefined;
    }
    applyPythonEnv(env, py.use);
    say(py.use.logLine);
    const r = running.resources;
    const resources = r && typeof r === "object" && !Array.isArray(r) ? r : {};
    ctx.store.tasks.update(running.id, { resources: { ...resources, pythonEnv: py.use.record } });
    return undefined;
  } catch (e) {
    const f = failureOf(e, "PYTHON_ENV_FAILED", place.path);
    if (f.code === "CANCELED") return { ...f, retryable: false, canceled: true };
    try {
      appendNoFollow(logPath, `[weft] ${f.message}\n`);
    } catch {
      // the failure is recorded all the same
    }
    return { ...f, retryable: true, ...(e instanceof PythonEnvError ? { stderrTail: e.stderrTail } : {}) };
  }
}

/** The store's form of a failure: code, message, action and the stderr tail. */
export function recordedError(f: Fail): { code: string; message: string; action: string; stderrTail?: string } {
  return {
    code: f.code,
    message: f.message,
    action: f.action,
    ...(f.stderrTail ? { stderrTail: f.stderrTail.join("\n") } : {}),
  };
}

/**
 * The task's tracking environment: the engine's task service (`MLFLOW_TRACKING_URI`, its
 * bearer token), the MLflow run and experiment the task logs to (the task's own run, a
 * child of the pipeline run's), and Weft's ids. The task's own `env` settings, applied
 * after, win. When the service cannot start, the task runs without it and its log says why.
 */
async function addTrackingEnv(
  ctx: RunContext,
  env: NodeJS.ProcessEnv,
  taskId: string,
  taskName: string,
  logPath: string,
): Promise<void> {
  env.WEFT_RUN_ID = ctx.runId;
  env.WEFT_TASK_ID = taskId;
  env.WEFT_TASK_NAME = taskName;
  if (ctx.settings.taskService === undefined) return;
  try {
    const service = await ctx.settings.taskService();
    env.MLFLOW_TRACKING_URI = service.url;
    env.MLFLOW_TRACKING_TOKEN = service.token;
    env.MLFLOW_RUN_ID = taskId;
    if (ctx.experimentId !== undefined) env.MLFLOW_EXPERIMENT_ID = ctx.experimentId;
  } catch (e) {
    delete env.MLFLOW_TRACKING_URI;
    delete env.MLFLOW_TRACKING_TOKEN;
    appendNoFollow(
      logPath,
      `weft: the tracking service could not start (${(e as Error).message}); metrics this task logs are not recorded\n`,
    );
  }
}

/**
 * One cached Python virtual environment per interpreter and pip request. A task whose
 * `sh -c` script starts with pip installs (a KFP lightweight Python component's prelude)
 * runs with such an environment first on its PATH: the installs run into it once, under
 * a lock, and every later task asking for the same packages reuses it. The task's own
 * command runs unchanged; its `pip install` then finds everything already satisfied, and
 * the user's own Python environment is never written.
 *
 * Layout, under {@link pythonEnvsRoot}:
 *
 *     <digest>/key.json     the interpreter and the pip installs the digest stands for
 *     <digest>/venv/        the virtual environment
 *     <digest>/install.log  what `python -m venv` and pip printed
 *     <digest>/ready        written last, when every install succeeded
 *     <digest>.lock/        held while the environment is made (owner.json: pid, host)
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { JsonValue } from "../ir/index.ts";
import { onAbort } from "./abort.ts";
import { canonicalDigest } from "./canonical.ts";
import { TaskError } from "./errors.ts";
import { processAlive, processStartTime } from "./owner.ts";
import { installsKfp, type PipInstall, type PipPrelude, readPipPrelude, requirementsOf } from "./pip-prelude.ts";
import { appendNoFollow, runProcess } from "./process-tree.ts";
import { sleep } from "./retry.ts";

/** Whether tasks get cached virtual environments: unless env `WEFT_PYTHON_VENV` is 0, false, no or off. */
export function pythonVenvEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !/^(?:0|false|no|off)$/i.test(env.WEFT_PYTHON_VENV?.trim() ?? "");
}

/**
 * Where the environments live, shared by every Weft home of the user: `$WEFT_PYTHON_ENVS`,
 * else `$XDG_CACHE_HOME/weft/python-envs`, else `~/.cache/weft/python-envs`.
 */
export function pythonEnvsRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WEFT_PYTHON_ENVS) return path.resolve(env.WEFT_PYTHON_ENVS);
  const cache = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : undefined;
  return path.join(cache ?? path.join(os.homedir(), ".cache"), "weft", "python-envs");
}

const EXECUTOR_MAIN = "kfp.dsl.executor_main";

/**
 * What the engine does about a command line's pip installs: run them into a cached
 * environment (`prelude`), leave them to the task on the host (`skip`, with the reason),
 * or nothing (`undefined`: the command installs nothing).
 */
export function pythonEnvPlan(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { prelude: PipPrelude } | { skip: string } | undefined {
  const reading = readPipPrelude(argv);
  if (!reading) return undefined;
  if (!pythonVenvEnabled(env)) return { skip: "WEFT_PYTHON_VENV=0 is set" };
  if ("unsupported" in reading) return { skip: `its pip install prelude cannot be read: ${reading.unsupported}` };
  if (argv.some((a) => a.includes(EXECUTOR_MAIN)) && !installsKfp(reading.prelude))
    return { skip: `its installs do not include kfp, which ${EXECUTOR_MAIN} needs` };
  return reading;
}

/**
 * Whether a task needs the host's python3 to import kfp: a KFP lightweight Python
 * component (`kfp.dsl.executor_main`) that does not install kfp into its own environment.
 */
export function needsHostKfp(argv: readonly string[]): boolean {
  if (!argv.some((a) => a.includes(EXECUTOR_MAIN))) return false;
  const plan = pythonEnvPlan(argv);
  return !plan || "skip" in plan;
}

/** The interpreter an environment is made from. */
interface Interpreter {
  executable: string;
  version: string;
  implementation: string;
}

const PROBE =
  "import json, os, platform, sys; print(json.dumps({'executable': os.path.realpath(sys.executable), 'version': platform.python_version(), 'implementation': sys.implementation.name}))";

function execText(file: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, cwd, timeout: 60_000, maxBuffer: 1 << 20 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
}

/** How long a probe of `python3` is reused: the shims of version managers take ~0.3 s a call. */
const PROBE_TTL_MS = 60_000;
const probes = new Map<string, { at: number; result: Promise<Interpreter | string> }>();

/**
 * The `python3` the task would run: its real path, version and implementation. Tasks with
 * the same PATH, version-manager settings and folder share one probe for a minute, so a
 * loop of Python tasks does not start an interpreter per task just to name it; a failed
 * probe is not kept.
 */
function probePython(env: NodeJS.ProcessEnv, cwd: string): Promise<Interpreter | string> {
  const key = JSON.stringify([env.PATH, env.PYENV_VERSION, env.VIRTUAL_ENV, env.CONDA_PREFIX, cwd]);
  const now = Date.now();
  const kept = probes.get(key);
  if (kept && now - kept.at < PROBE_TTL_MS) return kept.result;
  const result = probeOnce(env, cwd);
  probes.set(key, { at: now, result });
  void result.then((r) => {
    if (typeof r === "string" && probes.get(key)?.result === result) probes.delete(key);
  });
  return result;
}

async function probeOnce(env: NodeJS.ProcessEnv, cwd: string): Promise<Interpreter | string> {
  try {
    const out = JSON.parse(await execText("python3", ["-c", PROBE], env, cwd)) as Interpreter;
    if (typeof out.executable !== "string" || typeof out.version !== "string") return "python3 gave no version";
    return out;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return err.code === "ENOENT" ? "there is no python3 on PATH" : `python3 did not start: ${err.message}`;
  }
}

/** A ready environment, as its `ready` marker records it. */
interface ReadyInfo {
  createdAt: number;
  /** The environment's site-packages directories. */
  sitePackages: string[];
}

/** The environment a task runs in. */
export interface PythonEnvUse {
  /** The environment's directory (`<root>/<digest>`). */
  dir: string;
  /** The virtual environment inside it. */
  venv: string;
  /** True when this task made it; false when it was ready already (or a concurrent task made it). */
  created: boolean;
  python: Interpreter;
  /** The packages asked for, in install order. */
  packages: string[];
  /** Variables to set in the task's environment (`undefined`: unset it). */
  env: Record<string, string | undefined>;
  /** The first lines of the task's log. */
  logLine: string;
  /** What the task record keeps. */
  record: JsonValue;
}

/** A failed install: the task error with pip's last stderr lines. */
export class PythonEnvError extends TaskError {
  readonly stderrTail: string[];

  constructor(message: string, stderrTail: string[]) {
    super("PYTHON_ENV_FAILED", message);
    this.stderrTail = stderrTail;
  }
}

const HEARTBEAT_MS = 5_000;
/** A lock whose owner has not beaten for this long is stale, whoever holds it. */
const STALE_MS = 60_000;
const POLL_MS = 200;

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** Whether a lock directory was left by an owner that is gone (dead, or silent past {@link STALE_MS}). */
function lockIsStale(lockDir: string): boolean {
  const ownerFile = path.join(lockDir, "owner.json");
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(ownerFile).mtimeMs;
  } catch {
    // made but never written (its maker died between the two): stale once old
    try {
      return Date.now() - fs.statSync(lockDir).mtimeMs > STALE_MS;
    } catch {
      return false; // released meanwhile
    }
  }
  if (Date.now() - mtimeMs > STALE_MS) return true;
  const owner = readJson<{ pid?: number; host?: string; startTime?: string }>(ownerFile);
  if (!owner || typeof owner.pid !== "number" || owner.host !== os.hostname()) return false;
  if (owner.pid === process.pid) return false;
  if (!processAlive(owner.pid)) return true;
  return owner.startTime !== undefined && processStartTime(owner.pid) !== owner.startTime;
}

/**
 * Runs `fn` holding a cross-process lock: a directory made with `mkdir` (atomic), holding
 * the owner's pid, host and process start time, touched every few seconds. A lock whose
 * owner died on this host, or that nobody touched for a minute, is taken over.
 */
export async function withDirLock<T>(lockDir: string, fn: () => Promise<T>): Promise<T> {
  const ownerFile = path.join(lockDir, "owner.json");
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    if (lockIsStale(lockDir)) {
      // moved aside, then removed; two processes judging the same stale lock at the same
      // moment could still both go on (a window of a few system calls)
      const tomb = `${lockDir}.stale-${process.pid}-${Date.now()}`;
      try {
        fs.renameSync(lockDir, tomb);
        fs.rmSync(tomb, { recursive: true, force: true });
      } catch {
        // another process took it over first
      }
      continue;
    }
    await sleep(POLL_MS);
  }
  const start = processStartTime(process.pid);
  fs.writeFileSync(
    ownerFile,
    JSON.stringify({ pid: process.pid, host: os.hostname(), ...(start ? { startTime: start } : {}), at: Date.now() }),
  );
  const beat = setInterval(() => {
    const now = new Date();
    try {
      fs.utimesSync(ownerFile, now, now);
    } catch {
      // taken over after a stall; the install goes on and the marker decides
    }
  }, HEARTBEAT_MS);
  beat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(beat);
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/** The environment's ready marker, if it is ready and its interpreter is still there. */
function readReady(dir: string): ReadyInfo | undefined {
  const info = readJson<ReadyInfo>(path.join(dir, "ready"));
  if (!info || !Array.isArray(info.sitePackages)) return undefined;
  return fs.existsSync(path.join(dir, "venv", "bin", "python")) ? info : undefined;
}

/** Environments being made by this process, by directory: concurrent tasks share one. */
const making = new Map<string, Promise<{ ready: ReadyInfo; created: boolean }>>();

/** pip options and variables that change what pip prints, never what it installs. */
const COSMETIC_OPTIONS = new Set([
  "-q",
  "--quiet",
  "-v",
  "--verbose",
  "--no-warn-script-location",
  "--disable-pip-version-check",
  "--no-color",
]);
const COSMETIC_ENV = /^PIP_(?:DISABLE_PIP_VERSION_CHECK|NO_WARN_SCRIPT_LOCATION|QUIET|VERBOSE|NO_COLOR|PROGRESS_BAR)$/;

/**
 * One install as the key holds it: without the options and variables that only change
 * what pip prints, so that the same packages asked for by differently written preludes
 * (KFP's two shapes, SDK versions) share one environment.
 */
function keyPart(install: PipInstall): PipInstall {
  return {
    env: Object.fromEntries(Object.entries(install.env).filter(([k]) => !COSMETIC_ENV.test(k))),
    args: install.args.filter((a) => !COSMETIC_OPTIONS.has(a)),
  };
}

interface MakeRequest {
  dir: string;
  key: { python: Interpreter; installs: PipInstall[] };
  /** The installs as the task's script writes them (the key leaves out what only changes pip's output). */
  installs: PipInstall[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  task: string;
  packages: string[];
}

/** Runs one command of the making, its output appended to install.log; throws PYTHON_ENV_FAILED. */
async function step(req: MakeRequest, argv: string[], env: NodeJS.ProcessEnv, what: string): Promise<void> {
  const logPath = path.join(req.dir, "install.log");
  appendNoFollow(logPath, `$ ${argv.join(" ")}\n`);
  const out = await runProcess({
    argv,
    env,
    cwd: req.cwd,
    logPath,
    signal: new AbortController().signal,
    killGraceMs: 3000,
  });
  if (out.exitCode === 0) return;
  const tail = out.stderrTail.filter((l) => l.trim() !== "");
  const how = out.spawnError
    ? out.spawnError.message
    : out.exitCode === null
      ? `killed by ${out.signal}`
      : `exit ${out.exitCode}`;
  const last = tail.slice(-3).join(" | ");
  throw new PythonEnvError(
    `task '${req.task}': ${what} for its Python environment failed (${how})${last ? `: ${last}` : ""}. Packages: ${req.packages.join(" ") || "(none)"}`,
    tail,
  );
}

/** Makes the environment (under the lock): venv, every install in order, then the marker. */
async function make(req: MakeRequest): Promise<{ ready: ReadyInfo; created: boolean }> {
  return withDirLock(`${req.dir}.lock`, async () => {
    const done = readReady(req.dir);
    if (done) return { ready: done, created: false };
    const venv = path.join(req.dir, "venv");
    fs.rmSync(path.join(req.dir, "ready"), { force: true });
    fs.rmSync(venv, { recursive: true, force: true });
    fs.mkdirSync(req.dir, { recursive: true });
    fs.writeFileSync(path.join(req.dir, "key.json"), `${JSON.stringify(req.key, null, 2)}\n`);
    appendNoFollow(path.join(req.dir, "install.log"), `# ${new Date().toISOString()} for task '${req.task}'\n`);
    const env: NodeJS.ProcessEnv = { ...req.env, VIRTUAL_ENV: venv, PATH: binFirst(venv, req.env.PATH) };
    delete env.PYTHONHOME;
    delete env.PYTHONPATH;
    try {
      await step(req, [req.key.python.executable, "-m", "venv", venv], env, "python -m venv");
      const python = path.join(venv, "bin", "python");
      for (const install of req.installs) {
        await step(
          req,
          [python, "-m", "pip", "install", ...install.args],
          { ...env, ...install.env },
          `pip install ${requirementsOf(install).join(" ")}`,
        );
      }
      const paths = JSON.parse(
        await execText(
          python,
          ["-c", "import json, sysconfig; p = sysconfig.get_paths(); print(json.dumps([p['purelib'], p['platlib']]))"],
          env,
          req.cwd,
        ),
      ) as string[];
      const ready: ReadyInfo = { createdAt: Date.now(), sitePackages: [...new Set(paths)] };
      const tmp = path.join(req.dir, `ready.${process.pid}.tmp`);
      fs.writeFileSync(tmp, `${JSON.stringify(ready)}\n`);
      fs.renameSync(tmp, path.join(req.dir, "ready"));
      return { ready, created: true };
    } catch (e) {
      // nothing half-made stays behind (install.log does, for the user to read)
      fs.rmSync(venv, { recursive: true, force: true });
      if (e instanceof TaskError) throw e;
      throw new PythonEnvError(`task '${req.task}': making its Python environment failed: ${(e as Error).message}`, []);
    }
  });
}

function binFirst(venv: string, pathVar: string | undefined): string {
  const bin = path.join(venv, "bin");
  return pathVar ? `${bin}${path.delimiter}${pathVar}` : bin;
}

/** Waits for `p`, or rejects with CANCELED when the signal aborts first (the making goes on for others). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const off = onAbort(signal, () => reject(new TaskError("CANCELED", "the run was canceled")));
    p.then(
      (v) => {
        off();
        resolve(v);
      },
      (e) => {
        off();
        reject(e);
      },
    );
  });
}

/** Sets a task's environment variables for {@link PythonEnvUse}: its bin first on PATH, VIRTUAL_ENV. */
export function applyPythonEnv(env: NodeJS.ProcessEnv, use: PythonEnvUse): void {
  for (const [k, v] of Object.entries(use.env)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
}

/** What {@link pythonEnvForTask} decided: an environment, or why the task runs as it is. */
export type PythonEnvOutcome = { use: PythonEnvUse } | { skipped: string; logLine: string } | undefined;

/**
 * The environment a task runs in, made or reused: `undefined` when its command installs
 * nothing, `skipped` (with the log line saying why) when it runs as it is. Throws a
 * {@link PythonEnvError} (PYTHON_ENV_FAILED) when the installs fail, and CANCELED when the
 * signal aborts while it waits.
 */
export async function pythonEnvForTask(req: {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  task: string;
  signal: AbortSignal;
  /** Told once, before a wait for the environment to be made (installs may take minutes). */
  onWait?: (logLine: string) => void;
}): Promise<PythonEnvOutcome> {
  const plan = pythonEnvPlan(req.argv, req.env);
  if (!plan) return undefined;
  const skipped = (why: string) => ({
    skipped: why,
    logLine: `[weft] python environment: none, the task's pip install runs as it is (${why})\n`,
  });
  if ("skip" in plan) return skipped(plan.skip);
  const python = await probePython(req.env, req.cwd);
  if (typeof python === "string") return skipped(python);
  const { installs, ownVenv } = plan.prelude;
  const key = { python, installs: installs.map(keyPart) };
  const dir = path.join(pythonEnvsRoot(req.env), canonicalDigest(key as unknown as JsonValue).slice(0, 32));
  const packages = installs.flatMap(requirementsOf);
  const started = Date.now();
  let made: { ready: ReadyInfo; created: boolean };
  const ready = readReady(dir);
  if (ready) made = { ready, created: false };
  else {
    req.onWait?.(
      `[weft] python environment ${dir}: not ready yet, installing ${packages.join(" ")} (pip's output: ${path.join(dir, "install.log")})\n`,
    );
    let p = making.get(dir);
    const mine = !p;
    if (!p) {
      p = make({ dir, key, installs, env: req.env, cwd: req.cwd, task: req.task, packages }).finally(() =>
        making.delete(dir),
      );
      making.set(dir, p);
    }
    made = await untilAborted(p, req.signal);
    if (!mine) made = { ...made, created: false };
  }
  const venv = path.join(dir, "venv");
  const env: Record<string, string | undefined> = {
    VIRTUAL_ENV: venv,
    PATH: binFirst(venv, req.env.PATH),
    PYTHONHOME: undefined,
  };
  // A script that makes its own venv (KFP's use_venv) makes it from the base interpreter;
  // PYTHONPATH lets it see (and its pip find satisfied) what this environment holds.
  if (ownVenv)
    env.PYTHONPATH = [...made.ready.sitePackages, ...(req.env.PYTHONPATH ? [req.env.PYTHONPATH] : [])].join(
      path.delimiter,
    );
  const how = made.created ? `created in ${((Date.now() - started) / 1000).toFixed(1)} s` : "reused";
  const logLine = `[weft] python environment ${dir} (${how}): ${python.implementation} ${python.version} at ${python.executable}; pip install ${packages.join(" ")}\n`;
  return {
    use: {
      dir,
      venv,
      created: made.created,
      python,
      packages,
      env,
      logLine,
      record: { path: dir, created: made.created, python: python.executable, version: python.version, packages },
    },
  };
}

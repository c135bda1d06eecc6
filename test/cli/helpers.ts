/**
 * Helpers of the CLI integration tests: a temporary `$WEFT_HOME`, small container-only
 * pipelines written as KFP IR YAML, and `node bin/weft.js` run as a real child process.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";

/** The project root (where `bin/weft.js` is). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** One container task of a test pipeline: a `sh -c` script. */
export interface ShTask {
  name: string;
  script: string;
  after?: string[];
  /** Input parameters taken from the pipeline's parameters: task input name → pipeline parameter. */
  params?: Record<string, string>;
  /** Input parameters taken from another task's output: input name → [task, output key]. */
  fromTask?: Record<string, [string, string]>;
  /** Output parameters the script writes to `$OUT_<name>` (passed as `$1`, `$2`, ...). */
  outputs?: string[];
  retries?: number;
  cache?: boolean;
}

/** A pipeline parameter: its KFP type and, when optional, its default. */
export interface ParamDef {
  type: "STRING" | "NUMBER_INTEGER" | "NUMBER_DOUBLE" | "BOOLEAN" | "LIST" | "STRUCT";
  default?: unknown;
}

/**
 * Builds KFP IR for a pipeline of `sh -c` tasks. Input parameters are exported to the
 * script as environment-free positional arguments: `$0` is unused, inputs come first
 * (in declaration order), then output file paths.
 */
export function shPipeline(name: string, tasks: ShTask[], params: Record<string, ParamDef> = {}): object {
  const components: Record<string, object> = {};
  const executors: Record<string, object> = {};
  const dagTasks: Record<string, object> = {};
  for (const t of tasks) {
    const inputNames = [...Object.keys(t.params ?? {}), ...Object.keys(t.fromTask ?? {})];
    // an input fed by a pipeline parameter has that parameter's type (validation checks the edge)
    const typeOf = (n: string): string => params[t.params?.[n] ?? ""]?.type ?? "STRING";
    const inputDefs = Object.fromEntries(inputNames.map((n) => [n, { parameterType: typeOf(n) }]));
    const outputDefs = Object.fromEntries((t.outputs ?? []).map((n) => [n, { parameterType: "STRING" }]));
    components[`comp-${t.name}`] = {
      executorLabel: `exec-${t.name}`,
      ...(inputNames.length ? { inputDefinitions: { parameters: inputDefs } } : {}),
      ...(t.outputs?.length ? { outputDefinitions: { parameters: outputDefs } } : {}),
    };
    executors[`exec-${t.name}`] = {
      container: {
        image: "alpine:3",
        command: ["sh", "-c", t.script, "sh"],
        args: [
          ...inputNames.map((n) => `{{$.inputs.parameters['${n}']}}`),
          ...(t.outputs ?? []).map((n) => `{{$.outputs.parameters['${n}'].output_file}}`),
        ],
      },
    };
    const inputs: Record<string, object> = {};
    for (const [n, p] of Object.entries(t.params ?? {})) inputs[n] = { componentInputParameter: p };
    for (const [n, [task, key]] of Object.entries(t.fromTask ?? {})) {
      inputs[n] = { taskOutputParameter: { producerTask: task, outputParameterKey: key } };
    }
    const deps = [...new Set([...(t.after ?? []), ...Object.values(t.fromTask ?? {}).map(([task]) => task)])];
    dagTasks[t.name] = {
      taskInfo: { name: t.name },
      componentRef: { name: `comp-${t.name}` },
      cachingOptions: { enableCache: t.cache ?? true },
      ...(deps.length ? { dependentTasks: deps } : {}),
      ...(Object.keys(inputs).length ? { inputs: { parameters: inputs } } : {}),
      ...(t.retries ? { retryPolicy: { maxRetryCount: t.retries, backoffDuration: "0s" } } : {}),
    };
  }
  const paramDefs = Object.fromEntries(
    Object.entries(params).map(([n, p]) => [
      n,
      { parameterType: p.type, ...(p.default === undefined ? {} : { defaultValue: p.default, isOptional: true }) },
    ]),
  );
  return {
    pipelineInfo: { name },
    schemaVersion: "2.1.0",
    sdkVersion: "weft-test",
    components,
    deploymentSpec: { executors },
    root: {
      dag: { tasks: dagTasks },
      ...(Object.keys(paramDefs).length ? { inputDefinitions: { parameters: paramDefs } } : {}),
    },
  };
}

/** A temporary directory holding a `$WEFT_HOME` and pipeline files; `cleanup()` removes it. */
export interface Sandbox {
  dir: string;
  home: string;
  write(file: string, ir: object): string;
  cleanup(): void;
}

/** Creates a {@link Sandbox}. */
export function sandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "weft-cli-"));
  const home = join(dir, "home");
  return {
    dir,
    home,
    write(file, ir) {
      const path = join(dir, file);
      writeFileSync(path, stringify(ir));
      return path;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The outcome of one `weft` process. */
export interface WeftResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `node bin/weft.js ...args` with `WEFT_HOME=home` (colour off, not a TTY). */
export function spawnWeft(home: string, args: string[]): ChildProcess {
  return spawn(process.execPath, [join(ROOT, "bin/weft.js"), ...args], {
    cwd: ROOT,
    env: { ...process.env, WEFT_HOME: home, NO_COLOR: "1", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Waits for a spawned `weft` to exit, collecting its output. */
export function collect(child: ChildProcess): Promise<WeftResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((res, rej) => {
    child.on("error", rej);
    child.on("close", (code, signal) => res({ code, signal, stdout, stderr }));
  });
}

/** Runs `weft ...args` to completion. */
export function weft(home: string, args: string[]): Promise<WeftResult> {
  return collect(spawnWeft(home, args));
}

/** A `weft server` child process on a free port of 127.0.0.1. */
export interface WeftServer {
  url: string;
  child: ChildProcess;
  /** Stops it (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts `weft server` over `home` on a free port of 127.0.0.1; resolves once it prints its URL. */
export function startWeftServer(home: string): Promise<WeftServer> {
  mkdirSync(home, { recursive: true });
  const child = spawn(process.execPath, [join(ROOT, "bin/weft.js"), "server", "--port", "0", "--host", "127.0.0.1"], {
    env: { ...process.env, WEFT_HOME: home, WEFT_HOST: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.on("exit", r));
    child.kill("SIGTERM");
    await exited;
  };
  let out = "";
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error("weft server printed no URL")), 30_000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /weft server: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        res({ url: m[1], child, stop });
      }
    });
    child.on("exit", (code) => rej(new Error(`weft server exited early with ${code}`)));
  });
}

/** Polls `check` every 100 ms until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Parses JSON lines (ignoring blank ones). */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Whether util-linux `script` is available to run `weft` inside a pseudo-terminal. */
export const HAS_SCRIPT = spawnSync("script", ["--version"], { stdio: "ignore" }).status === 0;

/**
 * Starts `weft ...args` inside a pseudo-terminal (via `script`), so stdout is a TTY;
 * writing `\x03` to the child's stdin is a Ctrl-C typed in that terminal.
 */
export function spawnWeftInTerminal(home: string, args: string[]): ChildProcess {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const line = [process.execPath, join(ROOT, "bin/weft.js"), ...args].map(quote).join(" ");
  return spawn("script", ["-qefc", line, "/dev/null"], {
    cwd: ROOT,
    env: { ...process.env, WEFT_HOME: home, TERM: "xterm-256color", NO_COLOR: undefined, FORCE_COLOR: undefined },
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** Runs `weft ...args` to completion inside a pseudo-terminal. */
export function weftInTerminal(home: string, args: string[]): Promise<WeftResult> {
  return collect(spawnWeftInTerminal(home, args));
}

/** Removes ANSI escape sequences. */
export function plainText(s: string): string {
  return s.replace(new RegExp(`${"\x1b"}\\[[0-9;?]*[A-Za-z]`, "g"), "");
}

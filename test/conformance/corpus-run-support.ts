/**
 * Support for the corpus run test (`corpus-run.test.ts`): which pip installs a KFP
 * lightweight Python component asks for and whether they can be installed here, a stand-in
 * `python3` for machines where they cannot, and the checks of a finished run's store.
 */
import { execFile, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { uriToLocalPath } from "../../src/executor/index.ts";
import type { ComponentSpec, JsonValue, ParameterType, PipelineSpec } from "../../src/ir/index.ts";
import { openStore } from "../../src/store/index.ts";

/** The container of every executor that has one. */
function containers(spec: PipelineSpec) {
  return Object.values(spec.deploymentSpec?.executors ?? {}).flatMap((e) => (e.container ? [e.container] : []));
}

/** Whether a container is a KFP lightweight Python component. */
export function isKfpPython(argv: readonly string[]): boolean {
  return argv.some((a) => a.includes("kfp.dsl.executor_main"));
}

/**
 * Splits shell text into words and separators (`&&`, `||`, `;`, `|`, newline) as `sh`
 * reads what the KFP compiler writes: single quotes, double quotes with backslash escapes,
 * backslash-newline. Enough for the install preludes; not a full shell parser.
 */
export function shellWords(text: string): string[] {
  const out: string[] = [];
  let word: string | undefined;
  const push = (): void => {
    if (word !== undefined) out.push(word);
    word = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      word = (word ?? "") + text.slice(i + 1, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    } else if (c === '"') {
      let w = "";
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === "\\" && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1] as string)) i++;
        w += text[i];
      }
      word = (word ?? "") + w;
    } else if (c === "\\" && text[i + 1] === "\n") {
      i++;
    } else if (c === "\\" && i + 1 < text.length) {
      word = (word ?? "") + text[++i];
    } else if (c === " " || c === "\t") {
      push();
    } else if (c === "\n" || c === ";") {
      push();
      out.push(c === ";" ? ";" : "\n");
    } else if ((c === "&" || c === "|") && text[i + 1] === c) {
      push();
      out.push(c + c);
      i++;
    } else if (c === "|") {
      push();
      out.push("|");
    } else {
      word = (word ?? "") + c;
    }
  }
  push();
  return out;
}

const SEPARATORS = new Set(["&&", "||", ";", "|", "\n"]);

/** The arguments after `pip install` of every `python3 -m pip install` (or `pip install`) in the pipeline's commands, deduplicated. */
export function pipInstalls(spec: PipelineSpec): string[][] {
  const found = new Map<string, string[]>();
  for (const c of containers(spec)) {
    for (const text of [...(c.command ?? []), ...(c.args ?? [])]) {
      if (!text.includes("pip install")) continue;
      const words = shellWords(text);
      for (let i = 0; i < words.length; i++) {
        const pip =
          words[i] === "pip" || (words[i]?.startsWith("python") && words[i + 1] === "-m" && words[i + 2] === "pip");
        if (!pip) continue;
        const at = words[i] === "pip" ? i + 1 : i + 3;
        if (words[at] !== "install") continue;
        const args: string[] = [];
        for (let j = at + 1; j < words.length && !SEPARATORS.has(words[j] as string); j++)
          args.push(words[j] as string);
        found.set(JSON.stringify(args), args);
      }
    }
  }
  return [...found.values()];
}

/** The `kfp==X` pins of a pipeline's install commands. */
export function kfpPins(spec: PipelineSpec): string[] {
  return [...new Set(pipInstalls(spec).flatMap((a) => a.filter((w) => /^kfp==/.test(w))))].sort();
}

/** Options of `pip install` that `pip download` does not take. */
const INSTALL_ONLY = new Set(["--quiet", "-q", "--no-warn-script-location", "--user", "--upgrade", "-U"]);

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ok: boolean; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 300_000, maxBuffer: 8 << 20 }, (err, _stdout, stderr) =>
      resolve({ ok: !err, stderr: `${stderr}${err && !stderr ? err.message : ""}` }),
    );
  });
}

/** Whether an install can be done here, and why not. */
export interface Installable {
  ok: boolean;
  reason: string;
}

const probes = new Map<string, Promise<Installable>>();

/**
 * Whether `pip install <args>` can succeed on this machine, as the task would run it (with
 * pip's own configuration and environment: PIP_FIND_LINKS, PIP_INDEX_URL, pip.conf):
 * `python3 -m pip download` of the same requirements, once per distinct install, with no
 * retries so an unreachable index answers at once.
 */
export function probeInstall(args: string[]): Promise<Installable> {
  const key = JSON.stringify(args);
  let p = probes.get(key);
  if (!p) {
    p = (async () => {
      const venv = await probeVenv();
      if (!venv.ok) return venv;
      const dest = fs.mkdtempSync(path.join(os.tmpdir(), "weft-pip-probe-"));
      try {
        const r = await run(
          "python3",
          [
            "-m",
            "pip",
            "download",
            "--disable-pip-version-check",
            "--retries",
            "0",
            "--timeout",
            "10",
            "--dest",
            dest,
            ...args.filter((a) => !INSTALL_ONLY.has(a)),
          ],
          process.env,
        );
        const last = r.stderr
          .split("\n")
          .map((l) => l.trim())
          .filter((l) => /^ERROR/.test(l))
          .slice(-1)[0];
        return r.ok
          ? { ok: true, reason: "" }
          : {
              ok: false,
              reason: `pip cannot get ${requirements(args).join(" ")} here (${last ?? "pip download failed"})`,
            };
      } finally {
        fs.rmSync(dest, { recursive: true, force: true });
      }
    })();
    probes.set(key, p);
  }
  return p;
}

/** The requirements among pip's arguments (no options, no option values). */
export function requirements(args: string[]): string[] {
  const withValue = new Set(["--index-url", "-i", "--extra-index-url", "--trusted-host", "--find-links", "-f"]);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (withValue.has(a)) i++;
    else if (!a.startsWith("-")) out.push(a);
  }
  return out;
}

let venvProbe: Promise<Installable> | undefined;

/** Whether python3 with pip and venv is here at all (Debian splits venv into python3-venv). */
function probeVenv(): Promise<Installable> {
  venvProbe ??= run("python3", ["-c", "import ensurepip, venv, pip"], process.env).then((r) =>
    r.ok ? { ok: true, reason: "" } : { ok: false, reason: `python3 with pip and venv is not available here` },
  );
  return venvProbe;
}

/** The real python3 on PATH (its interpreter's path), if there is one. */
export function realPython(): string | undefined {
  const r = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" });
  const p = r.status === 0 ? r.stdout.trim() : "";
  return p !== "" ? p : undefined;
}

/** What the stand-in python3 writes for one KFP executor it was asked to run. */
export interface Launch {
  argv: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  functionToExecute: string | undefined;
  componentModulePath: string | undefined;
  componentModuleExists: boolean;
  executorInput: ExecutorInputJson;
}

/** The parts of KFP's ExecutorInput the checks read. */
export interface ExecutorInputJson {
  inputs?: {
    parameterValues?: Record<string, JsonValue>;
    artifacts?: Record<string, { artifacts: { uri: string; metadata?: Record<string, JsonValue> }[] }>;
  };
  outputs?: {
    parameters?: Record<string, { outputFile: string }>;
    artifacts?: Record<string, { artifacts: { name?: string; uri: string; type?: { schemaTitle?: string } }[] }>;
    outputFile?: string;
  };
}

/** Output parameter types and values the stand-in writes, by function name. */
export interface FakeOutputs {
  /** function name → the output parameter types of each component running it. */
  types: Record<string, Record<string, ParameterType>[]>;
  /**
   * function name → output name → value, where the type's default value would not do;
   * `{ uriOf: "input" }` stands for the URI of the task's input artifact `input`.
   */
  values: Record<string, Record<string, JsonValue>>;
}

/** The output parameter types of each KFP Python function of the pipeline. */
export function fakeOutputsOf(spec: PipelineSpec, values: FakeOutputs["values"] = {}): FakeOutputs {
  const types: FakeOutputs["types"] = {};
  for (const comp of Object.values(spec.components ?? {})) {
    const c = spec.deploymentSpec?.executors?.[comp.executorLabel ?? ""]?.container;
    if (!c) continue;
    const argv = [...(c.command ?? []), ...(c.args ?? [])];
    if (!isKfpPython(argv)) continue;
    const fn = argv[argv.indexOf("--function_to_execute") + 1];
    if (fn === undefined) continue;
    const outs: Record<string, ParameterType> = {};
    for (const [k, d] of Object.entries(comp.outputDefinitions?.parameters ?? {})) outs[k] = d.parameterType;
    const list = types[fn] ?? [];
    list.push(outs);
    types[fn] = list;
  }
  return { types, values };
}

/**
 * Writes a stand-in `python3` into `dir/bin` for a machine where the KFP package cannot be
 * installed. It plays a python3 that has kfp: `-m kfp.dsl.executor_main` records its argv,
 * environment and executor input under `dir/launches` and writes the declared outputs as
 * KFP's executor does (artifact paths from URIs by KFP's own rule, parameters of the
 * declared types into executor_output.json); `-m pip install` records and succeeds;
 * `-m venv` makes a venv (the real one's, without pip) whose pythons are this stand-in;
 * anything else runs on the real python3, with a stub `kfp` importable and
 * `sys.executable` naming the stand-in, so an interpreter probe finds it.
 */
export function writeFakePython(dir: string, outputs: FakeOutputs, real: string | undefined): string {
  const bin = path.join(dir, "bin");
  const launches = path.join(dir, "launches");
  const stub = path.join(dir, "stub");
  fs.mkdirSync(bin, { recursive: true });
  fs.mkdirSync(launches, { recursive: true });
  fs.mkdirSync(path.join(stub, "kfp"), { recursive: true });
  fs.writeFileSync(path.join(stub, "kfp", "__init__.py"), "__version__ = '0+stand-in'\n");
  const config = { launches, stub, real: real ?? null, outputs };
  const script = `#!${process.execPath}
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const CONFIG = ${JSON.stringify(config)};
const self = fs.realpathSync(process.argv[1]);
const args = process.argv.slice(2);
const METRICS = ["system.Metrics", "system.ClassificationMetrics", "system.SlicedClassificationMetrics"];
function note(kind, extra) {
  const file = path.join(CONFIG.launches, kind + "-" + process.pid + "-" + Math.random().toString(36).slice(2) + ".json");
  fs.writeFileSync(file, JSON.stringify({ kind, argv: [self, ...args], cwd: process.cwd(), ...extra }));
}
function delegate(argv) {
  if (!CONFIG.real) {
    process.stderr.write("stand-in python3: no real python3 to run " + argv.join(" ") + "\\n");
    process.exit(1);
  }
  const env = { ...process.env, PYTHONPATH: [CONFIG.stub, process.env.PYTHONPATH].filter(Boolean).join(":") };
  const r = spawnSync(CONFIG.real, argv, { stdio: "inherit", env });
  process.exit(r.status === null ? 1 : r.status);
}
function value(name, type, fn, ei) {
  const given = (CONFIG.outputs.values[fn] || {})[name];
  if (given && typeof given === "object" && typeof given.uriOf === "string") {
    const list = ((ei.inputs && ei.inputs.artifacts) || {})[given.uriOf];
    return list && list.artifacts[0] ? list.artifacts[0].uri : "";
  }
  if (given !== undefined) return given;
  switch (type) {
    case "NUMBER_INTEGER": return 1;
    case "NUMBER_DOUBLE": return 1.5;
    case "BOOLEAN": return true;
    case "LIST": return [];
    case "STRUCT": return {};
    default: return "stand-in " + name;
  }
}
function localPath(uri) {
  for (const [p, m] of [["gs://", "/gcs/"], ["minio://", "/minio/"], ["s3://", "/s3/"]]) if (uri.startsWith(p)) return m + uri.slice(p.length);
  if (uri.startsWith("oci://")) return "/oci/" + uri.slice(6).replace(/\\//g, "_");
  return uri;
}
function option(name) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
if (args[0] === "-m" && args[1] === "kfp.dsl.executor_main") {
  const fn = option("--function_to_execute");
  const modulePath = option("--component_module_path");
  const ei = JSON.parse(option("--executor_input") || "{}");
  const env = {};
  for (const k of ["_KFP_RUNTIME", "VIRTUAL_ENV", "PATH", "PYTHONPATH"]) env[k] = process.env[k];
  note("executor", { env, functionToExecute: fn, componentModulePath: modulePath, componentModuleExists: !!modulePath && fs.existsSync(modulePath), executorInput: ei });
  const outs = (ei.outputs && ei.outputs.parameters) || {};
  const names = Object.keys(outs).sort().join(",");
  const types = (CONFIG.outputs.types[fn] || []).find((t) => Object.keys(t).sort().join(",") === names) || {};
  const result = { parameterValues: {}, artifacts: {} };
  for (const k of Object.keys(outs)) result.parameterValues[k] = value(k, types[k], fn, ei);
  for (const [k, list] of Object.entries((ei.outputs && ei.outputs.artifacts) || {})) {
    result.artifacts[k] = { artifacts: [] };
    for (const a of list.artifacts) {
      const metrics = METRICS.includes((a.type && a.type.schemaTitle) || "");
      const metadata = metrics ? { "stand-in": 1 } : {};
      if (!metrics) {
        const p = localPath(a.uri);
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, "written by the stand-in for " + fn + "." + k + "\\n");
      }
      result.artifacts[k].artifacts.push({ name: a.name, uri: a.uri, metadata });
    }
  }
  const outFile = ei.outputs && ei.outputs.outputFile;
  if (outFile) {
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, JSON.stringify(result));
  }
  process.exit(0);
}
if (args[0] === "-m" && args[1] === "pip" && args[2] === "install") {
  note("pip", { env: { VIRTUAL_ENV: process.env.VIRTUAL_ENV } });
  process.exit(0);
}
if (args[0] === "-m" && args[1] === "venv") {
  note("venv", {});
  const rest = args.slice(2).filter((a) => a !== "--without-pip" && a !== "--upgrade-deps");
  const target = rest.filter((a) => !a.startsWith("-")).slice(-1)[0];
  if (!target) process.exit(2);
  if (CONFIG.real) {
    const r = spawnSync(CONFIG.real, ["-m", "venv", "--without-pip", ...rest], { stdio: "inherit" });
    if (r.status !== 0) process.exit(r.status === null ? 1 : r.status);
  }
  const vbin = path.join(target, "bin");
  fs.mkdirSync(vbin, { recursive: true });
  for (const name of fs.readdirSync(vbin)) if (/^python[0-9.]*$/.test(name)) fs.rmSync(path.join(vbin, name), { force: true });
  for (const name of ["python", "python3"]) fs.copyFileSync(self, path.join(vbin, name)), fs.chmodSync(path.join(vbin, name), 0o755);
  if (!fs.existsSync(path.join(vbin, "activate"))) {
    fs.writeFileSync(path.join(vbin, "activate"), 'VIRTUAL_ENV="' + path.resolve(target) + '"\\nexport VIRTUAL_ENV\\nPATH="$VIRTUAL_ENV/bin:$PATH"\\nexport PATH\\n');
  }
  process.exit(0);
}
if (args[0] === "-c") {
  // the code runs on the real python3, which sees this stand-in as its interpreter
  const wrap = "import sys; sys.executable = " + JSON.stringify(self) + "; code = sys.argv.pop(1); exec(compile(code, '<string>', 'exec'), {'__name__': '__main__'})";
  delegate(["-c", wrap, ...args.slice(1)]);
}
delegate(args);
`;
  const file = path.join(bin, "python3");
  fs.writeFileSync(file, script, { mode: 0o755 });
  fs.copyFileSync(file, path.join(bin, "python"));
  fs.chmodSync(path.join(bin, "python"), 0o755);
  return bin;
}

/** The executor launches the stand-in recorded. */
export function readLaunches(dir: string): Launch[] {
  const d = path.join(dir, "launches");
  return fs
    .readdirSync(d)
    .filter((f) => f.startsWith("executor-"))
    .map((f) => JSON.parse(fs.readFileSync(path.join(d, f), "utf8")) as Launch);
}

/** Whether `p` is `root` or lies inside it. */
export function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/** A URI an importer hands on (object stores, registries, the web): the task maps it itself. */
function remoteUri(uri: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith("file:");
}

/** Whether a JSON value is of a KFP parameter type. */
export function hasType(v: JsonValue, type: ParameterType): boolean {
  switch (type) {
    case "NUMBER_INTEGER":
      return typeof v === "number" && Number.isInteger(v);
    case "NUMBER_DOUBLE":
      return typeof v === "number";
    case "STRING":
      return typeof v === "string";
    case "BOOLEAN":
      return typeof v === "boolean";
    case "LIST":
      return Array.isArray(v);
    case "STRUCT":
      return typeof v === "object" && v !== null && !Array.isArray(v);
    default:
      return true;
  }
}

/** The components whose executor runs KFP function `fn`. */
function componentsRunning(spec: PipelineSpec, fn: string): ComponentSpec[] {
  return Object.values(spec.components ?? {}).filter((comp) => {
    const c = spec.deploymentSpec?.executors?.[comp.executorLabel ?? ""]?.container;
    const argv = [...(c?.command ?? []), ...(c?.args ?? [])];
    return isKfpPython(argv) && argv[argv.indexOf("--function_to_execute") + 1] === fn;
  });
}

/**
 * What is wrong with one launch of a KFP executor, as KFP's runtime would read it: artifact
 * URIs that are absolute paths inside the home (or an importer's remote URI), output files
 * inside the run's directories, parameter values of the declared types, a module to load.
 */
export function launchProblems(spec: PipelineSpec, launch: Launch, home: string, runId: string): string[] {
  const fn = launch.functionToExecute ?? "?";
  const out: string[] = [];
  const where = `launch of ${fn}`;
  if (!launch.componentModuleExists)
    out.push(`${where}: --component_module_path ${launch.componentModulePath} does not exist`);
  if (launch.env._KFP_RUNTIME !== "true") out.push(`${where}: _KFP_RUNTIME is ${launch.env._KFP_RUNTIME}, not true`);
  const unresolved = launch.argv.filter((a) => a.includes("{{$"));
  if (unresolved.length > 0)
    out.push(`${where}: unresolved placeholders in argv: ${unresolved.join(" ").slice(0, 200)}`);
  const ei = launch.executorInput;
  for (const [k, v] of Object.entries(ei.inputs?.parameterValues ?? {})) {
    if (JSON.stringify(v).includes("{{$"))
      out.push(`${where}: input parameter '${k}' holds an unresolved placeholder: ${JSON.stringify(v)}`);
  }
  const inStore = (uri: string, what: string, remoteOk: boolean): void => {
    if (remoteOk && remoteUri(uri)) return;
    if (!path.isAbsolute(uri) || !isInside(home, uri)) {
      out.push(`${where}: ${what} URI ${uri} is not an absolute path inside the home ${home}`);
    }
  };
  for (const [k, list] of Object.entries(ei.inputs?.artifacts ?? {})) {
    for (const a of list.artifacts) inStore(a.uri, `input artifact '${k}'`, true);
  }
  for (const [k, list] of Object.entries(ei.outputs?.artifacts ?? {})) {
    for (const a of list.artifacts) inStore(a.uri, `output artifact '${k}'`, false);
  }
  const files = [
    ...Object.entries(ei.outputs?.parameters ?? {}).map(([k, p]) => [`output parameter '${k}'`, p.outputFile] as const),
    ["executor output", ei.outputs?.outputFile ?? ""] as const,
  ];
  for (const [what, f] of files) {
    if (!path.isAbsolute(f) || !isInside(home, f) || !f.split(path.sep).includes(runId)) {
      out.push(`${where}: ${what} file ${f} is not inside the run's directories under ${home}`);
    }
  }
  const candidates = componentsRunning(spec, fn);
  const given = ei.inputs?.parameterValues ?? {};
  const typed = candidates.some((comp) => {
    const defs = comp.inputDefinitions?.parameters ?? {};
    // KFP's driver also passes the task's `pipelinechannel--` inputs, which the component
    // reads through placeholders in other inputs; the executor ignores them
    const wrong = Object.entries(given).some(([k, v]) => {
      const d = defs[k];
      if (d === undefined) return !k.startsWith("pipelinechannel--");
      return v !== null && !hasType(v, d.parameterType);
    });
    const missing = Object.entries(defs).some(([k, d]) => !d.isOptional && !(k in given));
    return !wrong && !missing;
  });
  if (!typed) {
    const declared = candidates.map((c) =>
      Object.entries(c.inputDefinitions?.parameters ?? {})
        .map(([k, d]) => `${k}: ${d.parameterType}${d.isOptional ? "?" : ""}`)
        .join(", "),
    );
    out.push(
      `${where}: parameter values ${JSON.stringify(given)} do not match the declared inputs (${declared.join(" | ")})`,
    );
  }
  return out;
}

const METRICS = new Set(["system.Metrics", "system.ClassificationMetrics", "system.SlicedClassificationMetrics"]);

/** The outcome of a run, read back from its home's store. */
export interface StoredRun {
  runId: string | undefined;
  state: string | undefined;
  /** Each container task that ran: path, state, error code and message. */
  tasks: { path: string; state: string; error?: string }[];
  /** Every declared output of every executed task that the store lacks or whose content is not where it says. */
  problems: string[];
}

/**
 * Reads the run in `home` and checks that every container task that was not skipped
 * succeeded (or was a cache hit) with every declared output parameter recorded, and every
 * declared output artifact recorded with its file or directory at the path its URI names,
 * inside the home (a Metrics-type artifact may carry its content in metadata instead).
 */
export function readStoredRun(home: string, spec: PipelineSpec): StoredRun {
  if (!fs.existsSync(path.join(home, "weft.db")))
    return { runId: undefined, state: undefined, tasks: [], problems: [] };
  const store = openStore(home);
  try {
    const run = store.runs.list().items[0];
    if (!run) return { runId: undefined, state: undefined, tasks: [], problems: [] };
    const tasks = store.tasks.listByRun(run.id).filter((t) => t.kind === "container");
    const arts = store.artifacts.listByRun(run.id);
    const problems: string[] = [];
    for (const t of tasks) {
      if (t.state === "SKIPPED") continue;
      if (t.state !== "SUCCEEDED" && t.state !== "CACHED") {
        problems.push(`${t.path}: ${t.state}${t.error ? ` (${t.error.code ?? ""}: ${t.error.message})` : ""}`);
        continue;
      }
      const comp = spec.components?.[t.componentName ?? ""];
      for (const k of Object.keys(comp?.outputDefinitions?.parameters ?? {})) {
        if (!(k in t.outputs.parameters)) problems.push(`${t.path}: output parameter '${k}' is not recorded`);
      }
      for (const [k, def] of Object.entries(comp?.outputDefinitions?.artifacts ?? {})) {
        const a = arts.find((x) => x.taskId === t.id && x.name === k);
        if (!a) {
          problems.push(`${t.path}: output artifact '${k}' is not in the store`);
          continue;
        }
        const p = uriToLocalPath(a.uri);
        const metadataOnly = METRICS.has(def.artifactType.schemaTitle ?? "") && Object.keys(a.metadata).length > 0;
        if (metadataOnly && !fs.existsSync(p)) continue;
        if (!path.isAbsolute(p) || !isInside(home, p)) {
          problems.push(`${t.path}: output artifact '${k}' is recorded at ${a.uri}, outside the home ${home}`);
        } else if (!fs.existsSync(p)) {
          problems.push(`${t.path}: output artifact '${k}' is recorded at ${a.uri}, but nothing is there`);
        }
      }
    }
    return {
      runId: run.id,
      state: run.state,
      tasks: tasks.map((t) => ({
        path: t.path,
        state: t.state,
        ...(t.error ? { error: `${t.error.code ?? ""}: ${t.error.message}` } : {}),
      })),
      problems,
    };
  } finally {
    store.close();
  }
}

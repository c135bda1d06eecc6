/**
 * The files of one task attempt: output artifact locations, output parameter files, the
 * KFP `ExecutorInput`, and reading what the task wrote back (parameter files,
 * `executor_output.json`), with content digests of artifacts.
 */
import fs from "node:fs";
import path from "node:path";
import { type ArtifactStore, insideRoot, resolveInside } from "../artifacts/index.ts";
import { type ExecutorInput, uriToLocalPath } from "../executor/index.ts";
import type { ComponentSpec, JsonValue, ParameterType } from "../ir/index.ts";
import { canonicalDigest, sha256Hex } from "./canonical.ts";
import type { NodeIO } from "./context.ts";
import { TaskError } from "./errors.ts";

/** An output artifact before it is recorded. */
export interface PendingArtifact {
  name: string;
  uri: string;
  path: string;
  schemaTitle: string;
  schemaVersion: string;
  metadata: Record<string, JsonValue>;
}

/** Where one attempt reads and writes. */
export interface AttemptFiles {
  dir: string;
  outputParameterFiles: Record<string, string>;
  outputArtifacts: Record<string, PendingArtifact>;
  executorOutputFile: string;
}

/** Relative location of a task under the run (`root/a/b` → `a/b`). */
export function relPath(taskPath: string): string {
  return taskPath.replace(/^root\/?/, "") || "root";
}

/** `file://` URI of an absolute path. */
export function fileUri(p: string): string {
  return `file://${p.split(path.sep).map(encodeURIComponent).join("/")}`;
}

/**
 * The URI a task is handed for an artifact (in its executor input and `.uri` placeholders):
 * a `file://` URI becomes the absolute local path, as KFP's local runner passes it. KFP's
 * runtimes map only `gs://`, `s3://`, `minio://` and `oci://` to local mounts and use any
 * other URI as a path, so `file:///x` would become the relative path `file:/x` in the
 * task's working folder. Other URIs are handed on as they are. The store keeps `file://`.
 *
 * @example taskUri("file:///home/u/.weft/artifacts/r/train/model") // "/home/u/.weft/artifacts/r/train/model"
 */
export function taskUri(uri: string): string {
  return uri.startsWith("file://") ? uriToLocalPath(uri) : uri;
}

/**
 * Lays out the attempt directory and the task's output artifact locations. Every path is
 * built with `insideRoot`, so a task path or output name that slipped past validation
 * (`../`, an absolute path) throws naming it instead of reaching outside `attemptRoot`
 * or `artifactsDir`; only such checked paths are removed.
 */
export function prepareAttempt(
  component: ComponentSpec,
  artifactsDir: string,
  runId: string,
  taskPath: string,
  attemptRoot: string,
  attemptName: string,
  store?: ArtifactStore,
): AttemptFiles {
  const rel = relPath(taskPath);
  const attemptDir = insideRoot(attemptRoot, runId, rel, attemptName);
  const outputParameterFiles: Record<string, string> = {};
  for (const key of Object.keys(component.outputDefinitions?.parameters ?? {})) {
    checkOutputName(key, "parameter", taskPath);
    outputParameterFiles[key] = insideRoot(attemptDir, "outputs", key, "data");
  }
  const outputArtifacts: Record<string, PendingArtifact> = {};
  for (const [key, spec] of Object.entries(component.outputDefinitions?.artifacts ?? {})) {
    checkOutputName(key, "artifact", taskPath);
    const uri = store ? store.uriFor(runId, rel, key) : fileUri(insideRoot(artifactsDir, runId, rel, key));
    const p = store ? store.localPath(uri) : insideRoot(artifactsDir, runId, rel, key);
    outputArtifacts[key] = {
      name: key,
      uri,
      path: p,
      schemaTitle: spec.artifactType.schemaTitle ?? "system.Artifact",
      schemaVersion: spec.artifactType.schemaVersion ?? "0.0.1",
      metadata: {},
    };
  }
  // KFP's executor takes the folder of its output file as the task root (`dsl.get_uri()`
  // gives URIs under it), and its local runner puts that file beside the task's output
  // artifacts; so does Weft, so URIs made that way are in the store.
  const executorOutputFile = store
    ? store.localPath(store.uriFor(runId, rel, EXECUTOR_OUTPUT))
    : insideRoot(artifactsDir, runId, rel, EXECUTOR_OUTPUT);
  // Every path is checked before anything is removed or created.
  fs.rmSync(attemptDir, { recursive: true, force: true });
  fs.mkdirSync(attemptDir, { recursive: true });
  // KFP's launcher creates the parent folders of output files; so do we.
  for (const f of Object.values(outputParameterFiles)) fs.mkdirSync(path.dirname(f), { recursive: true });
  for (const a of Object.values(outputArtifacts)) {
    fs.rmSync(a.path, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(a.path), { recursive: true });
  }
  fs.rmSync(executorOutputFile, { force: true });
  fs.mkdirSync(path.dirname(executorOutputFile), { recursive: true });
  return {
    dir: attemptDir,
    outputParameterFiles,
    outputArtifacts,
    executorOutputFile,
  };
}

/** The file a task writes its outputs' metadata to, beside its output artifacts. */
const EXECUTOR_OUTPUT = "executor_output.json";

/** An output name is one path segment: no `/`, `\\`, NUL, and not `.` or `..`. */
function checkOutputName(name: string, kind: string, taskPath: string): void {
  if (name === EXECUTOR_OUTPUT) {
    throw new TaskError(
      "PATH_UNSAFE",
      `task '${taskPath}': output ${kind} name "${EXECUTOR_OUTPUT}" is the file the task's output metadata goes to; rename the output`,
    );
  }
  if (name === "" || name === "." || name === ".." || /[/\\\0]/.test(name)) {
    throw new TaskError(
      "PATH_UNSAFE",
      `task '${taskPath}': output ${kind} name ${JSON.stringify(name)} cannot be used as a file name; rename the output without "/", "\\", "." or ".."`,
    );
  }
}

/**
 * Builds KFP's ExecutorInput JSON for the task. Artifact URIs are the ones the task is
 * handed ({@link taskUri}): an output's is the absolute path of its place in the store.
 */
export function buildExecutorInput(inputs: NodeIO, files: AttemptFiles): ExecutorInput {
  const artifacts: NonNullable<NonNullable<ExecutorInput["inputs"]>["artifacts"]> = {};
  for (const [k, list] of Object.entries(inputs.artifacts)) {
    artifacts[k] = {
      artifacts: list.map((a) => ({
        name: a.name,
        uri: taskUri(a.uri),
        metadata: a.metadata,
        type: { schemaTitle: a.schemaTitle, schemaVersion: a.schemaVersion },
      })),
    };
  }
  const outParams: Record<string, { outputFile: string }> = {};
  for (const [k, f] of Object.entries(files.outputParameterFiles)) outParams[k] = { outputFile: f };
  const outArtifacts: NonNullable<NonNullable<ExecutorInput["outputs"]>["artifacts"]> = {};
  for (const [k, a] of Object.entries(files.outputArtifacts)) {
    outArtifacts[k] = {
      artifacts: [
        { name: k, uri: a.path, metadata: {}, type: { schemaTitle: a.schemaTitle, schemaVersion: a.schemaVersion } },
      ],
    };
  }
  return {
    inputs: { parameterValues: inputs.parameters, artifacts },
    outputs: { parameters: outParams, artifacts: outArtifacts, outputFile: files.executorOutputFile },
  };
}

/** An artifact as a task's placeholders see it: the URI it is handed, its local path, its metadata. */
export interface TaskArtifact {
  name: string;
  uri: string;
  path: string;
  metadata: Record<string, JsonValue>;
}

/**
 * The input and output artifacts a task's `{{$.inputs.artifacts[...]}}` and
 * `{{$.outputs.artifacts[...]}}` placeholders resolve against, with the URIs of its
 * executor input ({@link taskUri}).
 */
export function placeholderArtifacts(
  inputs: NodeIO,
  files: AttemptFiles,
): { inputArtifacts: Record<string, TaskArtifact[]>; outputArtifacts: Record<string, TaskArtifact> } {
  const inputArtifacts: Record<string, TaskArtifact[]> = {};
  for (const [k, list] of Object.entries(inputs.artifacts)) {
    inputArtifacts[k] = list.map((a) => ({
      name: a.name,
      uri: taskUri(a.uri),
      path: uriToLocalPath(a.uri),
      metadata: a.metadata,
    }));
  }
  const outputArtifacts: Record<string, TaskArtifact> = {};
  for (const [k, a] of Object.entries(files.outputArtifacts)) {
    outputArtifacts[k] = { name: k, uri: a.path, path: a.path, metadata: a.metadata };
  }
  return { inputArtifacts, outputArtifacts };
}

/** Parses an output parameter file's text by its declared type. */
export function parseParameterText(text: string, type: ParameterType, name: string, task: string): JsonValue {
  const t = text.trim();
  switch (type) {
    case "STRING":
      return text;
    case "NUMBER_INTEGER":
    case "NUMBER_DOUBLE": {
      const n = Number(t);
      if (t === "" || !Number.isFinite(n)) {
        throw new TaskError(
          "OUTPUT_INVALID",
          `task '${task}' wrote '${t}' to output parameter '${name}', which is declared ${type}; write a number`,
        );
      }
      return type === "NUMBER_INTEGER" ? Math.trunc(n) : n;
    }
    case "BOOLEAN":
      if (t === "true" || t === "True") return true;
      if (t === "false" || t === "False") return false;
      throw new TaskError(
        "OUTPUT_INVALID",
        `task '${task}' wrote '${t}' to BOOLEAN output parameter '${name}'; write true or false`,
      );
    default:
      try {
        return JSON.parse(t) as JsonValue;
      } catch {
        throw new TaskError(
          "OUTPUT_INVALID",
          `task '${task}' wrote invalid JSON to ${type} output parameter '${name}'`,
        );
      }
  }
}

/**
 * The text of a file the task wrote, read without following a symbolic link (a task that
 * put a link there would make the engine record the target's content); undefined when absent.
 */
function readNoFollow(file: string, what: string, task: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP") {
      throw new TaskError(
        "PATH_UNSAFE",
        `task '${task}' wrote a symbolic link as its ${what} (${file}); links are not followed, so write the value itself`,
      );
    }
    throw e;
  }
  try {
    if (!fs.fstatSync(fd).isFile()) {
      throw new TaskError("PATH_UNSAFE", `task '${task}': its ${what} (${file}) is not a regular file; write a file`);
    }
    return fs.readFileSync(fd, "utf8");
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads what a finished attempt wrote: output parameters and artifact metadata. */
export function readOutputs(
  component: ComponentSpec,
  files: AttemptFiles,
  task: string,
  artifactsDir: string,
): { parameters: Record<string, JsonValue>; artifacts: PendingArtifact[] } {
  let execOut: {
    parameterValues?: Record<string, JsonValue>;
    artifacts?: Record<string, { artifacts?: { uri?: string; metadata?: Record<string, JsonValue> }[] }>;
  } = {};
  const execText = readNoFollow(files.executorOutputFile, "executor_output.json", task);
  if (execText !== undefined) {
    try {
      execOut = JSON.parse(execText);
    } catch (e) {
      throw new TaskError(
        "OUTPUT_INVALID",
        `task '${task}' wrote an executor_output.json that is not JSON: ${(e as Error).message}`,
      );
    }
  }
  const parameters: Record<string, JsonValue> = {};
  for (const [key, def] of Object.entries(component.outputDefinitions?.parameters ?? {})) {
    const fromExec = execOut.parameterValues?.[key];
    if (fromExec !== undefined) {
      parameters[key] = fromExec;
      continue;
    }
    const f = files.outputParameterFiles[key] as string;
    const text = readNoFollow(f, `output parameter '${key}'`, task);
    if (text === undefined) {
      throw new TaskError(
        "OUTPUT_MISSING",
        `task '${task}' did not write output parameter '${key}' (expected file ${f}); write it to the path given by {{$.outputs.parameters['${key}'].output_file}}`,
      );
    }
    parameters[key] = parseParameterText(text, def.parameterType, key, task);
  }
  const artifacts = Object.values(files.outputArtifacts).map((a) => {
    const o = execOut.artifacts?.[a.name]?.artifacts?.[0];
    const given = o?.uri;
    let uri = a.uri;
    let local = a.path;
    // The task was handed the path as the URI (taskUri); either form means "unchanged".
    if (given !== undefined && given !== "" && given !== a.uri && given !== a.path) {
      // A task may move its output within the artifact store, never outside it.
      try {
        local = resolveInside(artifactsDir, given, { linkAtEnd: "allow" });
      } catch (e) {
        throw new TaskError(
          "PATH_UNSAFE",
          `task '${task}' set the URI of output artifact '${a.name}' to "${given}" in executor_output.json, which is not a place in the artifact store ${artifactsDir}: ${(e as Error).message}`,
        );
      }
      // recorded as a file:// URI like every other artifact in the store
      if (local !== a.path) uri = fileUri(local);
    }
    return { ...a, uri, path: local, metadata: { ...a.metadata, ...(o?.metadata ?? {}) } };
  });
  return { parameters, artifacts };
}

/** Arguments longer than this are recorded abbreviated (a TS component's bundled program is 20-50 KB). */
export const RECORDED_ARG_MAX = 2048;

/**
 * The command line as recorded on the task: an argument longer than
 * {@link RECORDED_ARG_MAX} (a component's inline program) becomes
 * `<N bytes, sha256:…>`, so a run of 1,000 TypeScript tasks does not store its program
 * 1,000 times.
 */
export function recordedArgv(argv: readonly string[]): string[] {
  return argv.map((a) =>
    a.length > RECORDED_ARG_MAX ? `<${Buffer.byteLength(a)} bytes, sha256:${sha256Hex(a).slice(0, 16)}>` : a,
  );
}

/**
 * Content digest of a metadata-only artifact (a Metrics or ClassificationMetrics output
 * whose content is its metadata, with no file on disk): sha256 over its canonical
 * metadata JSON.
 */
export function metadataDigest(metadata: Record<string, JsonValue>): string {
  return `sha256:${canonicalDigest(metadata)}`;
}

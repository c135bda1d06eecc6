/**
 * The executor: turns an ExecutorInput into a component call and the call's results into
 * output parameter files and `executor_output.json`, as KFP's Python executor does.
 */
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { parseExecutorArgs, sameFunctionName } from "./args.ts";
import type { Artifact } from "./artifact.ts";
import { checkOutputParameter, coerceInputParameter, serializeParameter } from "./coerce.ts";
import { ExecutorError } from "./errors.ts";
import { createArtifact } from "./registry.ts";
import { createTaskContext } from "./tracking.ts";
import type { ExecutableComponent, ExecutorInput, ExecutorOutput, JsonValue, ParameterDecl } from "./types.ts";

function writeFileMkdir(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

function buildInputs(component: ExecutableComponent, input: ExecutorInput): Record<string, unknown> {
  const values = input.inputs?.parameterValues ?? {};
  const artifacts = input.inputs?.artifacts ?? {};
  const result: Record<string, unknown> = {};
  for (const [name, decl] of Object.entries(component.inputs)) {
    if (decl.kind === "parameter") {
      const value = values[name] === undefined ? decl.default : values[name];
      if (value === undefined || value === null) {
        if (decl.optional) {
          result[name] = value;
          continue;
        }
        throw new ExecutorError(
          "EXECUTOR_INPUT_MISSING",
          `component "${component.name}": input parameter "${name}" (${decl.type}) has ${value === null ? "a null value" : "no value"} in --executor_input inputs.parameterValues; pass it from the pipeline, or give it a default or optional: true.`,
        );
      }
      result[name] = coerceInputParameter(name, decl.type, value);
      continue;
    }
    const list = artifacts[name]?.artifacts ?? [];
    if (decl.isList) {
      result[name] = list.map((a) => createArtifact(a, decl.schemaTitle));
    } else if (list[0]) {
      result[name] = createArtifact(list[0], decl.schemaTitle);
    } else if (!decl.optional) {
      throw new ExecutorError(
        "EXECUTOR_INPUT_MISSING",
        `component "${component.name}": input artifact "${name}" (${decl.schemaTitle}) has no artifact in --executor_input inputs.artifacts; wire an upstream output to it or declare it optional: true.`,
      );
    }
  }
  return result;
}

function buildOutputArtifacts(component: ExecutableComponent, input: ExecutorInput): Record<string, Artifact> {
  const result: Record<string, Artifact> = {};
  for (const [name, decl] of Object.entries(component.outputs)) {
    if (decl.kind !== "artifact") continue;
    const runtime = input.outputs?.artifacts?.[name]?.artifacts?.[0];
    if (!runtime?.uri) {
      throw new ExecutorError(
        "EXECUTOR_OUTPUT_MISSING",
        `component "${component.name}": output artifact "${name}" has no URI in --executor_input outputs.artifacts; the pipeline runner must assign one (recompile the pipeline if the component changed).`,
      );
    }
    const artifact = createArtifact(runtime, decl.schemaTitle);
    // A task writes to `artifact.path` directly; its parent directory must exist.
    try {
      mkdirSync(dirname(artifact.path), { recursive: true });
    } catch (cause) {
      throw new ExecutorError(
        "EXECUTOR_OUTPUT_PATH",
        `component "${component.name}": cannot create the directory of output artifact "${name}" at ${artifact.path} (${(cause as Error).message}); the task needs write access there (for ${runtime.uri.split("://")[0]}:// URIs, a mounted bucket).`,
        { cause },
      );
    }
    result[name] = artifact;
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function collectParameters(component: ExecutableComponent, returned: unknown): Record<string, JsonValue> {
  const decls = Object.entries(component.outputs).filter(
    (e): e is [string, ParameterDecl] => e[1].kind === "parameter",
  );
  if (decls.length === 0) return {};
  const [only] = decls;
  if (decls.length === 1 && only && only[0] === "Output") {
    const unwrap = only[1].type !== "STRUCT" && isPlainObject(returned) && "Output" in returned;
    const value = unwrap ? returned.Output : returned;
    return { Output: checkOutputParameter("Output", only[1].type, requireValue(component, "Output", value)) };
  }
  if (!isPlainObject(returned)) {
    throw new ExecutorError(
      "EXECUTOR_OUTPUT_TYPE",
      `component "${component.name}": run() must return an object with output parameters ${decls.map(([n]) => `"${n}"`).join(", ")}; it returned ${returned === undefined ? "nothing" : typeof returned}.`,
    );
  }
  const result: Record<string, JsonValue> = {};
  for (const [name, decl] of decls) {
    result[name] = checkOutputParameter(name, decl.type, requireValue(component, name, returned[name]));
  }
  return result;
}

function requireValue(component: ExecutableComponent, name: string, value: unknown): unknown {
  if (value === undefined) {
    throw new ExecutorError(
      "EXECUTOR_OUTPUT_MISSING",
      `component "${component.name}": run() returned no value for output parameter "${name}"; return { ${name}: ... }.`,
    );
  }
  return value;
}

/**
 * Runs a component under the KFP executor contract and returns the ExecutorOutput it wrote.
 * Errors are thrown; use {@link runExecutor} for the task process behaviour (exit code, stderr).
 *
 * @throws ExecutorError for a malformed command line, missing inputs or bad outputs.
 */
export async function executeComponent(component: ExecutableComponent, argv: string[]): Promise<ExecutorOutput> {
  const { executorInput, functionToExecute } = parseExecutorArgs(argv);
  if (!sameFunctionName(functionToExecute, component.name)) {
    throw new ExecutorError(
      "EXECUTOR_FUNCTION_MISMATCH",
      `--function_to_execute is "${functionToExecute}" but this bundle holds component "${component.name}"; rebuild the task command or pass --function_to_execute ${component.name}.`,
    );
  }
  const inputs = buildInputs(component, executorInput);
  const outputArtifacts = buildOutputArtifacts(component, executorInput);
  const ctx = createTaskContext();
  let returned: unknown;
  try {
    returned = await component.run(inputs, outputArtifacts, ctx);
  } finally {
    // what the component logged is sent before its outputs are written, and when it fails
    await ctx.log.close();
  }
  const parameterValues = collectParameters(component, returned);

  for (const [name, value] of Object.entries(parameterValues)) {
    const file = executorInput.outputs?.parameters?.[name]?.outputFile;
    if (file) writeFileMkdir(file, serializeParameter(value));
  }
  const output: ExecutorOutput = { parameterValues, artifacts: {} };
  for (const [name, artifact] of Object.entries(outputArtifacts)) {
    (output.artifacts as NonNullable<ExecutorOutput["artifacts"]>)[name] = { artifacts: [artifact.toJSON()] };
  }
  const outputFile = executorInput.outputs?.outputFile;
  if (outputFile) writeFileMkdir(outputFile, JSON.stringify(output));
  return output;
}

/**
 * Runs a component as a task process: on error, writes the message and stack to stderr and
 * sets a non-zero `process.exitCode`.
 */
export async function runExecutor(
  component: ExecutableComponent,
  argv: string[],
  opts: { programDir?: string | undefined } = {},
): Promise<void> {
  try {
    await executeComponent(component, argv);
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    const code = err instanceof ExecutorError ? ` [${err.code}]` : "";
    const stack = opts.programDir === undefined ? (err.stack ?? "") : relativeStack(err.stack ?? "", opts.programDir);
    process.stderr.write(`component "${component.name}" failed${code}: ${err.message}\n${stack}\n`);
    process.exitCode = 1;
  }
}

/**
 * A stack trace with the folder the task's program was written to left out: the bundle's
 * source map names the project's sources relative to the project root, and node resolves
 * them against the program's folder, so `<program dir>/components/train.ts:12:9` reads
 * `components/train.ts:12:9`, and a frame in the bundle itself `ephemeral_component.mjs:1:80`.
 */
export function relativeStack(stack: string, programDir: string): string {
  const dir = programDir.endsWith("/") ? programDir : `${programDir}/`;
  return stack.split(pathToFileURL(dir).href).join("").split(dir).join("");
}

/** The real folder of the running program (node reports frames by their real paths). */
function programDirOf(program: string | undefined): string | undefined {
  if (!program) return undefined;
  try {
    return realpathSync(dirname(program));
  } catch {
    return dirname(program);
  }
}

/**
 * Entry point of a bundled TypeScript task: runs the component with `process.argv` and exits
 * with 0 on success, 1 on failure (open handles left by user code do not keep the task alive).
 *
 * @example
 * import { main } from "weft/executor";
 * import { preprocess } from "./components.ts";
 * await main(preprocess);
 */
export async function main(component: ExecutableComponent): Promise<void> {
  await runExecutor(component, process.argv.slice(2), { programDir: programDirOf(process.argv[1]) });
  process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
}

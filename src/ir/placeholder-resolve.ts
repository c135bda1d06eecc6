/**
 * Resolving KFP placeholders into concrete command-line arguments, the way the KFP
 * launcher does before it starts a task's container.
 */
import { IrError } from "./errors.ts";
import { type PlaceholderNode, parseStructuredPlaceholder, type StructuredPlaceholder } from "./placeholders.ts";
import type { JsonValue } from "./spec.ts";

/**
 * Where an artifact of a task lives, for `.path`, `.uri`, `.metadata` and `.metadata['key']`
 * placeholders (and the bare form, when the context has no executor input to list it).
 */
export interface PlaceholderArtifact {
  name?: string;
  path?: string;
  uri?: string;
  metadata?: Record<string, JsonValue>;
}

/** Everything a task's placeholders can refer to. */
export interface PlaceholderContext {
  /** Input parameter values by name (JSON values; strings are inserted raw). */
  parameters?: Readonly<Record<string, JsonValue | undefined>>;
  /**
   * Names of the inputs that are present, for `IfPresent`. When omitted, an input is
   * present if it has a non-null parameter value or an input artifact entry.
   */
  presentInputs?: Iterable<string>;
  inputArtifacts?: Readonly<Record<string, PlaceholderArtifact | undefined>>;
  outputArtifacts?: Readonly<Record<string, PlaceholderArtifact | undefined>>;
  /** Output parameter name to the file the task writes the value to. */
  outputParameterFiles?: Readonly<Record<string, string | undefined>>;
  /**
   * The executor input for `{{$}}`: a JSON string or a value to be JSON-encoded. A bare
   * `{{$.inputs.artifacts['x']}}` resolves to its `inputs.artifacts['x'].artifacts` list.
   */
  executorInput?: string | JsonValue | object;
  pipelineJobName?: string;
  pipelineJobUuid?: string;
  pipelineJobResourceName?: string;
  pipelineTaskName?: string;
  pipelineTaskUuid?: string;
  pipelineJobCreateTimeUtc?: string;
  pipelineJobScheduleTimeUtc?: string;
  pipelineRoot?: string;
  workspacePath?: string;
  /** Where the task writes `executor_output.json`: `{{$.outputs.output_file}}` (and KFP's older `{{$.outputMetadataUri}}`). */
  executorOutputFile?: string;
  /** Used in error messages, e.g. the task name. */
  where?: string;
}

const RUNTIME_KEYS: Record<string, keyof PlaceholderContext> = {
  pipeline_job_name: "pipelineJobName",
  pipeline_job_uuid: "pipelineJobUuid",
  pipeline_job_resource_name: "pipelineJobResourceName",
  pipeline_task_name: "pipelineTaskName",
  pipeline_task_uuid: "pipelineTaskUuid",
  pipeline_job_create_time_utc: "pipelineJobCreateTimeUtc",
  pipeline_job_schedule_time_utc: "pipelineJobScheduleTimeUtc",
  pipeline_root: "pipelineRoot",
  workspace_path: "workspacePath",
};

/** Placeholders of the executor output file (`dsl.PIPELINE_TASK_EXECUTOR_OUTPUT_PATH_PLACEHOLDER`). */
const OUTPUT_FILE = new Set(["{{$.outputs.output_file}}", "{{$.outputMetadataUri}}"]);

const PLACEHOLDER = /\{\{\$(?:\.[^{}]*?)?\}\}/g;
const IO =
  /^\{\{\$\.(inputs|outputs)\.(parameters|artifacts)\['([^']*)'\](?:\.(path|uri|metadata|output_file)(?:\['([^']*)'\])?)?\}\}$/;

/** A parameter value as KFP inserts it: strings raw, everything else JSON-encoded. */
export function formatParameterValue(value: JsonValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function fail(ctx: PlaceholderContext, placeholder: string, message: string): never {
  const where = ctx.where ? `${ctx.where}: ` : "";
  throw new IrError("IR_PLACEHOLDER", `${where}placeholder ${placeholder}: ${message}`);
}

function resolveOne(ph: string, ctx: PlaceholderContext): string {
  if (ph === "{{$}}") {
    const ei = ctx.executorInput;
    if (ei === undefined) fail(ctx, ph, "no executor input was provided for this task");
    return typeof ei === "string" ? ei : JSON.stringify(ei);
  }
  if (OUTPUT_FILE.has(ph)) {
    if (ctx.executorOutputFile === undefined) fail(ctx, ph, "no executor output file was provided for this task");
    return ctx.executorOutputFile;
  }
  const runtime = /^\{\{\$\.([a-z_]+)\}\}$/.exec(ph)?.[1];
  if (runtime !== undefined) {
    const key = RUNTIME_KEYS[runtime];
    if (!key) fail(ctx, ph, `unknown placeholder; supported are {{$.${Object.keys(RUNTIME_KEYS).join("}}, {{$.")}}}`);
    const v = ctx[key];
    if (typeof v !== "string") fail(ctx, ph, `no value for ${runtime} is available to this task`);
    return v;
  }
  const m = IO.exec(ph);
  if (!m) fail(ctx, ph, "unknown placeholder; check its spelling against the KFP placeholder forms");
  const [, side, kind, name = "", attr, key] = m;
  if (key !== undefined && attr !== "metadata") fail(ctx, ph, "only .metadata takes a key ['...']");
  if (kind === "parameters") {
    if (side === "inputs" && attr === undefined) {
      const v = ctx.parameters?.[name];
      if (v === undefined) fail(ctx, ph, `no value for input parameter '${name}'; supply it or give it a default`);
      return formatParameterValue(v);
    }
    if (side === "outputs" && attr === "output_file") {
      const f = ctx.outputParameterFiles?.[name];
      if (f === undefined) fail(ctx, ph, `the component declares no output parameter '${name}'`);
      return f;
    }
    fail(ctx, ph, `parameters support only {{$.inputs.parameters['x']}} and {{$.outputs.parameters['x'].output_file}}`);
  }
  const io = side === "inputs" ? "inputs" : "outputs";
  const art = (io === "inputs" ? ctx.inputArtifacts : ctx.outputArtifacts)?.[name];
  if (attr === undefined) {
    // KFP's list-of-artifacts placeholder: the artifacts as JSON, as the executor input lists them
    const list = executorInputArtifacts(ctx, io, name) ?? (art ? [artifactJson(art)] : undefined);
    if (list === undefined)
      fail(ctx, ph, `no ${io === "inputs" ? "input" : "output"} artifact '${name}' for this task`);
    return JSON.stringify(list);
  }
  if (!art) fail(ctx, ph, `no ${io === "inputs" ? "input" : "output"} artifact '${name}' for this task`);
  if (attr === "path" || attr === "uri") {
    const v = art[attr];
    if (v === undefined) fail(ctx, ph, `artifact '${name}' has no ${attr}`);
    return v;
  }
  if (attr === "metadata" && key !== undefined) {
    // as KFP's local runner: a string raw, anything else (an absent key too) as JSON
    const v = art.metadata?.[key];
    return typeof v === "string" ? v : JSON.stringify(v ?? null);
  }
  if (attr === "metadata") return JSON.stringify(art.metadata ?? {});
  return fail(ctx, ph, "artifacts support .path, .uri, .metadata, .metadata['key'] or no attribute (the list as JSON)");
}

/** An artifact as a RuntimeArtifact JSON object, for a context that gives no executor input. */
function artifactJson(art: PlaceholderArtifact): Record<string, JsonValue> {
  return { ...(art.name !== undefined ? { name: art.name } : {}), uri: art.uri ?? "", metadata: art.metadata ?? {} };
}

/**
 * The artifact list `name` of the executor input's `inputs` or `outputs` (its RuntimeArtifact
 * objects: name, uri, metadata, type), or undefined when the context's executor input has none.
 */
function executorInputArtifacts(
  ctx: PlaceholderContext,
  io: "inputs" | "outputs",
  name: string,
): unknown[] | undefined {
  let ei: unknown = ctx.executorInput;
  if (typeof ei === "string") {
    try {
      ei = JSON.parse(ei);
    } catch {
      return undefined;
    }
  }
  const list = field(field(field(field(ei, io), "artifacts"), name), "artifacts");
  return Array.isArray(list) ? list : undefined;
}

function field(v: unknown, key: string): unknown {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
}

/**
 * Replaces every `{{$...}}` placeholder embedded in a string (KFP lowers f-strings into
 * constants such as `"heads and {{$.inputs.parameters['pipelinechannel--x']}} > 5"`).
 *
 * @throws IrError `IR_PLACEHOLDER` naming the placeholder when it cannot be resolved
 */
export function interpolateString(template: string, ctx: PlaceholderContext): string {
  return template.replace(PLACEHOLDER, (ph) => resolveOne(ph, ctx));
}

function isPresent(name: string, ctx: PlaceholderContext, present: Set<string> | undefined): boolean {
  if (present) return present.has(name);
  const v = ctx.parameters?.[name];
  return (v !== undefined && v !== null) || ctx.inputArtifacts?.[name] !== undefined;
}

function resolveNode(n: PlaceholderNode, ctx: PlaceholderContext, present: Set<string> | undefined): string[] {
  if (typeof n === "string") {
    const structured = parseStructuredPlaceholder(n);
    return structured ? resolveStructured(structured, ctx, present) : [interpolateString(n, ctx)];
  }
  return resolveStructured(n, ctx, present);
}

function asList(branch: PlaceholderNode[] | PlaceholderNode | undefined): PlaceholderNode[] {
  if (branch === undefined || branch === null) return [];
  return Array.isArray(branch) ? branch : [branch];
}

function resolveStructured(
  p: StructuredPlaceholder,
  ctx: PlaceholderContext,
  present: Set<string> | undefined,
): string[] {
  if ("Concat" in p) {
    if (!Array.isArray(p.Concat)) fail(ctx, JSON.stringify(p), "Concat must hold a list of parts");
    return [p.Concat.flatMap((part) => resolveNode(part, ctx, present)).join("")];
  }
  const body = p.IfPresent;
  if (!body || typeof body.InputName !== "string") {
    fail(ctx, JSON.stringify(p), "IfPresent needs an InputName");
  }
  const branch = isPresent(body.InputName, ctx, present) ? body.Then : body.Else;
  return asList(branch).flatMap((part) => resolveNode(part, ctx, present));
}

/**
 * Resolves a container's `command` or `args` into concrete arguments: `IfPresent`
 * chooses (or drops) its branch, `Concat` joins its parts into one argument, nested
 * forms work, and simple placeholders are substituted anywhere in a string.
 *
 * @throws IrError `IR_PLACEHOLDER` naming the placeholder when it cannot be resolved
 * @example resolveCommandLine(["--n", "{{$.inputs.parameters['n']}}"], { parameters: { n: 3 } }) // ["--n", "3"]
 */
export function resolveCommandLine(args: readonly string[], ctx: PlaceholderContext): string[] {
  const present = ctx.presentInputs ? new Set(ctx.presentInputs) : undefined;
  return args.flatMap((arg) => resolveNode(arg, ctx, present));
}

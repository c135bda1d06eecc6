/**
 * KFP command-line placeholders: builders that produce exactly the strings the KFP SDK
 * writes into `container.command` / `container.args`, and (re-exported from
 * `placeholder-resolve.ts`) the resolver that turns them into concrete arguments.
 */

/** `{{$}}`: the whole executor input as JSON (passed to `--executor_input`). */
export const EXECUTOR_INPUT_PLACEHOLDER = "{{$}}";

/** A part of a `Concat` / `IfPresent` placeholder: plain text, a simple placeholder, or a nested structured placeholder string. */
export type PlaceholderPart = string;

/** `{{$.inputs.parameters['name']}}`: the value of an input parameter. */
export function inputParameterPlaceholder(name: string): string {
  return `{{$.inputs.parameters['${name}']}}`;
}

/** `{{$.inputs.artifacts['name'].path}}`: local path of an input artifact. */
export function inputArtifactPathPlaceholder(name: string): string {
  return `{{$.inputs.artifacts['${name}'].path}}`;
}

/** `{{$.inputs.artifacts['name'].uri}}`: URI of an input artifact. */
export function inputArtifactUriPlaceholder(name: string): string {
  return `{{$.inputs.artifacts['${name}'].uri}}`;
}

/** `{{$.inputs.artifacts['name'].metadata}}`: metadata of an input artifact, as JSON. */
export function inputArtifactMetadataPlaceholder(name: string): string {
  return `{{$.inputs.artifacts['${name}'].metadata}}`;
}

/** `{{$.outputs.artifacts['name'].path}}`: local path to write an output artifact to. */
export function outputArtifactPathPlaceholder(name: string): string {
  return `{{$.outputs.artifacts['${name}'].path}}`;
}

/** `{{$.outputs.artifacts['name'].uri}}`: URI of an output artifact. */
export function outputArtifactUriPlaceholder(name: string): string {
  return `{{$.outputs.artifacts['${name}'].uri}}`;
}

/** `{{$.outputs.parameters['name'].output_file}}`: file to write an output parameter's value to. */
export function outputParameterPathPlaceholder(name: string): string {
  return `{{$.outputs.parameters['${name}'].output_file}}`;
}

/** `{{$}}`: the executor input JSON. */
export function executorInputPlaceholder(): string {
  return EXECUTOR_INPUT_PLACEHOLDER;
}

/** Run-level placeholders KFP substitutes (`{{$.pipeline_job_name}}` and friends). */
export const runtimePlaceholders = Object.freeze({
  pipelineJobName: "{{$.pipeline_job_name}}",
  pipelineJobUuid: "{{$.pipeline_job_uuid}}",
  pipelineJobResourceName: "{{$.pipeline_job_resource_name}}",
  pipelineTaskName: "{{$.pipeline_task_name}}",
  pipelineTaskUuid: "{{$.pipeline_task_uuid}}",
  pipelineJobCreateTimeUtc: "{{$.pipeline_job_create_time_utc}}",
  pipelineJobScheduleTimeUtc: "{{$.pipeline_job_schedule_time_utc}}",
  pipelineRoot: "{{$.pipeline_root}}",
  workspacePath: "{{$.workspace_path}}",
  executorOutputFile: "{{$.outputs.output_file}}",
});

/** A structured placeholder as an object (`{"Concat": [...]}` or `{"IfPresent": {...}}`). */
export type StructuredPlaceholder =
  | { Concat: PlaceholderNode[] }
  | {
      IfPresent: {
        InputName: string;
        Then?: PlaceholderNode[] | PlaceholderNode;
        Else?: PlaceholderNode[] | PlaceholderNode;
      };
    };

/** One element inside a structured placeholder: a string or a nested structured placeholder. */
export type PlaceholderNode = string | StructuredPlaceholder;

/**
 * Parses a command-line element that is a structured placeholder (`{"Concat": ...}` or
 * `{"IfPresent": ...}` JSON); returns `undefined` for any other string.
 */
export function parseStructuredPlaceholder(text: string): StructuredPlaceholder | undefined {
  const t = text.trimStart();
  if (!t.startsWith('{"Concat"') && !t.startsWith('{"IfPresent"')) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
    const keys = Object.keys(v);
    if (keys.length !== 1 || (keys[0] !== "Concat" && keys[0] !== "IfPresent")) return undefined;
    return v as StructuredPlaceholder;
  } catch {
    return undefined;
  }
}

/** Nested structured placeholders are embedded as objects, as the KFP SDK does. */
function node(part: PlaceholderPart): PlaceholderNode {
  return parseStructuredPlaceholder(part) ?? part;
}

/** `json.dumps` as Python writes it: `", "` and `": "` separators, non-ASCII escaped. */
export function pythonJsonDumps(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${pythonJsonDumps(k)}: ${pythonJsonDumps(v)}`)
      .join(", ")}}`;
  }
  if (typeof value === "string") {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * `{"Concat": [...]}`: the parts joined into one argument.
 *
 * @example concatPlaceholder(["--n=", inputParameterPlaceholder("n")])
 * // '{"Concat": ["--n=", "{{$.inputs.parameters[\'n\']}}"]}'
 */
export function concatPlaceholder(parts: readonly PlaceholderPart[]): string {
  return pythonJsonDumps({ Concat: parts.map(node) });
}

/**
 * `{"IfPresent": {"InputName": name, "Then": [...], "Else": [...]}}`: the `then` arguments
 * when input `name` is present, otherwise the `otherwise` arguments (or none).
 *
 * @example ifPresentPlaceholder("x", ["--a", inputParameterPlaceholder("x")])
 * // '{"IfPresent": {"InputName": "x", "Then": ["--a", "{{$.inputs.parameters[\'x\']}}"]}}'
 */
export function ifPresentPlaceholder(
  name: string,
  then: readonly PlaceholderPart[],
  otherwise?: readonly PlaceholderPart[],
): string {
  const body: Record<string, unknown> = { InputName: name, Then: then.map(node) };
  if (otherwise !== undefined) body.Else = otherwise.map(node);
  return pythonJsonDumps({ IfPresent: body });
}

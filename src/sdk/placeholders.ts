/**
 * Command-line placeholders of container components, written exactly as KFP writes them:
 * `{{$.inputs.parameters['x']}}`, `{{$.outputs.artifacts['y'].path}}`, and the JSON forms
 * `{"Concat": [...]}` and `{"IfPresent": {...}}`.
 */

/** A placeholder that refers to one input or output of the component. */
export interface RefPlaceholder {
  readonly placeholder: "ref";
  /** `inputs` or `outputs`. */
  readonly side: "inputs" | "outputs";
  /** `parameters` or `artifacts`. */
  readonly section: "parameters" | "artifacts";
  readonly name: string;
  /** What of an artifact (`path`, `uri`, `metadata`) or of an output parameter (`output_file`). */
  readonly attribute: "path" | "uri" | "metadata" | "output_file" | undefined;
}

/** `{"Concat": [...]}`: the items joined into one argument. */
export interface ConcatPlaceholder {
  readonly placeholder: "concat";
  readonly items: readonly PlaceholderValue[];
}

/** `{"IfPresent": {...}}`: `then` if the input was given, otherwise `else`. */
export interface IfPresentPlaceholder {
  readonly placeholder: "ifPresent";
  readonly inputName: string;
  readonly whenPresent: readonly PlaceholderValue[];
  readonly otherwise: readonly PlaceholderValue[] | undefined;
}

/** `{{$}}`: the whole executor input as JSON. */
export interface ExecutorInputPlaceholder {
  readonly placeholder: "executorInput";
}

/** One element of a container command or args list. */
export type PlaceholderValue =
  | string
  | RefPlaceholder
  | ConcatPlaceholder
  | IfPresentPlaceholder
  | ExecutorInputPlaceholder;

function ref(
  side: RefPlaceholder["side"],
  section: RefPlaceholder["section"],
  name: string,
  attribute: RefPlaceholder["attribute"],
): RefPlaceholder {
  return Object.freeze({ placeholder: "ref", side, section, name, attribute });
}

/** The value of input parameter `name`. */
export function inputValue(name: string): RefPlaceholder {
  return ref("inputs", "parameters", name, undefined);
}
/** The local path of input artifact `name`. */
export function inputPath(name: string): RefPlaceholder {
  return ref("inputs", "artifacts", name, "path");
}
/** The URI of input artifact `name`. */
export function inputUri(name: string): RefPlaceholder {
  return ref("inputs", "artifacts", name, "uri");
}
/** The metadata (JSON) of input artifact `name`. */
export function inputMetadata(name: string): RefPlaceholder {
  return ref("inputs", "artifacts", name, "metadata");
}
/** The local path where output artifact `name` is written. */
export function outputPath(name: string): RefPlaceholder {
  return ref("outputs", "artifacts", name, "path");
}
/** The URI of output artifact `name`. */
export function outputUri(name: string): RefPlaceholder {
  return ref("outputs", "artifacts", name, "uri");
}
/** The metadata (JSON) of output artifact `name`. */
export function outputMetadata(name: string): RefPlaceholder {
  return ref("outputs", "artifacts", name, "metadata");
}
/** The file the container writes output parameter `name` to. */
export function outputParameterFile(name: string): RefPlaceholder {
  return ref("outputs", "parameters", name, "output_file");
}
/** The whole executor input (`{{$}}`). */
export function executorInput(): ExecutorInputPlaceholder {
  return Object.freeze({ placeholder: "executorInput" });
}
/** Joins items into one argument (KFP's `ConcatPlaceholder`). */
export function concat(items: readonly PlaceholderValue[]): ConcatPlaceholder {
  return Object.freeze({ placeholder: "concat", items: [...items] });
}
/** `then` when input `inputName` is given, else `otherwise` (KFP's `IfPresentPlaceholder`). */
export function ifPresent(
  inputName: string,
  then: PlaceholderValue | readonly PlaceholderValue[],
  otherwise?: PlaceholderValue | readonly PlaceholderValue[],
): IfPresentPlaceholder {
  const list = (v: PlaceholderValue | readonly PlaceholderValue[]) =>
    Array.isArray(v) ? [...v] : [v as PlaceholderValue];
  return Object.freeze({
    placeholder: "ifPresent",
    inputName,
    whenPresent: list(then),
    otherwise: otherwise === undefined ? undefined : list(otherwise),
  });
}

type Struct = string | { [key: string]: Struct | Struct[] } | Struct[];

function toStruct(value: PlaceholderValue): Struct {
  if (typeof value === "string") return value;
  switch (value.placeholder) {
    case "executorInput":
      return "{{$}}";
    case "ref": {
      const head = `{{$.${value.side}.${value.section}['${value.name}']`;
      return value.attribute === undefined ? `${head}}}` : `${head}.${value.attribute}}}`;
    }
    case "concat":
      return { Concat: value.items.map(toStruct) };
    case "ifPresent": {
      const body: { [key: string]: Struct | Struct[] } = {
        InputName: value.inputName,
        Then: value.whenPresent.map(toStruct),
      };
      if (value.otherwise !== undefined) body.Else = value.otherwise.map(toStruct);
      return { IfPresent: body };
    }
  }
}

/** Python's `json.dumps` (separators `, ` and `: `, non-ASCII escaped), as KFP serializes placeholders. */
export function pythonJsonDumps(value: unknown): string {
  if (typeof value === "string") {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  }
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pythonJsonDumps(k)}: ${pythonJsonDumps(v)}`)
      .join(", ")}}`;
  }
  return JSON.stringify(value);
}

/** The command-line string of a placeholder value, as it appears in the IR. */
export function placeholderToString(value: PlaceholderValue): string {
  const s = toStruct(value);
  return typeof s === "string" ? s : pythonJsonDumps(s);
}

/** Every input/output name a placeholder refers to, for validation. */
export function placeholderRefs(value: PlaceholderValue): Array<{ side: string; section: string; name: string }> {
  if (typeof value === "string") return [];
  switch (value.placeholder) {
    case "executorInput":
      return [];
    case "ref":
      return [{ side: value.side, section: value.section, name: value.name }];
    case "concat":
      return value.items.flatMap(placeholderRefs);
    case "ifPresent":
      return [
        { side: "inputs", section: "any", name: value.inputName },
        ...value.whenPresent.flatMap(placeholderRefs),
        ...(value.otherwise ?? []).flatMap(placeholderRefs),
      ];
  }
}

/**
 * Values the pipeline runner fills in when a task starts (KFP's `dsl.PIPELINE_*_PLACEHOLDER`).
 * Pass them as constants to string inputs.
 *
 * @example echo({ msg: runtimePlaceholders.pipelineJobName })
 */
export const runtimePlaceholders = Object.freeze({
  pipelineJobName: "{{$.pipeline_job_name}}",
  pipelineJobResourceName: "{{$.pipeline_job_resource_name}}",
  pipelineJobId: "{{$.pipeline_job_uuid}}",
  pipelineTaskName: "{{$.pipeline_task_name}}",
  pipelineTaskId: "{{$.pipeline_task_uuid}}",
  pipelineJobCreateTimeUtc: "{{$.pipeline_job_create_time_utc}}",
  pipelineJobScheduleTimeUtc: "{{$.pipeline_job_schedule_time_utc}}",
  pipelineRoot: "{{$.pipeline_root}}",
} as const);

/**
 * Writing pipeline files the way the KFP compiler does: a `# PIPELINE DEFINITION`
 * header, keys sorted recursively, and the PlatformSpec as a second YAML document.
 */
import { emitPyYaml } from "./pyyaml-emit.ts";
import { pythonFloatRepr } from "./pyyaml-scalar.ts";
import type { JsonValue, PipelinePackage, PipelineSpec } from "./spec.ts";

const PYTHON_TYPE: Record<string, string> = {
  NUMBER_INTEGER: "int",
  NUMBER_DOUBLE: "float",
  STRING: "str",
  BOOLEAN: "bool",
  LIST: "list",
  STRUCT: "dict",
  TASK_FINAL_STATUS: "PipelineTaskFinalStatus",
};

/** Returns a deep copy of `value` whose object keys are sorted at every level. */
export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => sortKeysDeep(v)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeysDeep(v);
    }
    return out as T;
  }
  return value;
}

/**
 * JSON with object keys sorted recursively, so equal values give equal strings
 * (used for cache keys and comparisons).
 *
 * @example stableStringify({ b: 1, a: [2] }) // '{"a":[2],"b":1}'
 */
export function stableStringify(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeysDeep(value), null, indent);
}

/** The package as JSON: `{ pipelineSpec, platformSpec? }` with keys sorted, 2-space indented. */
export function pipelineToJson(pkg: PipelinePackage): string {
  return stableStringify(pkg, 2);
}

function pyString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = "";
  for (const ch of s) {
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else out += ch;
  }
  return `${quote}${out}${quote}`;
}

function pyFloat(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? "nan" : n > 0 ? "inf" : "-inf";
  return pythonFloatRepr(n);
}

/** Python `repr` of a JSON value as the KFP SDK sees it (numbers are floats). */
export function pythonRepr(value: JsonValue): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return pyFloat(value);
  if (typeof value === "string") return pyString(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${pyString(k)}: ${pythonRepr(v)}`)
    .join(", ")}}`;
}

/** The `# PIPELINE DEFINITION` comment block KFP puts at the top of a compiled file. */
export function pipelineHeader(spec: PipelineSpec): string {
  const lines = ["# PIPELINE DEFINITION", `# Name: ${spec.pipelineInfo.name}`];
  const description = spec.pipelineInfo.description;
  if (description) lines.push(`# Description: ${description.split("\n").join("\n#              ")}`);
  const section = (title: string, defs: typeof spec.root.inputDefinitions, withDefaults: boolean): void => {
    const entries: string[] = [];
    for (const [name, p] of Object.entries(defs?.parameters ?? {})) {
      const type = PYTHON_TYPE[p.parameterType] ?? p.parameterType;
      const def = withDefaults && "defaultValue" in p && p.defaultValue !== undefined;
      entries.push(`${name}: ${type}${def ? ` [Default: ${pythonRepr(p.defaultValue as JsonValue)}]` : ""}`);
    }
    for (const [name, a] of Object.entries(defs?.artifacts ?? {})) {
      entries.push(`${name}: ${a.artifactType.schemaTitle ?? "system.Artifact"}`);
    }
    if (entries.length === 0) return;
    lines.push(`# ${title}:`);
    for (const e of entries.sort()) lines.push(`#    ${e}`);
  };
  section("Inputs", spec.root.inputDefinitions, true);
  section("Outputs", spec.root.outputDefinitions, false);
  return `${lines.join("\n")}\n`;
}

/**
 * Fields that protobuf declares as 32-bit integers, written as YAML integers. Every other
 * number is a `google.protobuf.Value` or a double, which KFP writes as a float (`1.0`).
 */
const INTEGER_FIELDS: ReadonlySet<string> = new Set(["maxRetryCount", "parallelismLimit"]);

function toYaml(value: unknown): string {
  return emitPyYaml(value, { integerKeys: INTEGER_FIELDS });
}

/**
 * Serializes a pipeline package to deterministic KFP-style YAML: the header comment,
 * the PipelineSpec with keys sorted recursively and, if present, the PlatformSpec as a
 * second document after `---`. `parsePipelineYaml(serializePipeline(p))` equals `p`.
 */
export function serializePipeline(pkg: PipelinePackage): string {
  let out = pipelineHeader(pkg.pipelineSpec) + toYaml(pkg.pipelineSpec);
  if (pkg.platformSpec) out += `---\n${toYaml(pkg.platformSpec)}`;
  return out;
}

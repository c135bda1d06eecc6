/**
 * The typed parameters of a pipeline, as form fields: their kind, default and text
 * value, and parsing of the entered text back into JSON values with clear messages.
 */
import type { Json, PipelineSpecJson, PipelineVersion } from "../api/index.ts";

/** One form field. */
export interface ParamField {
  name: string;
  type: "STRING" | "NUMBER_INTEGER" | "NUMBER_DOUBLE" | "BOOLEAN" | "LIST" | "STRUCT";
  optional: boolean;
  defaultValue: Json | undefined;
  description: string | undefined;
}

const TYPES = new Set(["STRING", "NUMBER_INTEGER", "NUMBER_DOUBLE", "BOOLEAN", "LIST", "STRUCT"]);

/** The PipelineSpec of a version (the API may wrap it with a platform spec). */
export function specOfVersion(v: PipelineVersion | undefined): PipelineSpecJson | undefined {
  const s = v?.pipeline_spec as (PipelineSpecJson & { pipeline_spec?: PipelineSpecJson }) | undefined;
  if (!s) return undefined;
  return s.root ? s : s.pipeline_spec;
}

/** The fields of a pipeline's root input parameters, in declaration order. */
export function paramFields(spec: PipelineSpecJson | undefined): ParamField[] {
  const defs = spec?.root?.inputDefinitions?.parameters ?? {};
  return Object.entries(defs).map(([name, d]) => ({
    name,
    type: (TYPES.has(d.parameterType ?? "") ? d.parameterType : "STRING") as ParamField["type"],
    optional: d.isOptional === true || d.defaultValue !== undefined,
    defaultValue: d.defaultValue,
    description: d.description,
  }));
}

/** The initial text of a field. */
export function initialText(f: ParamField): string {
  const v = f.defaultValue;
  if (v === undefined || v === null) return f.type === "BOOLEAN" ? "false" : "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v, null, 2);
}

/** Parses the entered text of a field; returns the value or a message naming the field and what to enter. */
export function parseField(f: ParamField, text: string): { value?: Json; error?: string; omit?: boolean } {
  const t = text.trim();
  if (t === "" && f.type !== "STRING") {
    return f.optional ? { omit: true } : { error: `${f.name} is required: enter ${describeType(f.type)}.` };
  }
  switch (f.type) {
    case "STRING":
      if (text === "" && !f.optional) return { error: `${f.name} is required: enter some text.` };
      return text === "" && f.optional && f.defaultValue === undefined ? { omit: true } : { value: text };
    case "NUMBER_INTEGER": {
      if (!/^[-+]?\d+$/.test(t)) return { error: `${f.name} must be a whole number, such as 42; "${t}" is not.` };
      return { value: Number(t) };
    }
    case "NUMBER_DOUBLE": {
      const n = Number(t);
      if (!Number.isFinite(n)) return { error: `${f.name} must be a number, such as 0.5; "${t}" is not.` };
      return { value: n };
    }
    case "BOOLEAN":
      return { value: t === "true" };
    case "LIST":
    case "STRUCT": {
      let v: unknown;
      try {
        v = JSON.parse(t);
      } catch (err) {
        return {
          error: `${f.name} must be JSON ${f.type === "LIST" ? "list, such as [1, 2]" : 'object, such as {"a": 1}'}: ${(err as Error).message}.`,
        };
      }
      if (f.type === "LIST" && !Array.isArray(v)) return { error: `${f.name} must be a JSON list, such as [1, 2].` };
      if (f.type === "STRUCT" && (v === null || typeof v !== "object" || Array.isArray(v))) {
        return { error: `${f.name} must be a JSON object, such as {"a": 1}.` };
      }
      return { value: v as Json };
    }
  }
}

/** Words for a parameter type. */
export function describeType(t: ParamField["type"]): string {
  return {
    STRING: "text",
    NUMBER_INTEGER: "a whole number",
    NUMBER_DOUBLE: "a number",
    BOOLEAN: "true or false",
    LIST: "a JSON list",
    STRUCT: "a JSON object",
  }[t];
}

/** Parses all fields; `errors` is keyed by field name. */
export function parseAll(
  fields: ParamField[],
  texts: Record<string, string>,
): { values: Record<string, Json>; errors: Record<string, string> } {
  const values: Record<string, Json> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const r = parseField(f, texts[f.name] ?? "");
    if (r.error) errors[f.name] = r.error;
    else if (!r.omit && r.value !== undefined) values[f.name] = r.value;
  }
  return { values, errors };
}

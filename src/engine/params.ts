/**
 * Run parameters checked against the root's inputDefinitions before anything is
 * recorded: unknown names, missing required values and wrong types are rejected.
 */
import type { JsonValue, ParameterType, PipelineSpec } from "../ir/index.ts";
import { ParameterError } from "./errors.ts";

function typeError(type: ParameterType, v: JsonValue): string | undefined {
  switch (type) {
    case "NUMBER_INTEGER":
      return typeof v === "number" && Number.isInteger(v) ? undefined : "an integer (NUMBER_INTEGER)";
    case "NUMBER_DOUBLE":
      return typeof v === "number" && Number.isFinite(v) ? undefined : "a number (NUMBER_DOUBLE)";
    case "STRING":
      return typeof v === "string" ? undefined : "a string (STRING)";
    case "BOOLEAN":
      return typeof v === "boolean" ? undefined : "a boolean (BOOLEAN)";
    case "LIST":
      return Array.isArray(v) ? undefined : "a list (LIST)";
    case "STRUCT":
      return v === null || (typeof v === "object" && !Array.isArray(v)) ? undefined : "an object (STRUCT)";
    default:
      return undefined;
  }
}

/**
 * Validates run parameters and fills defaults. Throws {@link ParameterError} naming the
 * parameter and the expected type. With `allowMissing` (dry runs), a missing required
 * parameter stands as its placeholder.
 *
 * @example resolveRunParameters(spec, { rows: "x" }) // throws: parameter 'rows' expects an integer ...
 */
export function resolveRunParameters(
  spec: PipelineSpec,
  given: Record<string, JsonValue> = {},
  opts: { allowMissing?: boolean } = {},
): Record<string, JsonValue> {
  const defs = spec.root.inputDefinitions?.parameters ?? {};
  const pipeline = spec.pipelineInfo.name;
  for (const name of Object.keys(given)) {
    if (!(name in defs)) {
      const known = Object.keys(defs);
      throw new ParameterError(
        name,
        `pipeline '${pipeline}' has no parameter '${name}'; its parameters are: ${known.length ? known.join(", ") : "(none)"}`,
      );
    }
  }
  const out: Record<string, JsonValue> = {};
  for (const [name, def] of Object.entries(defs)) {
    const v = given[name] ?? def.defaultValue;
    if (v === undefined) {
      if (def.isOptional) continue;
      if (opts.allowMissing) {
        out[name] = `{{$.inputs.parameters['${name}']}}`;
        continue;
      }
      throw new ParameterError(
        name,
        `pipeline '${pipeline}' requires parameter '${name}' (${def.parameterType}); pass it, e.g. --param ${name}=...`,
      );
    }
    const expected = typeError(def.parameterType, v);
    if (expected) {
      throw new ParameterError(
        name,
        `parameter '${name}' of pipeline '${pipeline}' expects ${expected} but got ${JSON.stringify(v)}`,
      );
    }
    out[name] = v;
  }
  return out;
}

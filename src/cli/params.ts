/**
 * `--param k=v` handling: splits the pairs and coerces each text value to the type the
 * pipeline's root `inputDefinitions` declares, before anything is started.
 */
import type { JsonValue, PipelineSpec } from "../ir/index.ts";
import { coerceParameterString } from "../ir/parameters.ts";
import { CliError } from "./errors.ts";

const TYPE_NAMES: Record<string, string> = {
  NUMBER_DOUBLE: "float (NUMBER_DOUBLE)",
  NUMBER_INTEGER: "integer (NUMBER_INTEGER)",
  STRING: "string (STRING)",
  BOOLEAN: "boolean (BOOLEAN: true or false)",
  LIST: "list (LIST, a JSON array)",
  STRUCT: "object (STRUCT, a JSON object)",
};

/** Splits `k=v` pairs; a pair without `=` is a {@link CliError} `BAD_PARAMETER_SYNTAX`. */
export function splitParams(pairs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      throw new CliError(
        "BAD_PARAMETER_SYNTAX",
        `--param "${pair}" is not of the form name=value; write e.g. --param rows=1000`,
      );
    }
    out.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return out;
}

/**
 * Tags from repeated `--tag key=value` options, by the API's rules (`tags.KEY` names one
 * in filters): keys of 1 to 63 characters without ".", values of up to 63 characters.
 *
 * @throws CliError `BAD_OPTION` naming the pair and the expected form.
 */
export function parseTags(pairs: string[], option = "--tag"): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const key = eq > 0 ? pair.slice(0, eq) : "";
    if (key === "" || key.includes(".") || [...key].length > 63 || [...pair.slice(eq + 1)].length > 63) {
      throw new CliError(
        "BAD_OPTION",
        `${option} "${pair}" is not of the form key=value with a key of 1 to 63 characters without "." and a value of up to 63; write e.g. ${option} team=fraud`,
      );
    }
    tags[key] = pair.slice(eq + 1);
  }
  return tags;
}

/**
 * Coerces `--param` texts by the root input parameter types of `spec`, and checks that
 * every required parameter (no default, not optional) is given.
 *
 * @throws CliError `UNKNOWN_PARAMETER`, `BAD_PARAMETER_VALUE` or `MISSING_PARAMETER`,
 *   naming the parameter and its expected type.
 */
export function coerceParams(spec: PipelineSpec, pairs: string[]): Record<string, JsonValue> {
  const defs = spec.root.inputDefinitions?.parameters ?? {};
  const given = splitParams(pairs);
  const pipeline = spec.pipelineInfo.name;
  const out: Record<string, JsonValue> = {};
  for (const [name, text] of given) {
    const def = defs[name];
    if (!def) {
      const known = Object.keys(defs);
      throw new CliError(
        "UNKNOWN_PARAMETER",
        `pipeline "${pipeline}" has no input parameter "${name}"; ` +
          (known.length ? `its parameters are: ${known.join(", ")}` : "it takes no parameters"),
      );
    }
    try {
      out[name] = coerceParameterString(def.parameterType, text);
    } catch (err) {
      const expected = TYPE_NAMES[def.parameterType] ?? def.parameterType;
      throw new CliError(
        "BAD_PARAMETER_VALUE",
        `parameter "${name}" expects ${expected}, got "${text}"; pass e.g. --param ${name}=${example(def.parameterType)}`,
        { cause: err },
      );
    }
  }
  const missing = Object.entries(defs).filter(
    ([name, def]) => !(name in out) && def.defaultValue === undefined && def.isOptional !== true,
  );
  if (missing.length > 0) {
    const list = missing.map(([name, def]) => `"${name}" (${TYPE_NAMES[def.parameterType] ?? def.parameterType})`);
    throw new CliError(
      "MISSING_PARAMETER",
      `pipeline "${pipeline}" requires parameter${missing.length > 1 ? "s" : ""} ${list.join(", ")}; ` +
        `pass ${missing.map(([name, def]) => `--param ${name}=${example(def.parameterType)}`).join(" ")}`,
    );
  }
  return out;
}

function example(type: string): string {
  switch (type) {
    case "NUMBER_DOUBLE":
      return "0.5";
    case "NUMBER_INTEGER":
      return "10";
    case "BOOLEAN":
      return "true";
    case "LIST":
      return "'[1,2]'";
    case "STRUCT":
      return `'{"k":1}'`;
    default:
      return "text";
  }
}

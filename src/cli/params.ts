/**
 * `--param k=v` handling: splits the pairs and coerces each text value to the type the
 * pipeline's root `inputDefinitions` declares, before anything is started.
 */
import { existsSync } from "node:fs";
import path from "node:path";
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

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * `--artifact name=<path or URI>` pairs for the pipeline's artifact inputs
 * (`root.inputDefinitions.artifacts`): a relative path resolves against `cwd` and must
 * exist; a URI is passed on as given. Every required artifact input must be given.
 *
 * @throws CliError `BAD_PARAMETER_SYNTAX`, `UNKNOWN_ARTIFACT_INPUT` (naming the declared
 *   artifact inputs), `ARTIFACT_INPUT_NOT_FOUND` or `MISSING_ARTIFACT_INPUT`.
 * @example parseArtifactInputs(spec, ["data=rows.csv"], "/work") // { data: "/work/rows.csv" }
 */
export function parseArtifactInputs(spec: PipelineSpec, pairs: string[], cwd: string): Record<string, string> {
  const defs = spec.root.inputDefinitions?.artifacts ?? {};
  const params = spec.root.inputDefinitions?.parameters ?? {};
  const pipeline = spec.pipelineInfo.name;
  const declared = Object.keys(defs);
  const its = declared.length > 0 ? `its artifact inputs are: ${declared.join(", ")}` : "it takes no artifact inputs";
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0 || eq === pair.length - 1) {
      throw new CliError(
        "BAD_PARAMETER_SYNTAX",
        `--artifact "${pair}" is not of the form name=<path or URI>; write e.g. --artifact ${declared[0] ?? "data"}=data/rows.csv`,
      );
    }
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (!(name in defs)) {
      throw new CliError(
        "UNKNOWN_ARTIFACT_INPUT",
        name in params
          ? `"${name}" is an input parameter of pipeline "${pipeline}", not an artifact input; pass it with --param ${name}=...; ${its}`
          : `pipeline "${pipeline}" has no artifact input "${name}"; ${its}`,
      );
    }
    if (SCHEME.test(value)) {
      out[name] = value;
      continue;
    }
    const abs = path.resolve(cwd, value);
    if (!existsSync(abs)) {
      throw new CliError(
        "ARTIFACT_INPUT_NOT_FOUND",
        `--artifact ${name}=${value}: ${abs} does not exist; give an existing file or directory (relative paths are read from ${cwd})`,
      );
    }
    out[name] = abs;
  }
  const missing = Object.entries(defs).filter(([name, def]) => !(name in out) && def.isOptional !== true);
  if (missing.length > 0) {
    const list = missing.map(([name, def]) => `"${name}" (${def.artifactType.schemaTitle ?? "an artifact"})`);
    throw new CliError(
      "MISSING_ARTIFACT_INPUT",
      `pipeline "${pipeline}" requires artifact input${missing.length > 1 ? "s" : ""} ${list.join(", ")}; ` +
        `pass ${missing.map(([name]) => `--artifact ${name}=<path or URI>`).join(" ")}`,
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

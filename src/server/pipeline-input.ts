/**
 * Pipelines arriving over the API (an uploaded file, an inline `pipeline_spec`) and run
 * parameters checked against the pipeline's root inputs, all before anything is recorded.
 */
import {
  assertValidPipeline,
  checkParameterValue,
  type JsonValue,
  type PipelinePackage,
  parsePipelineObject,
  parsePipelineYaml,
} from "../ir/index.ts";
import { badRequest } from "./errors.ts";

/** Parses and validates an uploaded pipeline file (KFP YAML or JSON); its errors answer 400. */
export function pipelineFromText(text: string, file: string): PipelinePackage {
  const pkg = parsePipelineYaml(text, file);
  assertValidPipeline(pkg, { file });
  return pkg;
}

/**
 * Parses and validates an inline `pipeline_spec` value. KFP also accepts a struct holding
 * `pipeline_spec` and `platform_spec`; the IR module reads both shapes, and its errors
 * (which name `field`) answer 400.
 */
export function pipelineFromObject(value: Record<string, unknown>, field: string): PipelinePackage {
  const pkg = parsePipelineObject(value, field);
  assertValidPipeline(pkg, { file: field });
  return pkg;
}

/**
 * Checks run parameters against the root `inputDefinitions`: unknown names, missing
 * required inputs and wrong types are 400s naming the parameter and the expected type.
 * Returns the parameters with the declared defaults filled in, as the run records them.
 */
export function checkRunParameters(
  pkg: PipelinePackage,
  parameters: Record<string, JsonValue>,
  field = "runtime_config.parameters",
): Record<string, JsonValue> {
  const defs = pkg.pipelineSpec.root.inputDefinitions?.parameters ?? {};
  const name = pkg.pipelineSpec.pipelineInfo.name;
  const known = Object.keys(defs);
  for (const [key, value] of Object.entries(parameters)) {
    const def = defs[key];
    if (!def) {
      throw badRequest(
        `${field}.${key}: pipeline '${name}' has no input parameter '${key}'; its inputs are ${known.length > 0 ? known.join(", ") : "(none)"}.`,
      );
    }
    const problem = checkParameterValue(def.parameterType, value);
    if (problem) throw badRequest(`${field}.${key}: ${problem}.`);
  }
  const resolved: Record<string, JsonValue> = { ...parameters };
  for (const [key, def] of Object.entries(defs)) {
    if (key in parameters) continue;
    if (def.defaultValue !== undefined) resolved[key] = def.defaultValue;
    else if (!def.isOptional) {
      throw badRequest(
        `${field}.${key}: pipeline '${name}' requires input parameter '${key}' (${def.parameterType}); set it in runtime_config.parameters.`,
      );
    }
  }
  return resolved;
}

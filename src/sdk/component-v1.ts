/**
 * KFP v1 component files (`name`, `inputs`, `outputs`, `implementation.container`), as
 * `kfp.components.load_component_from_file` still reads them: converted to a container
 * component with KFP v2 placeholders.
 */
import type { ComponentDefinition } from "./definition.ts";
import { SdkError } from "./errors.ts";
import {
  concat,
  ifPresent,
  inputPath,
  inputUri,
  inputValue,
  outputParameterFile,
  outputPath,
  outputUri,
  type PlaceholderValue,
} from "./placeholders.ts";
import type { IODecl, IODecls, ParamTypeName } from "./types.ts";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** v1 type names that are parameters; every other type is an artifact. */
const PARAM_TYPES: Record<string, ParamTypeName> = {
  string: "STRING",
  str: "STRING",
  integer: "NUMBER_INTEGER",
  int: "NUMBER_INTEGER",
  float: "NUMBER_DOUBLE",
  double: "NUMBER_DOUBLE",
  boolean: "BOOLEAN",
  bool: "BOOLEAN",
  jsonarray: "LIST",
  list: "LIST",
  jsonobject: "STRUCT",
  dict: "STRUCT",
};

const ARTIFACT_TITLES: Record<string, string> = {
  dataset: "system.Dataset",
  model: "system.Model",
  metrics: "system.Metrics",
  classificationmetrics: "system.ClassificationMetrics",
  html: "system.HTML",
  markdown: "system.Markdown",
};

function parseDefault(type: ParamTypeName, text: unknown): unknown {
  if (typeof text !== "string") return text;
  if (type === "STRING") return text;
  try {
    return JSON.parse(text);
  } catch {
    return text === "True" ? true : text === "False" ? false : text;
  }
}

function decl(source: string, field: string, spec: unknown, pathUsed: boolean): [string, IODecl] {
  if (!isObj(spec) || typeof spec.name !== "string") fail(source, `${field}: each entry needs a name`);
  const typeName = typeof spec.type === "string" ? spec.type.toLowerCase() : "";
  const paramType = PARAM_TYPES[typeName];
  if (paramType && !(pathUsed && field === "inputs")) {
    const d: { kind: "parameter"; type: ParamTypeName; default?: unknown; optional?: boolean; description?: string } = {
      kind: "parameter",
      type: paramType,
    };
    if (spec.default !== undefined) d.default = parseDefault(paramType, spec.default);
    if (spec.optional === true) d.optional = true;
    if (typeof spec.description === "string") d.description = spec.description;
    return [spec.name, d];
  }
  return [
    spec.name,
    {
      kind: "artifact",
      schemaTitle: ARTIFACT_TITLES[typeName] ?? "system.Artifact",
      schemaVersion: "0.0.1",
      ...(spec.optional === true ? { optional: true } : {}),
    },
  ];
}

function fail(source: string, message: string): never {
  throw new SdkError("SDK_COMPONENT_LOAD", `${source}: ${message}`);
}

function placeholder(source: string, value: unknown, outputs: IODecls): PlaceholderValue {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  if (!isObj(value))
    fail(source, `implementation.container: unsupported command-line element ${JSON.stringify(value)}`);
  const [key, arg] = Object.entries(value)[0] ?? [];
  switch (key) {
    case "inputValue":
      return inputValue(String(arg));
    case "inputPath":
      return inputPath(String(arg));
    case "inputUri":
      return inputUri(String(arg));
    case "outputUri":
      return outputUri(String(arg));
    case "outputPath":
      return outputs[String(arg)]?.kind === "parameter" ? outputParameterFile(String(arg)) : outputPath(String(arg));
    case "concat":
      return concat((Array.isArray(arg) ? arg : []).map((v) => placeholder(source, v, outputs)));
    case "if": {
      const cond = isObj(arg) && isObj(arg.cond) ? arg.cond : {};
      const name = String(cond.isPresent ?? "");
      const list = (v: unknown) =>
        (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => placeholder(source, x, outputs));
      if (!name || !isObj(arg))
        fail(source, "implementation.container: only {if: {cond: {isPresent: name}, then, else}} is supported");
      return ifPresent(name, list(arg.then), arg.else === undefined ? undefined : list(arg.else));
    }
    default:
      return fail(source, `implementation.container: unsupported placeholder ${JSON.stringify(value)}`);
  }
}

function pathInputs(value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) pathInputs(v, found);
  else if (isObj(value)) {
    if (typeof value.inputPath === "string") found.add(value.inputPath);
    for (const v of Object.values(value)) pathInputs(v, found);
  }
}

/** Converts a v1 component document to a component definition. */
export function componentFromV1(doc: Obj, source: string): ComponentDefinition {
  const impl = doc.implementation;
  const container = isObj(impl) ? impl.container : undefined;
  if (!isObj(container) || typeof container.image !== "string") {
    fail(source, "implementation.container.image is required (only container components can be loaded)");
  }
  if (typeof doc.name !== "string" || doc.name === "") fail(source, "name is required");
  const usedAsPath = new Set<string>();
  pathInputs([container.command, container.args], usedAsPath);
  const inputs: Record<string, IODecl> = {};
  for (const spec of Array.isArray(doc.inputs) ? doc.inputs : []) {
    const [name, d] = decl(source, "inputs", spec, isObj(spec) && usedAsPath.has(String(spec.name)));
    inputs[name] = d;
  }
  const outputs: Record<string, IODecl> = {};
  for (const spec of Array.isArray(doc.outputs) ? doc.outputs : []) {
    const [name, d] = decl(source, "outputs", spec, false);
    outputs[name] = d;
  }
  const line = (v: unknown) => (Array.isArray(v) ? v : []).map((x) => placeholder(source, x, outputs));
  return {
    name: doc.name,
    description: typeof doc.description === "string" ? doc.description : undefined,
    inputs,
    outputs,
    impl: Object.freeze({
      kind: "container",
      image: container.image,
      command: line(container.command),
      args: line(container.args),
    }),
  };
}

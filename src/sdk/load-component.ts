/**
 * Loading components from KFP YAML, as `kfp.components.load_component_from_file` does: a
 * compiled component or a whole compiled pipeline (PipelineSpec form), or a KFP v1
 * `component.yaml`, usable as a component of a TypeScript pipeline.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type Component, makeComponent } from "./component.ts";
import { componentFromV1 } from "./component-v1.ts";
import type { ComponentDefinition } from "./definition.ts";
import { SdkError } from "./errors.ts";
import type { IODecl, IODecls, ParamTypeName } from "./types.ts";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function fail(source: string, message: string): never {
  throw new SdkError("SDK_COMPONENT_LOAD", `${source}: ${message}`);
}

function decls(source: string, field: string, defs: unknown): IODecls {
  const out: Record<string, IODecl> = {};
  if (defs === undefined) return out;
  if (!isObj(defs)) fail(source, `${field} must be a mapping`);
  const params = defs.parameters ?? {};
  const artifacts = defs.artifacts ?? {};
  if (!isObj(params) || !isObj(artifacts)) fail(source, `${field}.parameters and .artifacts must be mappings`);
  for (const [name, spec] of Object.entries(params)) {
    if (!isObj(spec) || typeof spec.parameterType !== "string") {
      fail(source, `${field}.parameters.${name}.parameterType is missing`);
    }
    out[name] = {
      kind: "parameter",
      type: spec.parameterType as ParamTypeName,
      ...(spec.defaultValue !== undefined ? { default: spec.defaultValue } : {}),
      ...(spec.isOptional === true ? { optional: true } : {}),
      ...(typeof spec.description === "string" ? { description: spec.description } : {}),
    };
  }
  for (const [name, spec] of Object.entries(artifacts)) {
    const type = isObj(spec) ? spec.artifactType : undefined;
    if (!isObj(spec) || !isObj(type) || typeof type.schemaTitle !== "string") {
      fail(source, `${field}.artifacts.${name}.artifactType.schemaTitle is missing`);
    }
    out[name] = {
      kind: "artifact",
      schemaTitle: type.schemaTitle as string,
      schemaVersion: typeof type.schemaVersion === "string" ? type.schemaVersion : "0.0.1",
      ...(spec.isArtifactList === true ? { isList: true } : {}),
      ...(spec.isOptional === true ? { optional: true } : {}),
    };
  }
  return out;
}

/**
 * Whether this code runs inside a task bundle. Loaded components are compile-time only:
 * inside a task the pipeline module may be imported, but YAML is never read (the bundle
 * does not carry the YAML parser).
 */
function inTask(): boolean {
  return (globalThis as { __WEFT_IN_TASK__?: boolean }).__WEFT_IN_TASK__ === true;
}

function inert<I extends IODecls, O extends IODecls>(source: string): Component<I, O> {
  return makeComponent({
    name: "loaded-component",
    description: undefined,
    inputs: {},
    outputs: {},
    impl: Object.freeze({ kind: "loaded", spec: {}, source }),
  }) as unknown as Component<I, O>;
}

/**
 * Makes a component from KFP YAML text: a compiled component or pipeline (a PipelineSpec
 * with `pipelineInfo` and `root`), or a v1 component file (`implementation.container`).
 *
 * @param source Shown in error messages (a file name).
 * @throws SdkError `SDK_COMPONENT_LOAD` naming the source and the missing or malformed field.
 */
export function loadComponentFromText<I extends IODecls = IODecls, O extends IODecls = IODecls>(
  text: string,
  source = "<component text>",
): Component<I, O> {
  if (inTask()) return inert<I, O>(source);
  let doc: unknown;
  try {
    const docs = text.split(/^---\s*$/m).filter((d) => d.trim() !== "");
    const { parse } = createRequire(import.meta.url)("yaml") as { parse: (text: string) => unknown };
    doc = parse(docs[0] ?? "");
  } catch (cause) {
    throw new SdkError("SDK_COMPONENT_LOAD", `${source}: not valid YAML (${(cause as Error).message})`, { cause });
  }
  if (!isObj(doc)) fail(source, "expected a KFP component or pipeline (a YAML mapping)");
  if ("implementation" in doc) return makeComponent(componentFromV1(doc, source)) as unknown as Component<I, O>;
  const root = doc.root;
  const info = doc.pipelineInfo;
  if (!isObj(root) || !isObj(info) || typeof info.name !== "string") {
    fail(source, "expected a compiled KFP component or pipeline with pipelineInfo.name and root");
  }
  if (root.executorLabel === undefined && root.dag === undefined) {
    fail(source, "root has neither executorLabel nor dag");
  }
  const def: ComponentDefinition = {
    name: info.name,
    description: typeof info.description === "string" ? info.description : undefined,
    inputs: decls(source, "root.inputDefinitions", root.inputDefinitions),
    outputs: decls(source, "root.outputDefinitions", root.outputDefinitions),
    impl: Object.freeze({ kind: "loaded", spec: doc, source }),
  };
  return makeComponent(def) as unknown as Component<I, O>;
}

/**
 * Makes a component from a KFP YAML file (a compiled component or a whole pipeline).
 *
 * @example
 * const add = loadComponentFromFile("components/add.yaml");
 * pipeline({ name: "p" }, () => { add({ a: 1, b: 2 }); });
 */
export function loadComponentFromFile<I extends IODecls = IODecls, O extends IODecls = IODecls>(
  path: string,
): Component<I, O> {
  if (inTask()) return inert<I, O>(path);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new SdkError("SDK_COMPONENT_LOAD", `${path}: cannot read the component file (${(cause as Error).message})`, {
      cause,
    });
  }
  return loadComponentFromText<I, O>(text, path);
}

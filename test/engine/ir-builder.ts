/**
 * A small builder for hand-written KFP IR in engine tests: shell components whose
 * script may contain KFP placeholders, and DAG components.
 */
import type {
  ComponentSpec,
  ParameterType,
  PipelinePackage,
  PipelineSpec,
  PipelineTaskSpec,
  Resources,
} from "../../src/ir/index.ts";

/** Inputs and outputs of a component. */
export interface IO {
  in?: Record<string, ParameterType>;
  out?: Record<string, ParameterType>;
  inArt?: string[];
  outArt?: string[];
  optional?: string[];
}

function defs(io: IO): Pick<ComponentSpec, "inputDefinitions" | "outputDefinitions"> {
  const art = (names: string[] = []) =>
    Object.fromEntries(
      names.map((n) => [
        n,
        {
          artifactType: { schemaTitle: n === "metrics" ? "system.Metrics" : "system.Dataset", schemaVersion: "0.0.1" },
        },
      ]),
    );
  const params = (m: Record<string, ParameterType> = {}) =>
    Object.fromEntries(
      Object.entries(m).map(([k, t]) => [
        k,
        { parameterType: t, ...(io.optional?.includes(k) ? { isOptional: true } : {}) },
      ]),
    );
  return {
    inputDefinitions: { parameters: params(io.in), artifacts: art(io.inArt) },
    outputDefinitions: { parameters: params(io.out), artifacts: art(io.outArt) },
  };
}

/** Builds a PipelineSpec. */
export class IrBuilder {
  readonly spec: PipelineSpec;

  constructor(name: string, rootInputs: Record<string, { type: ParameterType; default?: unknown }> = {}) {
    this.spec = {
      pipelineInfo: { name },
      schemaVersion: "2.1.0",
      sdkVersion: "weft-test",
      components: {},
      deploymentSpec: { executors: {} },
      root: {
        dag: { tasks: {} },
        inputDefinitions: {
          parameters: Object.fromEntries(
            Object.entries(rootInputs).map(([k, v]) => [
              k,
              { parameterType: v.type, ...(v.default !== undefined ? { defaultValue: v.default as never } : {}) },
            ]),
          ),
        },
      },
    };
  }

  /** A container component running `sh -c script` (placeholders allowed inside the script). */
  sh(
    name: string,
    script: string,
    io: IO = {},
    extra: { resources?: Resources; env?: Record<string, string> } = {},
  ): this {
    (this.spec.components as Record<string, ComponentSpec>)[`comp-${name}`] = {
      executorLabel: `exec-${name}`,
      ...defs(io),
    };
    (this.spec.deploymentSpec?.executors as Record<string, unknown>)[`exec-${name}`] = {
      container: {
        image: "alpine",
        command: ["sh", "-c", script],
        ...(extra.resources ? { resources: extra.resources } : {}),
        ...(extra.env ? { env: Object.entries(extra.env).map(([n, value]) => ({ name: n, value })) } : {}),
      },
    };
    return this;
  }

  /** A raw executor (importer, custom container). */
  executor(name: string, exec: Record<string, unknown>, io: IO = {}): this {
    (this.spec.components as Record<string, ComponentSpec>)[`comp-${name}`] = {
      executorLabel: `exec-${name}`,
      ...defs(io),
    };
    (this.spec.deploymentSpec?.executors as Record<string, unknown>)[`exec-${name}`] = exec;
    return this;
  }

  /** A DAG component. */
  dag(
    name: string,
    tasks: Record<string, PipelineTaskSpec>,
    io: IO = {},
    outputs?: NonNullable<ComponentSpec["dag"]>["outputs"],
  ): this {
    (this.spec.components as Record<string, ComponentSpec>)[`comp-${name}`] = {
      dag: { tasks, ...(outputs ? { outputs } : {}) },
      ...defs(io),
    };
    return this;
  }

  /** Sets the root DAG's tasks (and outputs). */
  root(tasks: Record<string, PipelineTaskSpec>, outputs?: NonNullable<ComponentSpec["dag"]>["outputs"]): this {
    this.spec.root.dag = { tasks, ...(outputs ? { outputs } : {}) };
    return this;
  }

  build(): PipelinePackage {
    return { pipelineSpec: structuredClone(this.spec) };
  }
}

/** A task referencing `comp-<component>`. */
export function task(component: string, rest: Partial<PipelineTaskSpec> & { name?: string } = {}): PipelineTaskSpec {
  const { name, ...r } = rest;
  return { taskInfo: { name: name ?? component }, componentRef: { name: `comp-${component}` }, ...r };
}

/** Input parameter wiring helpers. */
export const from = {
  param: (name: string) => ({ componentInputParameter: name }),
  output: (producerTask: string, outputParameterKey: string) => ({
    taskOutputParameter: { producerTask, outputParameterKey },
  }),
  constant: (constant: unknown) => ({ runtimeValue: { constant: constant as never } }),
  artifact: (producerTask: string, outputArtifactKey: string) => ({
    taskOutputArtifact: { producerTask, outputArtifactKey },
  }),
  inputArtifact: (name: string) => ({ componentInputArtifact: name }),
};

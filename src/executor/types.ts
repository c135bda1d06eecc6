/**
 * The KFP executor contract in TypeScript: the JSON the launcher passes as
 * `--executor_input`, the `executor_output.json` a task writes back, and the shape of a
 * component the executor can run.
 */

/** A JSON value as KFP carries parameter values (`google.protobuf.Value`). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One artifact as KFP's `pipeline_spec.RuntimeArtifact` appears in JSON. */
export interface RuntimeArtifact {
  name?: string;
  uri?: string;
  metadata?: Record<string, unknown>;
  type?: { schemaTitle?: string; schemaVersion?: string; instanceSchema?: string };
}

/** KFP's `ArtifactList`: `{ artifacts: [...] }`. */
export interface RuntimeArtifactList {
  artifacts?: RuntimeArtifact[];
}

/** KFP's `pipeline_spec.ExecutorInput` in JSON form. */
export interface ExecutorInput {
  inputs?: {
    parameterValues?: Record<string, unknown>;
    artifacts?: Record<string, RuntimeArtifactList>;
  };
  outputs?: {
    parameters?: Record<string, { outputFile?: string }>;
    artifacts?: Record<string, RuntimeArtifactList>;
    /** Where `executor_output.json` is written. */
    outputFile?: string;
  };
}

/** KFP's `pipeline_spec.ExecutorOutput` in JSON form, as the Python executor writes it. */
export interface ExecutorOutput {
  parameterValues?: Record<string, JsonValue>;
  artifacts?: Record<string, { artifacts: Array<{ name: string; uri: string; metadata: Record<string, unknown> }> }>;
}

/** KFP parameter types as a component declares them. */
export type ParameterTypeName =
  | "STRING"
  | "NUMBER_INTEGER"
  | "NUMBER_DOUBLE"
  | "BOOLEAN"
  | "LIST"
  | "STRUCT"
  | "TASK_FINAL_STATUS";

/** A declared input or output parameter. */
export interface ParameterDecl {
  kind: "parameter";
  type: ParameterTypeName;
  default?: unknown;
  optional?: boolean;
  description?: string;
}

/** A declared input or output artifact. */
export interface ArtifactDecl {
  kind: "artifact";
  schemaTitle: string;
  schemaVersion: string;
  isList?: boolean;
  optional?: boolean;
  description?: string;
}

import type { TaskContext } from "./tracking.ts";

/**
 * What the SDK's component objects satisfy so the executor can run them.
 *
 * `run` receives input parameter values coerced to their declared types, input artifacts
 * as runtime artifact objects (arrays for `isList`), and output artifacts in its second
 * argument, and the task's context (`ctx.log` for step metrics) in its third. It returns an object of output parameter values, or a single value when the
 * only output parameter is named `Output`.
 */
export interface ExecutableComponent {
  /** KFP component name, e.g. `"preprocess"`. */
  name: string;
  inputs: Record<string, ParameterDecl | ArtifactDecl>;
  outputs: Record<string, ParameterDecl | ArtifactDecl>;
  run(inputs: Record<string, unknown>, outputs: Record<string, unknown>, ctx?: TaskContext): unknown | Promise<unknown>;
}

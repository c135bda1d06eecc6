/**
 * What the compiler knows about a component: its interface (`inputs`, `outputs`) and how
 * it runs (a bundled TypeScript function, a container, an importer, a nested pipeline, or
 * a component loaded from KFP YAML). Also the type-level rules for wiring task inputs.
 */
import type { ArtifactChannel, ParamChannel } from "./channel.ts";
import type { PlaceholderValue } from "./placeholders.ts";
import type { ArtifactDecl, IODecls, JsonValue, ParamDecl } from "./types.ts";

/** A TypeScript function component, bundled into the task command at compile time. */
export interface FunctionImpl {
  readonly kind: "function";
  readonly image: string;
  readonly packages: readonly string[];
  /** Absolute path of the module that defined the component (it must export it). */
  readonly sourceFile: string | undefined;
}

/** A container component: any image, command and args with KFP placeholders. */
export interface ContainerImpl {
  readonly kind: "container";
  readonly image: string;
  readonly command: readonly PlaceholderValue[];
  readonly args: readonly PlaceholderValue[];
}

/** An importer of an existing artifact URI (KFP's `dsl.importer`). */
export interface ImporterImpl {
  readonly kind: "importer";
  readonly schemaTitle: string;
  readonly schemaVersion: string;
  readonly reimport: boolean;
  readonly metadata: Readonly<Record<string, JsonValue>> | undefined;
}

/** A TypeScript pipeline used as a component. */
export interface GraphImpl {
  readonly kind: "graph";
  /** The pipeline definition (a `Pipeline` object). */
  readonly pipeline: object;
}

/** A component or pipeline loaded from KFP YAML: its IR, kept as a plain object. */
export interface LoadedImpl {
  readonly kind: "loaded";
  /** A PipelineSpec-shaped object (`root`, `components`, `deploymentSpec`). */
  readonly spec: Readonly<Record<string, unknown>>;
  /** Where it came from, for error messages. */
  readonly source: string;
}

/** How a component runs. */
export type ComponentImpl = FunctionImpl | ContainerImpl | ImporterImpl | GraphImpl | LoadedImpl;

/** The compiler's view of any component. */
export interface ComponentDefinition {
  readonly name: string;
  readonly description: string | undefined;
  readonly inputs: IODecls;
  readonly outputs: IODecls;
  readonly impl: ComponentImpl;
}

/** A generic artifact input accepts an artifact of any type. */
type Accepted<S extends string> = S extends "system.Artifact" ? string : S;

/** What may be passed for one input declaration. */
export type ArgFor<D> =
  D extends ParamDecl<infer T, infer _P>
    ? T | ParamChannel<T>
    : D extends ArtifactDecl<infer S, infer L, infer _O>
      ? L extends true
        ? ArtifactChannel<Accepted<S>, true>
        : ArtifactChannel<Accepted<S>, false>
      : never;

/** Names of inputs a call must pass. */
export type RequiredInputKeys<I> = {
  [K in keyof I]: I[K] extends ParamDecl<infer _T, infer P>
    ? P extends "required"
      ? K
      : never
    : I[K] extends ArtifactDecl<string, boolean, infer O>
      ? O extends true
        ? never
        : K
      : never;
}[keyof I];

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The argument of a task call: required inputs must be given, the others may be. */
export type TaskArgs<I> = Simplify<
  { [K in RequiredInputKeys<I>]: ArgFor<I[K]> } & { [K in Exclude<keyof I, RequiredInputKeys<I>>]?: ArgFor<I[K]> }
>;

/** The output channels of a task of a component with outputs `O`. */
export type OutputChannels<O> = {
  [K in keyof O]: O[K] extends ParamDecl<infer T, infer _P>
    ? ParamChannel<T>
    : O[K] extends ArtifactDecl<infer S, infer L>
      ? ArtifactChannel<S, L>
      : never;
};

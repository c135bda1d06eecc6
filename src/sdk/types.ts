/**
 * Runtime schemas of component inputs and outputs: `param.*` and `artifact.*`. A component
 * declares its interface once with these values; the argument types of its `run` function
 * and of its task calls are inferred from them.
 */
import type {
  Artifact,
  ClassificationMetrics,
  Dataset,
  HTML,
  Markdown,
  Metrics,
  Model,
  SlicedClassificationMetrics,
} from "../executor/index.ts";

/** KFP parameter types (`ParameterType.ParameterTypeEnum`) a component can declare. */
export type ParamTypeName =
  | "STRING"
  | "NUMBER_INTEGER"
  | "NUMBER_DOUBLE"
  | "BOOLEAN"
  | "LIST"
  | "STRUCT"
  | "TASK_FINAL_STATUS";

/** A JSON value, as parameters carry them. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * How a declared input must be supplied: `required` (the caller must pass it), `default`
 * (it has a default value) or `optional` (it may be absent at run time).
 */
export type Presence = "required" | "default" | "optional";

/** A declared parameter. `T` is its TypeScript value type; the rest is type-level only. */
export interface ParamDecl<T = unknown, P extends Presence = Presence> {
  readonly kind: "parameter";
  readonly type: ParamTypeName;
  readonly default?: T;
  readonly optional?: boolean;
  readonly description?: string;
  /** For LIST parameters: the KFP type of one item, used for loop items. */
  readonly itemType?: ParamTypeName;
  /** Type-level marker of the value type; never set at run time. */
  readonly __value?: T;
  /** Type-level marker of how the input must be supplied; never set at run time. */
  readonly __presence?: P;
}

/** A declared artifact. `S` is its schema title (`system.Dataset`, ...). */
export interface ArtifactDecl<S extends string = string, L extends boolean = boolean, O extends boolean = boolean> {
  readonly kind: "artifact";
  readonly schemaTitle: S;
  readonly schemaVersion: string;
  readonly isList?: L;
  readonly optional?: O;
  readonly description?: string;
}

/** Any input or output declaration. */
export type IODecl = ParamDecl<never, Presence> | ParamDecl<unknown, Presence> | ArtifactDecl;

/** A record of input or output declarations, as `component({ inputs, outputs })` takes them. */
export type IODecls = Record<string, IODecl>;

/** Options shared by all `param.*` factories. */
export interface ParamOptions<T> {
  /** The value used when the caller passes none (makes the input optional in calls). */
  default?: T;
  /** The input may be absent; `run` then sees `undefined`. */
  optional?: boolean;
  description?: string;
}

/** The presence a set of options gives. */
export type PresenceOf<O> = O extends { default: unknown }
  ? "default"
  : O extends { optional: true }
    ? "optional"
    : "required";

function makeParam<T, P extends Presence>(
  type: ParamTypeName,
  opts: (ParamOptions<T> & { itemType?: ParamTypeName }) | undefined,
): ParamDecl<T, P> {
  const decl: { -readonly [K in keyof ParamDecl<T>]: ParamDecl<T>[K] } = { kind: "parameter", type };
  if (opts?.default !== undefined) decl.default = opts.default;
  if (opts?.optional) decl.optional = true;
  if (opts?.description !== undefined) decl.description = opts.description;
  if (opts?.itemType !== undefined) decl.itemType = opts.itemType;
  return Object.freeze(decl) as ParamDecl<T, P>;
}

/** Options of `param.list()`. */
export interface ListOptions<T> extends ParamOptions<T[]> {
  itemType?: ParamTypeName;
}

function listParam<T = JsonValue>(opts: ListOptions<T> & { default: T[] }): ParamDecl<T[], "default">;
function listParam<T = JsonValue>(opts: ListOptions<T> & { optional: true }): ParamDecl<T[], "optional">;
function listParam<T = JsonValue>(opts?: ListOptions<T> & { optional?: false }): ParamDecl<T[], "required">;
function listParam<T>(opts?: ListOptions<T>): ParamDecl<T[], Presence> {
  return makeParam("LIST", opts);
}

function objectParam<T = { [key: string]: JsonValue }>(opts: ParamOptions<T> & { default: T }): ParamDecl<T, "default">;
function objectParam<T = { [key: string]: JsonValue }>(
  opts: ParamOptions<T> & { optional: true },
): ParamDecl<T, "optional">;
function objectParam<T = { [key: string]: JsonValue }>(
  opts?: ParamOptions<T> & { optional?: false },
): ParamDecl<T, "required">;
function objectParam<T>(opts?: ParamOptions<T>): ParamDecl<T, Presence> {
  return makeParam("STRUCT", opts);
}

/** What a component's exit task receives: KFP's `PipelineTaskFinalStatus`. */
export interface TaskFinalStatus {
  state: string;
  pipelineJobResourceName: string;
  pipelineTaskName: string;
  error: { code?: number; message?: string };
}

/**
 * Parameter declarations.
 *
 * @example
 * inputs: { rows: param.int({ default: 1000 }), name: param.string(), tags: param.list<string>({ optional: true }) }
 */
export const param = {
  /** A string (`STRING`). */
  string<const O extends ParamOptions<string> = { optional?: false }>(opts?: O): ParamDecl<string, PresenceOf<O>> {
    return makeParam("STRING", opts);
  },
  /** An integer (`NUMBER_INTEGER`). */
  int<const O extends ParamOptions<number> = { optional?: false }>(opts?: O): ParamDecl<number, PresenceOf<O>> {
    return makeParam("NUMBER_INTEGER", opts);
  },
  /** A floating point number (`NUMBER_DOUBLE`). */
  float<const O extends ParamOptions<number> = { optional?: false }>(opts?: O): ParamDecl<number, PresenceOf<O>> {
    return makeParam("NUMBER_DOUBLE", opts);
  },
  /** A boolean (`BOOLEAN`). */
  bool<const O extends ParamOptions<boolean> = { optional?: false }>(opts?: O): ParamDecl<boolean, PresenceOf<O>> {
    return makeParam("BOOLEAN", opts);
  },
  /**
   * A JSON list (`LIST`). `itemType` tells loops over it the KFP type of one item
   * (default `STRING`, or `STRUCT` when the loop reads fields of its items).
   */
  list: listParam,
  /** A JSON object (`STRUCT`). */
  object: objectParam,
  /** The final status of the tasks an exit handler guards; filled in by the pipeline, never passed. */
  taskFinalStatus(opts?: { description?: string }): ParamDecl<TaskFinalStatus, "default"> {
    return makeParam("TASK_FINAL_STATUS", opts);
  },
};

/** A built-in artifact type: usable directly as a declaration, with `list()` and `optional()` variants. */
export interface ArtifactType<S extends string> extends ArtifactDecl<S, false, false> {
  /** A list of artifacts of this type (`isArtifactList`), e.g. the input of a `collected()` fan-in. */
  list(): ArtifactDecl<S, true, false>;
  /** The same type with a description. */
  describe(description: string): ArtifactDecl<S, false, false>;
}

function artifactType<const S extends string>(schemaTitle: S, schemaVersion = "0.0.1"): ArtifactType<S> {
  const base = { kind: "artifact" as const, schemaTitle, schemaVersion };
  return Object.freeze({
    ...base,
    list: () => Object.freeze({ ...base, isList: true as const }),
    describe: (description: string) => Object.freeze({ ...base, description }),
  }) as ArtifactType<S>;
}

/**
 * Artifact declarations: KFP's `system.*` types.
 *
 * @example
 * inputs: { data: artifact.Dataset, models: artifact.Model.list() }, outputs: { metrics: artifact.Metrics }
 */
export const artifact = {
  Artifact: artifactType("system.Artifact"),
  Dataset: artifactType("system.Dataset"),
  Model: artifactType("system.Model"),
  Metrics: artifactType("system.Metrics"),
  ClassificationMetrics: artifactType("system.ClassificationMetrics"),
  SlicedClassificationMetrics: artifactType("system.SlicedClassificationMetrics"),
  HTML: artifactType("system.HTML"),
  Markdown: artifactType("system.Markdown"),
  /** An artifact input that may be absent; `run` then sees `undefined`. */
  optional: <const S extends string>(type: ArtifactDecl<S, false, boolean>): ArtifactDecl<S, false, true> =>
    Object.freeze({
      kind: "artifact" as const,
      schemaTitle: type.schemaTitle,
      schemaVersion: type.schemaVersion,
      optional: true as const,
    }),
  /** A list of artifacts of a type, e.g. the input of a `collected()` fan-in. */
  list: <const S extends string>(type: ArtifactDecl<S, boolean, boolean>): ArtifactDecl<S, true, false> =>
    Object.freeze({
      kind: "artifact" as const,
      schemaTitle: type.schemaTitle,
      schemaVersion: type.schemaVersion,
      isList: true as const,
    }),
  /** A custom artifact type, e.g. `artifact.custom("google.VertexModel", "0.0.1")`. */
  custom: <const S extends string>(schemaTitle: S, schemaVersion = "0.0.1"): ArtifactType<S> =>
    artifactType(schemaTitle, schemaVersion),
};

/** The runtime artifact object `run` sees for a schema title. */
export type ArtifactFor<S extends string> = S extends "system.Dataset"
  ? Dataset
  : S extends "system.Model"
    ? Model
    : S extends "system.Metrics"
      ? Metrics
      : S extends "system.ClassificationMetrics"
        ? ClassificationMetrics
        : S extends "system.SlicedClassificationMetrics"
          ? SlicedClassificationMetrics
          : S extends "system.HTML"
            ? HTML
            : S extends "system.Markdown"
              ? Markdown
              : Artifact;

/** Keys of `D` whose declarations are parameters. */
export type ParamKeys<D> = { [K in keyof D]: D[K] extends ParamDecl<infer _T, infer _P> ? K : never }[keyof D];
/** Keys of `D` whose declarations are artifacts. */
export type ArtifactKeys<D> = { [K in keyof D]: D[K] extends ArtifactDecl ? K : never }[keyof D];

/** The value `run` receives for one input declaration. */
export type RunInputValue<D> =
  D extends ParamDecl<infer T, infer P>
    ? P extends "optional"
      ? T | undefined
      : T
    : D extends ArtifactDecl<infer S, infer L, infer O>
      ? L extends true
        ? ArtifactFor<S>[]
        : O extends true
          ? ArtifactFor<S> | undefined
          : ArtifactFor<S>
      : never;

/** The first argument of `run`: every input by name. */
export type RunInputs<I> = { [K in keyof I]: RunInputValue<I[K]> };

/** The second argument of `run`: the output artifacts to write, by name. */
export type RunOutputs<O> = { [K in ArtifactKeys<O>]: O[K] extends ArtifactDecl<infer S> ? ArtifactFor<S> : never };

/** What `run` returns: the output parameter values by name (nothing when there are none). */
export type RunResult<O> = [ParamKeys<O>] extends [never]
  ? // biome-ignore lint/suspicious/noConfusingVoidType: run() of a component without output parameters returns nothing
    void
  : [ParamKeys<O>] extends ["Output"]
    ? OutputValues<O> | OutputValues<O>["Output" & keyof OutputValues<O>]
    : OutputValues<O>;

/** Output parameter values by name. */
export type OutputValues<O> = { [K in ParamKeys<O>]: O[K] extends ParamDecl<infer T, infer _P> ? T : never };

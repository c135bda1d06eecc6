/**
 * `pipeline()`: a named graph of tasks with typed parameters. The body runs when the
 * pipeline is compiled or first used as a component of another pipeline, never at import.
 */
import { type AnyChannel, ArtifactChannel, ParamChannel } from "./channel.ts";
import type { CallArgs } from "./component.ts";
import type { ComponentDefinition, GraphImpl } from "./definition.ts";
import { SdkError } from "./errors.ts";
import { type PipelineContext, recordPipeline } from "./graph.ts";
import type { TaskNode } from "./task.ts";
import type { ArtifactDecl, IODecl, IODecls, ParamDecl } from "./types.ts";
import { addTask } from "./wiring.ts";

/** Options of {@link pipeline}. */
export interface PipelineOptions<P extends IODecls> {
  /** The pipeline name (`pipelineInfo.name`), e.g. `"fraud-detection"`. */
  name: string;
  description?: string;
  displayName?: string;
  /** The pipeline's parameters (and input artifacts), with defaults. */
  params?: P;
}

/** The channels a pipeline body receives for its parameters. */
export type PipelineParams<P> = {
  [K in keyof P]: P[K] extends ParamDecl<infer T, infer _P>
    ? ParamChannel<T>
    : P[K] extends ArtifactDecl<infer S, infer L>
      ? ArtifactChannel<S, L>
      : never;
};

/** What a pipeline body may return: named channels that become the pipeline's outputs. */
// biome-ignore lint/suspicious/noConfusingVoidType: a body that returns nothing has type void
export type PipelineReturn = Record<string, AnyChannel> | undefined | void;

type OutputsOf<R> = R extends Record<string, AnyChannel> ? R : Record<never, never>;

/** The recorded graph of a pipeline body. */
export interface BuiltPipeline {
  readonly ctx: PipelineContext;
  readonly params: Readonly<Record<string, AnyChannel>>;
  readonly outputs: Readonly<Record<string, AnyChannel>>;
}

/** A pipeline: compile it, or call it inside another pipeline body to use it as a component. */
export interface Pipeline<P extends IODecls, R extends PipelineReturn> extends ComponentDefinition {
  (...args: CallArgs<P>): TaskNode<OutputsOf<R>>;
  readonly kind: "pipeline";
  readonly displayName: string | undefined;
  readonly inputs: P;
  /** Runs the body once (later calls return the same graph). */
  build(): BuiltPipeline;
}

/** Whether `value` is a pipeline made by {@link pipeline}. */
export function isPipeline(value: unknown): value is Pipeline<IODecls, PipelineReturn> {
  return typeof value === "function" && (value as { kind?: unknown }).kind === "pipeline";
}

function declOf(channel: AnyChannel): IODecl {
  if (channel instanceof ParamChannel) return { kind: "parameter", type: channel.paramType };
  return {
    kind: "artifact",
    schemaTitle: channel.schemaTitle,
    schemaVersion: channel.schemaVersion,
    ...(channel.isArtifactList ? { isList: true } : {}),
  };
}

/**
 * Defines a pipeline.
 *
 * @example
 * export const hello = pipeline({ name: "hello", params: { who: param.string({ default: "world" }) } }, (p) => {
 *   greet({ name: p.who });
 * });
 */
export function pipeline<const P extends IODecls = Record<never, never>, R extends PipelineReturn = void>(
  options: PipelineOptions<P>,
  body: (params: PipelineParams<P>) => R,
): Pipeline<P, R> {
  if (typeof options.name !== "string" || options.name.trim() === "") {
    throw new SdkError(
      "SDK_INVALID_ARGUMENT",
      'pipeline: name is required, e.g. pipeline({ name: "my-pipeline" }, ...)',
    );
  }
  const params = (options.params ?? {}) as P;
  let built: BuiltPipeline | undefined;
  let building = false;
  const build = (): BuiltPipeline => {
    if (built) return built;
    if (building) {
      throw new SdkError(
        "SDK_INVALID_TOPOLOGY",
        `pipeline "${options.name}" uses itself as a component; remove the cycle`,
      );
    }
    building = true;
    try {
      const channels: Record<string, AnyChannel> = {};
      for (const [key, decl] of Object.entries(params)) {
        channels[key] =
          decl.kind === "parameter"
            ? new ParamChannel<unknown>(key, decl.type, undefined, decl.itemType)
            : new ArtifactChannel(key, decl, undefined, decl.isList === true);
      }
      const { ctx, result } = recordPipeline(options.name, () => body(channels as PipelineParams<P>));
      const outputs: Record<string, AnyChannel> = {};
      for (const [key, value] of Object.entries((result ?? {}) as Record<string, unknown>)) {
        if (!(value instanceof ParamChannel) && !(value instanceof ArtifactChannel)) {
          throw new SdkError(
            "SDK_INVALID_ARGUMENT",
            `pipeline "${options.name}": output "${key}" must be a task output channel (e.g. task.outputs.model), got ${typeof value}`,
          );
        }
        outputs[key] = value;
      }
      built = { ctx, params: channels, outputs };
      return built;
    } finally {
      building = false;
    }
  };
  const impl: GraphImpl = Object.freeze({ kind: "graph", pipeline: {} });
  const call = (args?: object) =>
    addTask(call as unknown as ComponentDefinition, (args ?? {}) as Record<string, unknown>);
  const props: Record<string, unknown> = {
    kind: "pipeline",
    name: options.name,
    description: options.description,
    displayName: options.displayName,
    inputs: params,
    impl: { ...impl, pipeline: call },
    build,
  };
  for (const [key, value] of Object.entries(props)) {
    Object.defineProperty(call, key, { value, enumerable: true, configurable: true });
  }
  Object.defineProperty(call, "outputs", {
    enumerable: true,
    configurable: true,
    get: () => Object.fromEntries(Object.entries(build().outputs).map(([k, c]) => [k, declOf(c)])),
  });
  return call as unknown as Pipeline<P, R>;
}

/**
 * `component()` and `containerComponent()`: define a component once, with its inputs and
 * outputs as runtime schemas; calling it inside a pipeline body adds a task.
 */
import { createTaskContext, type TaskContext } from "../executor/tracking.ts";
import type { ComponentDefinition, ComponentImpl, OutputChannels, RequiredInputKeys, TaskArgs } from "./definition.ts";
import { SdkError } from "./errors.ts";
import { type PlaceholderValue, placeholderRefs } from "./placeholders.ts";
import type { TaskNode } from "./task.ts";
import type { IODecls, RunInputs, RunOutputs, RunResult } from "./types.ts";
import { addTask } from "./wiring.ts";

/** The default image of TypeScript function components. */
export const DEFAULT_NODE_IMAGE = "node:20-slim";

/** Call arguments: optional altogether when no input is required. */
export type CallArgs<I> = [RequiredInputKeys<I>] extends [never] ? [args?: TaskArgs<I>] : [args: TaskArgs<I>];

/** A component: call it in a pipeline body to add a task. */
export interface Component<I extends IODecls, O extends IODecls> extends ComponentDefinition {
  (...args: CallArgs<I>): TaskNode<OutputChannels<O>>;
  readonly inputs: I;
  readonly outputs: O;
}

/** A TypeScript function component: also what the executor runs in the task. */
export interface FunctionComponent<I extends IODecls, O extends IODecls> extends Component<I, O> {
  /**
   * Runs the component's code. The executor passes the task's context; called directly (a
   * unit test), it gets one from the environment (logging is a no-op without
   * `MLFLOW_TRACKING_URI`).
   */
  run(inputs: RunInputs<I>, outputs: RunOutputs<O>, ctx?: TaskContext): RunResult<O> | Promise<RunResult<O>>;
  /** Name shown for its tasks by default. */
  readonly displayName: string | undefined;
}

/** Options of {@link component}. */
export interface ComponentOptions<I extends IODecls, O extends IODecls> {
  /** KFP component name; `--function_to_execute` in the task command. */
  name: string;
  description?: string;
  /** Node image the task runs in (default `node:20-slim`). */
  image?: string;
  /** npm packages installed in the task before it runs, e.g. `["@tensorflow/tfjs@4.22.0"]`. */
  packages?: string[];
  /** Name shown for its tasks (`taskInfo.name`). */
  displayName?: string;
  inputs?: I;
  outputs?: O;
  /**
   * The component's code: inputs by name, output artifacts by name, and the task's context
   * (`ctx.log.metric("loss", 0.3, { step })` logs step metrics); returns output parameters.
   */
  run(inputs: RunInputs<I>, outputs: RunOutputs<O>, ctx: TaskContext): RunResult<O> | Promise<RunResult<O>>;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function checkName(kind: string, name: unknown): string {
  if (typeof name !== "string" || !NAME_RE.test(name)) {
    throw new SdkError(
      "SDK_INVALID_COMPONENT",
      `${kind}: name ${JSON.stringify(name)} is not valid; use letters, digits, "_" and "-", starting with a letter (e.g. "preprocess")`,
    );
  }
  return name;
}

function checkDecls(component: string, field: string, decls: IODecls): void {
  for (const [key, decl] of Object.entries(decls)) {
    if (!NAME_RE.test(key)) {
      throw new SdkError("SDK_INVALID_COMPONENT", `component "${component}": ${field}.${key}: not a valid name`);
    }
    if (decl === null || typeof decl !== "object" || (decl.kind !== "parameter" && decl.kind !== "artifact")) {
      throw new SdkError(
        "SDK_INVALID_COMPONENT",
        `component "${component}": ${field}.${key} must be a param.*() or artifact.* declaration`,
      );
    }
  }
}

/** Builds the callable component object from its definition. */
export function makeComponent<C extends ComponentDefinition>(def: C): C & ((args?: object) => TaskNode) {
  const call = (args?: object): TaskNode =>
    addTask(call as unknown as ComponentDefinition, (args ?? {}) as Record<string, unknown>);
  for (const [key, value] of Object.entries(def)) {
    Object.defineProperty(call, key, { value, enumerable: true, writable: false, configurable: true });
  }
  return call as unknown as C & ((args?: object) => TaskNode);
}

/** The file that called into the SDK, from the call stack (the module defining a component). */
export function callerFile(): string | undefined {
  const stack = new Error().stack ?? "";
  const self = import.meta.url.replace(/^file:\/\//, "").replace(/\/[^/]*$/, "/");
  for (const line of stack.split("\n").slice(1)) {
    const m = /(?:\(|at )(?:file:\/\/)?(\/[^():]+):\d+:\d+\)?\s*$/.exec(line.trim());
    if (!m?.[1]) continue;
    const file = decodeURIComponent(m[1]);
    const sdkSource = file.startsWith(self) && !/\.test(-d)?\.ts$/.test(file);
    if (sdkSource || file.includes("/node_modules/")) continue;
    return file;
  }
  return undefined;
}

/**
 * Defines a TypeScript function component. Its `run` argument types come from `inputs`
 * and `outputs`.
 *
 * @example
 * export const double = component({
 *   name: "double",
 *   inputs: { x: param.int() },
 *   outputs: { y: param.int() },
 *   run: ({ x }) => ({ y: x * 2 }),
 * });
 */
export function component<
  const I extends IODecls = Record<never, never>,
  const O extends IODecls = Record<never, never>,
>(options: ComponentOptions<I, O>): FunctionComponent<I, O> {
  const name = checkName("component", options.name);
  const inputs = (options.inputs ?? {}) as I;
  const outputs = (options.outputs ?? {}) as O;
  checkDecls(name, "inputs", inputs);
  checkDecls(name, "outputs", outputs);
  if (typeof options.run !== "function") {
    throw new SdkError("SDK_INVALID_COMPONENT", `component "${name}": run must be a function`);
  }
  const impl: ComponentImpl = Object.freeze({
    kind: "function",
    image: options.image ?? DEFAULT_NODE_IMAGE,
    packages: Object.freeze([...(options.packages ?? [])]),
    sourceFile: callerFile(),
  });
  return makeComponent({
    name,
    description: options.description,
    displayName: options.displayName,
    inputs,
    outputs,
    impl,
    run: (inputs: RunInputs<I>, outputs: RunOutputs<O>, ctx?: TaskContext) =>
      options.run(inputs, outputs, ctx ?? createTaskContext()),
  }) as unknown as FunctionComponent<I, O>;
}

/** Options of {@link containerComponent}. */
export interface ContainerComponentOptions<I extends IODecls, O extends IODecls> {
  name: string;
  description?: string;
  image: string;
  command?: PlaceholderValue[];
  args?: PlaceholderValue[];
  inputs?: I;
  outputs?: O;
}

/**
 * Defines a container component: any image, command and args, with KFP placeholders.
 *
 * @example
 * const echo = containerComponent({
 *   name: "echo", image: "alpine", inputs: { msg: param.string() },
 *   command: ["echo"], args: [inputValue("msg")],
 * });
 */
export function containerComponent<
  const I extends IODecls = Record<never, never>,
  const O extends IODecls = Record<never, never>,
>(options: ContainerComponentOptions<I, O>): Component<I, O> {
  const name = checkName("containerComponent", options.name);
  const inputs = (options.inputs ?? {}) as I;
  const outputs = (options.outputs ?? {}) as O;
  checkDecls(name, "inputs", inputs);
  checkDecls(name, "outputs", outputs);
  if (typeof options.image !== "string" || options.image === "") {
    throw new SdkError("SDK_INVALID_COMPONENT", `containerComponent "${name}": image is required, e.g. "alpine"`);
  }
  const all = [...(options.command ?? []), ...(options.args ?? [])];
  for (const ref of all.flatMap(placeholderRefs)) {
    const decls: IODecls = ref.side === "inputs" ? inputs : outputs;
    const decl = decls[ref.name];
    const wantKind = ref.section === "parameters" ? "parameter" : ref.section === "artifacts" ? "artifact" : undefined;
    if (!decl || (wantKind !== undefined && decl.kind !== wantKind)) {
      const what = wantKind === undefined ? "input" : `${ref.side.slice(0, -1)} ${wantKind}`;
      throw new SdkError(
        "SDK_INVALID_COMPONENT",
        `containerComponent "${name}": a placeholder refers to ${what} "${ref.name}", which is not declared; add it to ${ref.side}`,
      );
    }
  }
  return makeComponent({
    name,
    description: options.description,
    inputs,
    outputs,
    impl: Object.freeze({
      kind: "container",
      image: options.image,
      command: [...(options.command ?? [])],
      args: [...(options.args ?? [])],
    }),
  }) as unknown as Component<I, O>;
}

/**
 * Control flow inside a pipeline body: `when` (If / Elif / Else), `parallelFor`,
 * `collected` fan-in, `oneOf` and `exitHandler`, recorded as KFP's DSL records them.
 */
import {
  ArtifactChannel,
  CollectedArtifact,
  CollectedParam,
  Condition,
  LoopArtifactItem,
  LoopItemField,
  type LoopItems,
  LoopParamItem,
  OneOfArtifact,
  OneOfParam,
  ParamChannel,
} from "./channel.ts";
import { SdkError } from "./errors.ts";
import { currentContext, type GroupNode, type PipelineContext } from "./graph.ts";
import { TaskBase } from "./task.ts";
import type { JsonValue, ParamTypeName } from "./types.ts";

/** Options of a control-flow group. */
export interface GroupOptions {
  /** The name shown for the group (`taskInfo.name`), like `dsl.If(..., name=...)`. */
  name?: string;
}

/** The chain `when(...)` returns: add Elif and Else branches. */
export interface WhenChain {
  /** Runs `body` when the earlier conditions are false and `condition` is true (KFP's `dsl.Elif`). */
  elif(condition: Condition, body: () => void, options?: GroupOptions): WhenChain;
  /** Runs `body` when all earlier conditions are false (KFP's `dsl.Else`). */
  otherwise(body: () => void, options?: GroupOptions): void;
}

function checkCondition(what: string, condition: unknown): Condition {
  if (!(condition instanceof Condition)) {
    throw new SdkError(
      "SDK_INVALID_CONTROL_FLOW",
      `${what}: the condition must compare a channel, e.g. task.outputs.auc.gte(0.9); got ${typeof condition}`,
    );
  }
  if (!(condition.left instanceof ParamChannel) && !(condition.right instanceof ParamChannel)) {
    throw new SdkError(
      "SDK_INVALID_CONTROL_FLOW",
      `${what}: at least one side of the condition must be a pipeline parameter or a task output`,
    );
  }
  return condition;
}

/** Wraps an If group into a condition-branches group, swapping their numbers as KFP does. */
function ensureBranches(ctx: PipelineContext, prev: GroupNode): GroupNode {
  const parent = prev.parent as GroupNode;
  if (parent.kind === "condition-branches") return parent;
  const id = ctx.nextGroupId();
  const prevId = prev.name.slice(prev.name.lastIndexOf("-") + 1);
  const branches = new (prev.constructor as typeof GroupNode)(
    "condition-branches",
    `condition-branches-${prevId}`,
    parent,
  );
  prev.name = `condition-${id}`;
  parent.groups.splice(parent.groups.indexOf(prev), 1, branches);
  branches.groups.push(prev);
  prev.parent = branches;
  return branches;
}

function chain(ctx: PipelineContext, prev: GroupNode): WhenChain {
  const checkLast = (what: string) => {
    const parent = prev.parent as GroupNode;
    if (
      parent.groups[parent.groups.length - 1] !== prev ||
      ctx.current !== (parent.kind === "condition-branches" ? parent.parent : parent)
    ) {
      throw new SdkError(
        "SDK_INVALID_CONTROL_FLOW",
        `${what} must directly follow its when(...) or .elif(...) in the same block; chain it: when(a, ...).elif(b, ...).otherwise(...)`,
      );
    }
  };
  return {
    elif(condition, body, options) {
      checkCondition("when().elif()", condition);
      checkLast(".elif()");
      const branches = ensureBranches(ctx, prev);
      const group = ctx.within(branches, () => ctx.addGroup("condition"));
      group.branchKind = "elif";
      group.displayName = options?.name;
      group.conditions = [...prev.negatedUpstream, condition];
      group.negatedUpstream = [...prev.negatedUpstream, condition.negated()];
      ctx.within(group, body);
      return chain(ctx, group);
    },
    otherwise(body, options) {
      checkLast(".otherwise()");
      const branches = ensureBranches(ctx, prev);
      const group = ctx.within(branches, () => ctx.addGroup("condition"));
      group.branchKind = "else";
      group.displayName = options?.name;
      group.conditions = [...prev.negatedUpstream];
      ctx.within(group, body);
    },
  };
}

/**
 * Runs `body` only when `condition` holds at run time (KFP's `dsl.If` / `dsl.Condition`).
 *
 * @example
 * when(flip.outputs.Output.eq("heads"), () => { onHeads(); }).otherwise(() => { onTails(); });
 */
export function when(condition: Condition, body: () => void, options?: GroupOptions): WhenChain {
  const ctx = currentContext("when()");
  checkCondition("when()", condition);
  const group = ctx.addGroup("condition");
  group.branchKind = "if";
  group.displayName = options?.name;
  group.conditions = [condition];
  group.negatedUpstream = [condition.negated()];
  ctx.within(group, body);
  return chain(ctx, group);
}

/** Options of {@link parallelFor}. */
export interface ParallelForOptions extends GroupOptions {
  /** How many iterations run at once (default: all). */
  parallelism?: number;
}

/** The loop item a body receives for the items given. */
export type LoopItemOf<I> =
  I extends ArtifactChannel<infer S, true>
    ? LoopArtifactItem<S>
    : I extends ParamChannel<Array<infer T>>
      ? LoopParamItem<T>
      : I extends ReadonlyArray<infer T>
        ? LoopParamItem<T>
        : never;

function rawItemType(items: readonly JsonValue[]): ParamTypeName {
  const first = items[0];
  if (typeof first === "string") return "STRING";
  if (typeof first === "boolean") return "BOOLEAN";
  if (typeof first === "number") return Number.isInteger(first) ? "NUMBER_INTEGER" : "NUMBER_DOUBLE";
  if (Array.isArray(first)) return "LIST";
  return "STRUCT";
}

/**
 * Runs `body` once per item, in parallel (KFP's `dsl.ParallelFor`). Items are a static
 * list, a LIST pipeline parameter or task output, or a list of artifacts. Returns what
 * `body` returns, so its outputs can be fanned in with `collected(...)`.
 *
 * @example
 * const t = parallelFor([{ kind: "mlp" }, { kind: "logreg" }], (cfg) => train({ kind: cfg.field("kind") }));
 */
export function parallelFor<I extends LoopItems, R>(
  items: I,
  body: (item: LoopItemOf<I>) => R,
  options: ParallelForOptions = {},
): R {
  const ctx = currentContext("parallelFor()");
  const parallelism = options.parallelism ?? 0;
  if (!Number.isInteger(parallelism) || parallelism < 0) {
    throw new SdkError(
      "SDK_INVALID_CONTROL_FLOW",
      `parallelFor(): parallelism must be an integer >= 0, got ${parallelism}`,
    );
  }
  let item: LoopParamItem<unknown> | LoopArtifactItem<string>;
  let itemsIsChannel = true;
  if (Array.isArray(items)) {
    if (items.length === 0) {
      throw new SdkError(
        "SDK_INVALID_CONTROL_FLOW",
        "parallelFor(): the static list of items is empty; give at least one item",
      );
    }
    const id = ctx.nextGroupId();
    item = new LoopParamItem(`loop-item-param-${id}`, rawItemType(items), undefined, undefined, [...items]);
    itemsIsChannel = false;
  } else if (items instanceof ArtifactChannel) {
    if (!items.isArtifactList) {
      throw new SdkError(
        "SDK_INVALID_CONTROL_FLOW",
        `parallelFor(): "${items.fullName}" is one artifact, not a list of artifacts`,
      );
    }
    item = new LoopArtifactItem(`${items.name}-loop-item`, items, items.producer, items);
  } else if (items instanceof ParamChannel) {
    // A field of an outer loop's item holds a list: loop over it (nested loops over item fields).
    if (items instanceof LoopItemField) items.paramType = "LIST";
    if (items.paramType !== "LIST") {
      throw new SdkError(
        "SDK_INVALID_CONTROL_FLOW",
        `parallelFor(): "${items.fullName}" is a ${items.paramType} parameter; loop over a LIST (param.list())`,
      );
    }
    item = new LoopParamItem(`${items.name}-loop-item`, items.itemType ?? "STRING", items.producer, items, undefined);
  } else {
    throw new SdkError(
      "SDK_INVALID_CONTROL_FLOW",
      "parallelFor(): items must be a list, a LIST channel or a list of artifacts",
    );
  }
  const group = ctx.addGroup("for-loop");
  group.loopItem = item;
  group.itemsIsChannel = itemsIsChannel;
  group.parallelism = parallelism;
  group.displayName = options.name;
  return ctx.within(group, () => body(item as LoopItemOf<I>));
}

/**
 * Fans in the outputs of a task inside a `parallelFor` into a list (KFP's `dsl.Collected`):
 * a LIST parameter, or a list of artifacts.
 */
export function collected<T>(channel: ParamChannel<T>): ParamChannel<T[]>;
export function collected<S extends string>(channel: ArtifactChannel<S, boolean>): ArtifactChannel<S, true>;
export function collected(
  channel: ParamChannel<unknown> | ArtifactChannel<string, boolean>,
): ParamChannel<unknown> | ArtifactChannel<string, boolean> {
  currentContext("collected()");
  if (!(channel.producer instanceof TaskBase)) {
    throw new SdkError("SDK_INVALID_TOPOLOGY", "collected(): pass an output of a task inside a parallelFor body");
  }
  return channel instanceof ParamChannel ? new CollectedParam(channel) : new CollectedArtifact(channel);
}

function branchesOf(channel: ParamChannel<unknown> | ArtifactChannel<string, boolean>): GroupNode | undefined {
  let g = channel.producer instanceof TaskBase ? channel.producer.parent : undefined;
  while (g && g.kind !== "condition-branches") g = g.parent;
  return g;
}

/**
 * The output of whichever branch of a when/elif/otherwise chain ran (KFP's `dsl.OneOf`).
 * Give one output from each branch, all of the same type.
 */
export function oneOf<T>(...channels: ParamChannel<T>[]): ParamChannel<T>;
export function oneOf<S extends string>(...channels: ArtifactChannel<S, false>[]): ArtifactChannel<S, false>;
export function oneOf(
  ...channels: Array<ParamChannel<unknown> | ArtifactChannel<string, false>>
): ParamChannel<unknown> | ArtifactChannel<string, boolean> {
  currentContext("oneOf()");
  const first = channels[0];
  if (!first || channels.length < 2) {
    throw new SdkError("SDK_INVALID_CONTROL_FLOW", "oneOf(): give at least two outputs, one from each branch");
  }
  const branches = branchesOf(first);
  if (!branches) {
    throw new SdkError(
      "SDK_INVALID_CONTROL_FLOW",
      `oneOf(): "${first.fullName}" is not produced inside a when(...).elif/.otherwise chain`,
    );
  }
  for (const c of channels) {
    if (branchesOf(c) !== branches || c.kind !== first.kind) {
      throw new SdkError(
        "SDK_INVALID_CONTROL_FLOW",
        `oneOf(): all outputs must be ${first.kind}s from branches of the same when(...) chain; "${c.fullName}" is not`,
      );
    }
  }
  const name = `pipelinechannel--${branches.name}-oneof-${branches.nextOneofId()}`;
  if (first instanceof ParamChannel) {
    return new OneOfParam(name, first.paramType, branches, channels as ParamChannel<unknown>[]);
  }
  return new OneOfArtifact(name, first, branches, channels as ArtifactChannel<string, false>[]);
}

/**
 * Runs `exitTask` after the tasks of `body` finish, whether they succeeded or failed
 * (KFP's `dsl.ExitHandler`). An input declared `param.taskFinalStatus()` receives their status.
 */
export function exitHandler(exitTask: TaskBase, body: () => void): void {
  const ctx = currentContext("exitHandler()");
  if (!(exitTask instanceof TaskBase)) {
    throw new SdkError(
      "SDK_INVALID_CONTROL_FLOW",
      "exitHandler(): the first argument must be a task, e.g. exitHandler(notify({}), () => {...})",
    );
  }
  if (ctx.current !== ctx.root) {
    throw new SdkError(
      "SDK_INVALID_CONTROL_FLOW",
      `exitHandler(): use it at the top level of the pipeline body, not inside ${ctx.current.kind} "${ctx.current.name}" (as in KFP)`,
    );
  }
  const upstream = Object.values(exitTask.args).some(
    (v) => (v instanceof ParamChannel || v instanceof ArtifactChannel) && v.producer,
  );
  if (upstream || exitTask.afterTasks.length > 0) {
    throw new SdkError(
      "SDK_INVALID_TOPOLOGY",
      `exitHandler(): exit task "${exitTask.name}" cannot depend on other tasks`,
    );
  }
  const home = exitTask.parent;
  home.tasks.splice(home.tasks.indexOf(exitTask), 1);
  const group = ctx.addGroup("exit-handler");
  group.exitTask = exitTask;
  exitTask.exitHandlerOf = group;
  exitTask.parent = ctx.current;
  ctx.within(group, body);
}

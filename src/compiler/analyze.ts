/**
 * Graph analysis before IR is built, following the KFP compiler (`compiler_utils.py`):
 * ancestor chains, the channels each sub-DAG must receive as inputs, the outputs a sub-DAG
 * surfaces for `collected()` and `oneOf()`, and the dependencies between siblings.
 */
import {
  type AnyChannel,
  ArtifactChannel,
  CollectedArtifact,
  CollectedParam,
  FormatString,
  type GroupNode,
  LoopArtifactItem,
  LoopItemField,
  LoopParamItem,
  OneOfArtifact,
  OneOfParam,
  ParamChannel,
  TaskBase,
} from "../sdk/index.ts";
import { CompilerError } from "./errors.ts";

/** A task or a group. */
export type Node = TaskBase | GroupNode;

/** Where a channel is read from after surfacing: its (possibly rewritten) name and producer. */
export interface ChannelRef {
  name: string;
  producer: Node | undefined;
}

/** An output a group surfaces (`dag.outputs`): a collected list, a branch output, or a OneOf. */
export type GroupOutput =
  | { kind: "single"; ref: ChannelRef; channel: AnyChannel; asList: boolean }
  | { kind: "oneof"; oneof: OneOfParam<unknown> | OneOfArtifact<string>; selectors: ChannelRef[] };

/** Everything the builder needs beyond the SDK graph. */
export interface Analysis {
  /** Groups parent-first (KFP's `get_all_groups`). */
  allGroups: GroupNode[];
  /** Ancestor chain of every task and group, root first, itself last. */
  chains: Map<Node, Node[]>;
  /** Channels of the conditions enclosing each task. */
  conditionChannels: Map<TaskBase, ParamChannel<unknown>[]>;
  /** Channels each group receives, keyed by input name (`pipelinechannel--...`). */
  inputs: Map<Node, Map<string, AnyChannel>>;
  /** Outputs each group surfaces, by output name. */
  outputs: Map<GroupNode, Map<string, GroupOutput>>;
  /** Sibling dependencies. */
  dependencies: Map<Node, Set<Node>>;
  /** Rewritten references of `collected()` channels as their consumers see them. */
  refs: Map<AnyChannel, ChannelRef>;
  /** The pipeline's outputs as the root DAG reads them. */
  pipelineOutputs: Map<string, { channel: AnyChannel; ref: ChannelRef }>;
}

/** `pipelinechannel--<name>` (KFP's `additional_input_name_for_pipeline_channel`). */
export function inputNameFor(channelOrName: AnyChannel | string): string {
  return `pipelinechannel--${typeof channelOrName === "string" ? channelOrName : channelOrName.fullName}`;
}

/** The node producing a channel (a task, or a condition-branches group for OneOf). */
export function producerOf(channel: AnyChannel): Node | undefined {
  if (channel instanceof CollectedParam || channel instanceof CollectedArtifact) return channel.output.producer;
  return channel.producer;
}

function isLoop(c: unknown): c is LoopParamItem<unknown> | LoopItemField<unknown> | LoopArtifactItem<string> {
  return c instanceof LoopParamItem || c instanceof LoopItemField || c instanceof LoopArtifactItem;
}

/** Whether a channel is the item of a static-list loop, or a field of one. */
export function isWithItems(c: AnyChannel): boolean {
  if (c instanceof LoopItemField) return c.loopItem.raw !== undefined;
  return c instanceof LoopParamItem && c.raw !== undefined;
}

/** The channels passed to a task (its arguments that are channels). */
export function taskChannels(task: TaskBase): AnyChannel[] {
  return Object.values(task.args).flatMap((v): AnyChannel[] => {
    if (v instanceof FormatString) return [...v.values];
    return v instanceof ParamChannel || v instanceof ArtifactChannel ? [v] : [];
  });
}

function walk(group: GroupNode, chain: Node[], a: Analysis, conds: ParamChannel<unknown>[], tasks: TaskBase[]): void {
  a.allGroups.push(group);
  const here = [...chain, group];
  a.chains.set(group, here);
  let c = conds;
  if (group.kind === "condition") {
    c = [...conds];
    for (const cond of group.conditions) {
      for (const operand of [cond.left, cond.right]) if (operand instanceof ParamChannel) c.push(operand);
    }
  }
  for (const sub of group.groups) walk(sub, here, a, c, tasks);
  for (const task of group.tasks) {
    a.chains.set(task, [...here, task]);
    a.conditionChannels.set(task, [...new Set(c)]);
    tasks.push(task);
  }
}

/** KFP's `_get_uncommon_ancestors`. */
export function uncommonAncestors(a: Analysis, up: Node, down: Node): [Node[], Node[]] {
  const c1 = a.chains.get(up);
  const c2 = a.chains.get(down);
  if (!c1 || !c2) {
    throw new CompilerError(
      "COMPILE_INVALID_TOPOLOGY",
      `task "${(c1 ? down : up).name}" is not part of this pipeline; pass only channels created in the same pipeline body`,
    );
  }
  let i = 0;
  while (i < c1.length && i < c2.length && c1[i] === c2[i]) i++;
  return [c1.slice(i), c2.slice(i)];
}

function addInput(a: Analysis, node: Node, channel: AnyChannel): void {
  let m = a.inputs.get(node);
  if (!m) {
    m = new Map();
    a.inputs.set(node, m);
  }
  const key = inputNameFor(channel);
  if (!m.has(key)) m.set(key, channel);
}

function loopArgName(group: Node): string | undefined {
  return "kind" in group && group.kind === "for-loop" ? group.loopItem?.fullName : undefined;
}

function computeInputs(a: Analysis, tasks: TaskBase[]): void {
  for (const task of tasks) {
    for (const channel of [...taskChannels(task), ...(a.conditionChannels.get(task) ?? [])]) {
      const toAdd: AnyChannel[] = [];
      let cur: unknown = channel;
      while (isLoop(cur)) {
        toAdd.push(cur);
        cur = cur instanceof LoopItemField ? cur.loopItem : cur.items;
      }
      if (cur instanceof ParamChannel || cur instanceof ArtifactChannel) toAdd.push(cur);
      const producer = producerOf(channel);
      if (producer) {
        // Top-down from the first group the producer does not share, narrowing loop items.
        passDown(a, uncommonAncestors(a, producer, task)[1], toAdd, "last");
      } else if (isWithItems(channel)) {
        // Items of a static-list loop originate inside the DAG: bottom-up from the task.
        passDown(a, [...(a.chains.get(task) ?? [])].reverse(), toAdd, "first");
      } else {
        // A pipeline input: top-down from the root.
        passDown(a, a.chains.get(task) ?? [], toAdd, "last");
      }
    }
  }
}

/**
 * Adds a channel to the inputs of each group in `groups`, switching to the more specific
 * loop channel once a loop over it is entered (the channel chain of KFP's
 * `get_inputs_for_all_groups`: items, loop item, item field).
 */
function passDown(a: Analysis, groups: Node[], toAdd: AnyChannel[], end: "first" | "last"): void {
  for (const g of groups) {
    const current = (end === "last" ? toAdd[toAdd.length - 1] : toAdd[0]) as AnyChannel;
    addInput(a, g, current);
    if (loopArgName(g)?.includes(current.fullName)) {
      if (end === "last") toAdd.pop();
      else toAdd.shift();
      if (toAdd.length === 0) break;
    }
  }
}

/**
 * Analyses a recorded pipeline graph.
 *
 * @throws CompilerError `COMPILE_INVALID_TOPOLOGY` for wiring KFP cannot express (a task
 *   outside a condition reading an output from inside it, a loop output used without
 *   `collected()`, ...).
 */
export function analyze(root: GroupNode, pipelineOutputs: Readonly<Record<string, AnyChannel>>): Analysis {
  const a: Analysis = {
    allGroups: [],
    chains: new Map(),
    conditionChannels: new Map(),
    inputs: new Map(),
    outputs: new Map(),
    dependencies: new Map(),
    refs: new Map(),
    pipelineOutputs: new Map(),
  };
  const tasks: TaskBase[] = [];
  walk(root, [], a, [], tasks);
  computeInputs(a, tasks);
  computeOutputs(a, tasks, pipelineOutputs);
  computeDependencies(a, tasks);
  return a;
}

function setOutput(a: Analysis, group: Node, key: string, out: GroupOutput): void {
  if (!("kind" in group) || group instanceof TaskBase) return;
  let m = a.outputs.get(group);
  if (!m) {
    m = new Map();
    a.outputs.set(group, m);
  }
  m.set(key, out);
}

function surfaceCollected(
  a: Analysis,
  channel: CollectedParam<unknown> | CollectedArtifact<string>,
  up: Node[],
  consumer: Node | undefined,
): ChannelRef {
  const surfaced = inputNameFor(channel.output);
  const ref: ChannelRef = { name: channel.output.name, producer: up.pop() };
  for (const g of [...up].reverse()) {
    setOutput(a, g, surfaced, { kind: "single", ref: { ...ref }, channel: channel.output, asList: true });
    ref.name = surfaced;
    ref.producer = g;
    if (consumer) {
      const parent = (g as GroupNode).parent;
      if (parent && (parent.groups.includes(consumer as GroupNode) || parent.tasks.includes(consumer as TaskBase)))
        break;
    }
  }
  return ref;
}

function surfaceOneOf(
  a: Analysis,
  oneof: OneOfParam<unknown> | OneOfArtifact<string>,
  consumer: Node | undefined,
): void {
  const selectors: ChannelRef[] = [];
  for (const inner of oneof.channels) {
    const producer = inner.producer as Node;
    const up = consumer ? uncommonAncestors(a, producer, consumer)[0] : (a.chains.get(producer) ?? []).slice(1);
    const surfaced = inputNameFor(inner);
    const ref: ChannelRef = { name: inner.name, producer };
    for (const g of [...up].reverse()) {
      if (g === producer) continue;
      if (g === oneof.branches) break;
      setOutput(a, g, surfaced, { kind: "single", ref: { ...ref }, channel: inner, asList: false });
      ref.name = surfaced;
      ref.producer = g;
    }
    selectors.push(ref);
  }
  setOutput(a, oneof.branches, oneof.name, { kind: "oneof", oneof, selectors });
}

function computeOutputs(a: Analysis, tasks: TaskBase[], pipelineOutputs: Readonly<Record<string, AnyChannel>>): void {
  const doneOneOfs = new Set<unknown>();
  for (const task of tasks) {
    for (const channel of taskChannels(task)) {
      if (channel instanceof CollectedParam || channel instanceof CollectedArtifact) {
        const producer = producerOf(channel) as Node;
        const [up, down] = uncommonAncestors(a, producer, task);
        const groups = up.slice(0, -1) as GroupNode[];
        if (!groups.some((g) => g.kind === "for-loop")) {
          throw new CompilerError(
            "COMPILE_INVALID_TOPOLOGY",
            `task "${task.name}": collected(${channel.output.fullName}) fans in outputs of a task inside a parallelFor to a task outside it, but "${producer.name}" is not inside a parallelFor that excludes "${task.name}"`,
          );
        }
        const outer = groups[0] as GroupNode;
        if (outer.kind !== "for-loop") {
          throw new CompilerError(
            "COMPILE_INVALID_TOPOLOGY",
            `task "${task.name}": the parallelFor producing "${channel.output.fullName}" is inside ${outer.kind} "${outer.name}"; move the consumer into that block too`,
          );
        }
        if (!a.refs.has(channel)) a.refs.set(channel, surfaceCollected(a, channel, up, down[0]));
      } else if ((channel instanceof OneOfParam || channel instanceof OneOfArtifact) && !doneOneOfs.has(channel)) {
        surfaceOneOf(a, channel, task);
        doneOneOfs.add(channel);
      }
    }
  }
  for (const [key, channel] of Object.entries(pipelineOutputs)) {
    if (channel instanceof CollectedParam || channel instanceof CollectedArtifact) {
      const up = (a.chains.get(producerOf(channel) as Node) ?? []).slice(1);
      if (up.length < 2) {
        throw new CompilerError(
          "COMPILE_INVALID_TOPOLOGY",
          `pipeline output "${key}": collected() must wrap an output of a task inside a parallelFor`,
        );
      }
      const ref = a.refs.get(channel) ?? surfaceCollected(a, channel, up, undefined);
      a.pipelineOutputs.set(key, { channel, ref });
    } else {
      if ((channel instanceof OneOfParam || channel instanceof OneOfArtifact) && !doneOneOfs.has(channel)) {
        surfaceOneOf(a, channel, undefined);
        doneOneOfs.add(channel);
      }
      const producer = producerOf(channel);
      if (!producer) {
        throw new CompilerError(
          "COMPILE_INVALID_TOPOLOGY",
          `pipeline output "${key}" must be an output of a task, not the pipeline parameter "${channel.name}"`,
        );
      }
      a.pipelineOutputs.set(key, { channel, ref: { name: channel.name, producer } });
    }
  }
}

function computeDependencies(a: Analysis, tasks: TaskBase[]): void {
  for (const task of tasks) {
    const channels = [...taskChannels(task), ...(a.conditionChannels.get(task) ?? [])];
    const upstream = new Set<Node>();
    for (const c of channels) {
      const p = producerOf(c);
      if (p) upstream.add(p);
    }
    for (const t of task.afterTasks) upstream.add(t);
    for (const up of upstream) {
      const [ups, downs] = uncommonAncestors(a, up, task);
      const outer = ups.filter((n) => n !== up)[0] as GroupNode | undefined;
      if (
        outer &&
        (outer.kind === "condition" || outer.kind === "exit-handler" || outer.kind === "condition-branches")
      ) {
        throw new CompilerError(
          "COMPILE_INVALID_TOPOLOGY",
          `task "${task.name}" depends on task "${up.name}" inside ${outer.kind} "${outer.name}"; a task outside a when()/exitHandler() block cannot depend on a task inside it (use oneOf() for branch outputs, or move "${task.name}" into the block)`,
        );
      }
      if (outer?.kind === "for-loop") {
        const exchange = channels.some(
          (c) => producerOf(c) === up && !(c instanceof CollectedParam || c instanceof CollectedArtifact),
        );
        if (exchange) {
          throw new CompilerError(
            "COMPILE_INVALID_TOPOLOGY",
            `task "${task.name}" reads an output of task "${up.name}" inside parallelFor "${outer.name}"; wrap it in collected(...) to fan in all iterations`,
          );
        }
      }
      const from = downs[0] as Node;
      let set = a.dependencies.get(from);
      if (!set) {
        set = new Set();
        a.dependencies.set(from, set);
      }
      set.add(ups[0] as Node);
    }
  }
}

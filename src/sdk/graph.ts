/**
 * The graph a pipeline body builds: groups (the root, conditions, loops, exit handlers)
 * holding tasks, recorded in the order KFP's Python DSL records them so the compiler can
 * number and name everything the way the KFP compiler does.
 */
import type { Condition, LoopArtifactItem, LoopParamItem } from "./channel.ts";
import { SdkError } from "./errors.ts";
import type { TaskBase } from "./task.ts";

/** Kinds of task groups (KFP's `TasksGroupType`). */
export type GroupKind = "pipeline" | "condition" | "condition-branches" | "for-loop" | "exit-handler";

/** A task group: a sub-DAG of the compiled pipeline. */
export class GroupNode {
  readonly kind: GroupKind;
  name: string;
  readonly groups: GroupNode[] = [];
  readonly tasks: TaskBase[] = [];
  parent: GroupNode | undefined;
  /** Condition groups: the comparisons joined by `&&` (earlier branches negated). */
  conditions: Condition[] = [];
  /** Condition groups: the negated conditions the next Elif/Else starts from. */
  negatedUpstream: Condition[] = [];
  /** Condition groups created by `when().elif()/.otherwise()` chains. */
  branchKind: "if" | "elif" | "else" | undefined;
  /** Loop groups: the loop item. */
  loopItem: LoopParamItem<unknown> | LoopArtifactItem<string> | undefined;
  /** Loop groups: whether the items are a channel (not a static list). */
  itemsIsChannel = false;
  /** Loop groups: the parallelism limit (0: unlimited). */
  parallelism = 0;
  /** Exit handler groups: the task that runs when the group finishes. */
  exitTask: TaskBase | undefined;
  /** The name shown for the group's task (`taskInfo.name`), if given. */
  displayName: string | undefined;
  private oneofCounter = 0;

  constructor(kind: GroupKind, name: string, parent: GroupNode | undefined) {
    this.kind = kind;
    this.name = name;
    this.parent = parent;
  }

  /** The next OneOf id within this condition-branches group. */
  nextOneofId(): number {
    this.oneofCounter += 1;
    return this.oneofCounter;
  }
}

/** The recording state of one pipeline body while it runs. */
export class PipelineContext {
  readonly pipelineName: string;
  readonly root: GroupNode;
  readonly tasks = new Map<string, TaskBase>();
  readonly stack: GroupNode[];
  private groupId = 0;

  constructor(pipelineName: string) {
    this.pipelineName = pipelineName;
    this.root = new GroupNode("pipeline", pipelineName, undefined);
    this.stack = [this.root];
  }

  /** The group new tasks and groups go into. */
  get current(): GroupNode {
    return this.stack[this.stack.length - 1] as GroupNode;
  }

  /** KFP's `get_next_group_id`: one counter for all groups and static loop items. */
  nextGroupId(): number {
    this.groupId += 1;
    return this.groupId;
  }

  /** The last group added to the current group, if any (KFP's `get_last_tasks_group`). */
  lastGroup(): GroupNode | undefined {
    const groups = this.current.groups;
    return groups[groups.length - 1];
  }

  /** Creates a numbered group under the current one. */
  addGroup(kind: GroupKind): GroupNode {
    const group = new GroupNode(kind, `${kind}-${this.nextGroupId()}`, this.current);
    this.current.groups.push(group);
    return group;
  }

  /** Runs `body` with `group` as the current group. */
  within<R>(group: GroupNode, body: () => R): R {
    this.stack.push(group);
    try {
      return body();
    } finally {
      this.stack.pop();
    }
  }

  /** A task name unique in this pipeline: `name`, `name-2`, `name-3`, ... */
  uniqueTaskName(base: string): string {
    return uniqueName(base, this.tasks);
  }
}

/** `name`, or `name-2`, `name-3`, ... whichever is not in `taken` (KFP's `make_name_unique_by_adding_index`). */
export function uniqueName(base: string, taken: { has(key: string): boolean }): string {
  if (!taken.has(base)) return base;
  let i = 2;
  while (taken.has(`${base}-${i}`)) i++;
  return `${base}-${i}`;
}

const contexts: PipelineContext[] = [];

/** Runs `body` as the body of pipeline `name` and returns what it recorded. */
export function recordPipeline<R>(
  name: string,
  body: (ctx: PipelineContext) => R,
): { ctx: PipelineContext; result: R } {
  const ctx = new PipelineContext(name);
  contexts.push(ctx);
  try {
    return { ctx, result: body(ctx) };
  } finally {
    contexts.pop();
  }
}

/** The pipeline being recorded, or an error naming `what` was used outside a pipeline body. */
export function currentContext(what: string): PipelineContext {
  const ctx = contexts[contexts.length - 1];
  if (!ctx) {
    throw new SdkError(
      "SDK_OUTSIDE_PIPELINE",
      `${what} can only be used inside a pipeline body: call it from the function passed to pipeline({ name }, (params) => { ... })`,
    );
  }
  return ctx;
}

/** KFP's `sanitize_k8s_name`: lower case, runs of other characters become `-`. */
export function sanitizeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^-0-9a-z]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "");
}

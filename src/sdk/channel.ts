/**
 * Channels: the futures a pipeline body wires together (KFP's `PipelineChannel`). A task's
 * outputs, a pipeline's parameters, a loop's item, a fan-in: all are channels, never values.
 */
import type { GroupNode } from "./graph.ts";
import type { TaskBase } from "./task.ts";
import type { JsonValue, ParamTypeName } from "./types.ts";

/** A comparison operator of a condition. */
export type ConditionOperator = "==" | "!=" | "<" | "<=" | ">" | ">=";

/** One side of a condition: a parameter channel or a constant. */
export type Operand = ParamChannel<unknown> | string | number | boolean;

/** A comparison used by `when(...)` (KFP's `ConditionOperation`). */
export class Condition {
  readonly operator: ConditionOperator;
  readonly left: Operand;
  readonly right: Operand;
  readonly negate: boolean;

  constructor(operator: ConditionOperator, left: Operand, right: Operand, negate = false) {
    this.operator = operator;
    this.left = left;
    this.right = right;
    this.negate = negate;
  }

  /** The same comparison, negated (`!(...)`), as the following Elif/Else branches see it. */
  negated(): Condition {
    return new Condition(this.operator, this.left, this.right, true);
  }
}

/** Fields every channel carries at run time. */
abstract class BaseChannel {
  /** The channel's name: an output key, a pipeline parameter name, a loop item name. */
  name: string;
  /** The producing task (or surfacing group), if any. */
  producer: TaskBase | GroupNode | undefined;

  constructor(name: string, producer: TaskBase | GroupNode | undefined) {
    this.name = name;
    this.producer = producer;
  }

  /** The producer's name, if any. */
  get taskName(): string | undefined {
    return this.producer?.name;
  }

  /** `<task>-<name>`, or the name when no task produces it (KFP's `full_name`). */
  get fullName(): string {
    const task = this.taskName;
    return task ? `${task}-${this.name}` : this.name;
  }
}

/**
 * A parameter value that will exist at run time. `T` is its TypeScript value type.
 *
 * @example when(train.outputs.auc.gte(0.9), () => deploy({ model: train.outputs.model }))
 */
export class ParamChannel<T> extends BaseChannel {
  readonly kind = "parameter" as const;
  /** Type-level marker of the value type. */
  declare readonly __value: T;
  /** The KFP parameter type. */
  paramType: ParamTypeName;
  /** For LIST channels: the KFP type of one item. */
  itemType: ParamTypeName | undefined;

  constructor(
    name: string,
    paramType: ParamTypeName,
    producer: TaskBase | GroupNode | undefined,
    itemType?: ParamTypeName,
  ) {
    super(name, producer);
    this.paramType = paramType;
    this.itemType = itemType;
  }

  /** `this == other` */
  eq(other: T | ParamChannel<T>): Condition {
    return new Condition("==", this, other as Operand);
  }
  /** `this != other` */
  ne(other: T | ParamChannel<T>): Condition {
    return new Condition("!=", this, other as Operand);
  }
  /** `this < other` */
  lt(other: T | ParamChannel<T>): Condition {
    return new Condition("<", this, other as Operand);
  }
  /** `this <= other` */
  lte(other: T | ParamChannel<T>): Condition {
    return new Condition("<=", this, other as Operand);
  }
  /** `this > other` */
  gt(other: T | ParamChannel<T>): Condition {
    return new Condition(">", this, other as Operand);
  }
  /** `this >= other` */
  gte(other: T | ParamChannel<T>): Condition {
    return new Condition(">=", this, other as Operand);
  }
}

/** An artifact that will exist at run time. `S` is its schema title. */
export class ArtifactChannel<S extends string, L extends boolean = false> extends BaseChannel {
  readonly kind = "artifact" as const;
  /** Type-level marker of the schema title. */
  declare readonly __artifact: S;
  /** Type-level marker of a list of artifacts. */
  declare readonly __list: L;
  schemaTitle: string;
  schemaVersion: string;
  isArtifactList: boolean;

  constructor(
    name: string,
    type: { schemaTitle: string; schemaVersion: string },
    producer: TaskBase | GroupNode | undefined,
    isArtifactList = false,
  ) {
    super(name, producer);
    this.schemaTitle = type.schemaTitle;
    this.schemaVersion = type.schemaVersion;
    this.isArtifactList = isArtifactList;
  }
}

/** Any channel. */
export type AnyChannel = ParamChannel<unknown> | ArtifactChannel<string, boolean>;

/** What a parallel-for iterates: a static list or a LIST channel. */
export type LoopItems = JsonValue[] | ParamChannel<unknown[]> | ArtifactChannel<string, true>;

/**
 * The loop item of a parallel-for over parameters (KFP's `LoopParameterArgument`).
 * `field(name)` reads one field of an object item.
 */
export class LoopParamItem<T> extends ParamChannel<T> {
  /** The channel iterated over, or undefined for a static list. */
  readonly items: ParamChannel<unknown> | undefined;
  /** The static items, for `withItems` loops. */
  readonly raw: JsonValue[] | undefined;
  /** Whether some task reads fields of the item (makes the item a STRUCT). */
  usesFields = false;

  constructor(
    name: string,
    paramType: ParamTypeName,
    producer: TaskBase | GroupNode | undefined,
    items: ParamChannel<unknown> | undefined,
    raw: JsonValue[] | undefined,
  ) {
    super(name, paramType, producer);
    this.items = items;
    this.raw = raw;
  }

  /** One field of an object item (`item.field("kind")`), KFP's `LoopArgumentVariable`. */
  field<K extends keyof T & string>(key: K): ParamChannel<T[K]> {
    this.usesFields = true;
    if (this.items === undefined || this.paramType === "STRING") this.paramType = "STRUCT";
    return new LoopItemField<T[K]>(this, key);
  }
}

/** A field of a loop item (KFP's `LoopArgumentVariable`). */
export class LoopItemField<T> extends ParamChannel<T> {
  readonly loopItem: LoopParamItem<unknown>;
  readonly fieldName: string;

  constructor(loopItem: LoopParamItem<unknown>, fieldName: string) {
    super(`${loopItem.name}-subvar-${fieldName}`, "STRING", loopItem.producer);
    this.loopItem = loopItem;
    this.fieldName = fieldName;
  }
}

/** The loop item of a parallel-for over a list of artifacts (KFP's `LoopArtifactArgument`). */
export class LoopArtifactItem<S extends string> extends ArtifactChannel<S> {
  readonly items: ArtifactChannel<string, true>;

  constructor(
    name: string,
    type: { schemaTitle: string; schemaVersion: string },
    producer: TaskBase | GroupNode | undefined,
    items: ArtifactChannel<string, true>,
  ) {
    super(name, type, producer);
    this.items = items;
  }
}

/** Whether a channel is a loop item or a field of one. */
export function isLoopChannel(
  c: unknown,
): c is LoopParamItem<unknown> | LoopItemField<unknown> | LoopArtifactItem<string> {
  return c instanceof LoopParamItem || c instanceof LoopItemField || c instanceof LoopArtifactItem;
}

/** A fan-in of a channel produced inside a parallel-for (KFP's `dsl.Collected`). */
export class CollectedParam<T> extends ParamChannel<T[]> {
  readonly output: ParamChannel<T>;

  constructor(output: ParamChannel<T>) {
    super(output.name, "LIST", output.producer);
    this.output = output;
  }
}

/** A fan-in of artifacts produced inside a parallel-for. */
export class CollectedArtifact<S extends string> extends ArtifactChannel<S, true> {
  readonly output: ArtifactChannel<S, boolean>;

  constructor(output: ArtifactChannel<S, boolean>) {
    super(output.name, output, output.producer, true);
    this.output = output;
  }
}

/** The output of whichever If/Elif/Else branch ran (KFP's `dsl.OneOf`), parameter form. */
export class OneOfParam<T> extends ParamChannel<T> {
  readonly branches: GroupNode;
  channels: ParamChannel<T>[];

  constructor(name: string, paramType: ParamTypeName, branches: GroupNode, channels: ParamChannel<T>[]) {
    super(name, paramType, branches);
    this.branches = branches;
    this.channels = channels;
  }
}

/** The output of whichever If/Elif/Else branch ran, artifact form. */
export class OneOfArtifact<S extends string> extends ArtifactChannel<S> {
  readonly branches: GroupNode;
  channels: ArtifactChannel<S, boolean>[];

  constructor(
    name: string,
    type: { schemaTitle: string; schemaVersion: string },
    branches: GroupNode,
    channels: ArtifactChannel<S, boolean>[],
  ) {
    super(name, type, branches);
    this.branches = branches;
    this.channels = channels;
  }
}

/**
 * A string with channels in it, like a KFP f-string (`f"{task.output} > 5"`): made by
 * {@link fmt}. Passed to a string input, the compiler writes the text with each channel
 * as an input placeholder and adds the channels as extra task inputs.
 */
export class FormatString extends ParamChannel<string> {
  /** The literal parts around the channels (one more than `values`). */
  readonly strings: readonly string[];
  /** The channels, in order. */
  readonly values: readonly ParamChannel<unknown>[];

  constructor(strings: readonly string[], values: readonly ParamChannel<unknown>[]) {
    super("", "STRING", undefined);
    this.strings = strings;
    this.values = values;
  }
}

/**
 * A string made of text and channels, resolved at run time (KFP's f-string support).
 *
 * @example
 * echo({ msg: fmt`heads and ${n.outputs.Output} > 5!` });
 */
export function fmt(
  strings: TemplateStringsArray,
  ...values: Array<ParamChannel<unknown> | string | number | boolean>
): ParamChannel<string> {
  const parts: string[] = [strings[0] ?? ""];
  const channels: ParamChannel<unknown>[] = [];
  values.forEach((value, i) => {
    const next = strings[i + 1] ?? "";
    if (value instanceof ParamChannel) {
      if (value instanceof FormatString) {
        parts[parts.length - 1] += value.strings[0] ?? "";
        value.values.forEach((v, j) => {
          channels.push(v);
          parts.push(value.strings[j + 1] ?? "");
        });
        parts[parts.length - 1] += next;
      } else {
        channels.push(value);
        parts.push(next);
      }
    } else {
      parts[parts.length - 1] += String(value) + next;
    }
  });
  return new FormatString(parts, channels);
}

/**
 * Tasks: one call of a component inside a pipeline body, with its wiring and the task
 * options KFP's `PipelineTask` offers (`after`, resources, env, retry, caching).
 */
import { parseCpuCores, parseDurationMs, parseMemoryBytes } from "../ir/units.ts";
import { type AnyChannel, ArtifactChannel, ParamChannel } from "./channel.ts";
import type { ComponentDefinition } from "./definition.ts";
import { SdkError } from "./errors.ts";
import type { GroupNode } from "./graph.ts";
import type { IODecls } from "./types.ts";

/** A retry policy (KFP's `set_retry`). Durations are like `"30s"`, `"5m"`, `"1h"`. */
export interface RetryOptions {
  /** How many times a failed task is retried. */
  maxRetries: number;
  /** Wait before the first retry (default `"0s"`). */
  backoff?: string;
  /** Multiplier of the wait per retry (default 2). */
  factor?: number;
  /** Longest wait between retries (default and maximum `"1h"`). */
  maxBackoff?: string;
}

/** Resource requests and limits of a task, as given (`"500m"`, `"4G"`). */
export interface TaskResources {
  cpuRequest?: string;
  cpuLimit?: string;
  memoryRequest?: string;
  memoryLimit?: string;
  acceleratorType?: string;
  acceleratorCount?: number;
}

/** A value passed to a task input: a constant or a channel. */
export type ArgValue = AnyChannel | string | number | boolean | null | readonly unknown[] | object;

/**
 * A task of a pipeline. Its `outputs` are channels to wire into other tasks. Option
 * setters return the task, so they chain.
 */
export class TaskBase {
  readonly name: string;
  readonly component: ComponentDefinition;
  readonly args: Readonly<Record<string, ArgValue>>;
  /** The group the task was created in. */
  parent: GroupNode;
  /** Tasks given to `after()`. */
  readonly afterTasks: TaskBase[] = [];
  displayName: string | undefined;
  readonly resources: TaskResources = {};
  readonly env: Array<{ name: string; value: string }> = [];
  retry: RetryOptions | undefined;
  caching = true;
  cacheKey: string | undefined;
  /** Whether the task's metrics are its run's metrics ({@link TaskBase.setRunMetrics}). */
  runMetrics = false;
  /** Set when the task is the final task of an exit handler. */
  exitHandlerOf: GroupNode | undefined;

  constructor(name: string, component: ComponentDefinition, args: Record<string, ArgValue>, parent: GroupNode) {
    this.name = name;
    this.component = component;
    this.args = args;
    this.parent = parent;
  }

  /** Runs this task only after `tasks` have succeeded (adds `dependentTasks`). */
  after(...tasks: TaskBase[]): this {
    for (const t of tasks) if (!this.afterTasks.includes(t)) this.afterTasks.push(t);
    return this;
  }

  /** The name shown for the task (`taskInfo.name`). */
  setDisplayName(name: string): this {
    this.displayName = name;
    return this;
  }

  /** CPU request, e.g. `"500m"` or `"2"`. */
  setCpuRequest(cpu: string): this {
    return this.setQuantity("cpuRequest", cpu);
  }

  /** CPU limit, e.g. `"500m"` or `"2"`. */
  setCpuLimit(cpu: string): this {
    return this.setQuantity("cpuLimit", cpu);
  }

  /** Memory request, e.g. `"512M"` or `"4Gi"`. */
  setMemoryRequest(memory: string): this {
    return this.setQuantity("memoryRequest", memory);
  }

  /** Memory limit, e.g. `"512M"` or `"4Gi"`. */
  setMemoryLimit(memory: string): this {
    return this.setQuantity("memoryLimit", memory);
  }

  /** Accelerator type and count, e.g. `setAccelerator("nvidia.com/gpu", 1)`. */
  setAccelerator(type: string, count = 1): this {
    if (!type) this.invalid("setAccelerator", 'the accelerator type must not be empty, e.g. "nvidia.com/gpu"');
    if (!Number.isInteger(count) || count < 1) {
      this.invalid("setAccelerator", `the count must be a positive integer, got ${count}`);
    }
    this.resources.acceleratorType = type;
    this.resources.acceleratorCount = count;
    return this;
  }

  /** Sets an environment variable of the task's container. */
  setEnv(name: string, value: string): this {
    const existing = this.env.find((e) => e.name === name);
    if (existing) existing.value = value;
    else this.env.push({ name, value });
    return this;
  }

  /** Retries the task on failure. */
  setRetry(options: RetryOptions): this {
    if (!Number.isInteger(options.maxRetries) || options.maxRetries < 0) {
      this.invalid("setRetry", `maxRetries must be a non-negative integer, got ${options.maxRetries}`);
    }
    if (options.factor !== undefined && !(options.factor > 0)) {
      this.invalid("setRetry", `factor must be a positive number, got ${options.factor}`);
    }
    for (const key of ["backoff", "maxBackoff"] as const) {
      const d = options[key];
      if (d !== undefined && durationSeconds(d) === undefined) {
        this.invalid("setRetry", `${key} "${d}" is not a duration; use e.g. "30s", "5m" or "1h"`);
      }
    }
    this.retry = { ...options };
    return this;
  }

  /** Turns result caching on (the default) or off for this task. */
  setCaching(enabled: boolean): this {
    this.caching = enabled;
    return this;
  }

  /**
   * Makes this task's metrics the run's metrics: the keys of its Metrics artifacts and its
   * numeric output parameters, unqualified, as the runs list shows, sorts and filters them.
   * Used when the pipeline declares no Metrics or numeric outputs (those come first);
   * without either, each task's metrics are the run's, qualified by task (`evaluate.f1`).
   * Stored in the compiled package's `platforms.weft` config, which KFP ignores.
   */
  setRunMetrics(enabled = true): this {
    this.runMetrics = enabled;
    return this;
  }

  /** A custom cache key for this task. */
  setCacheKey(key: string): this {
    this.cacheKey = key;
    return this;
  }

  private setQuantity(key: "cpuRequest" | "cpuLimit" | "memoryRequest" | "memoryLimit", value: string): this {
    const method = `set${key[0]?.toUpperCase()}${key.slice(1)}`;
    if (key.startsWith("cpu") && parseCpuCores(value) === undefined) {
      this.invalid(method, `"${value}" is not a CPU quantity; use e.g. "500m" or "2"`);
    }
    if (key.startsWith("memory") && parseMemoryBytes(value) === undefined) {
      this.invalid(method, `"${value}" is not a memory quantity; use e.g. "512M", "4G" or "2Gi"`);
    }
    this.resources[key] = value;
    return this;
  }

  private invalid(method: string, what: string): never {
    throw new SdkError("SDK_INVALID_ARGUMENT", `task "${this.name}": ${method}: ${what}`);
  }
}

/** A task whose outputs are the channels `Outs`. */
export class TaskNode<Outs = Record<string, AnyChannel>> extends TaskBase {
  readonly outputs: Outs;

  constructor(name: string, component: ComponentDefinition, args: Record<string, ArgValue>, parent: GroupNode) {
    super(name, component, args, parent);
    this.outputs = outputChannels(component.outputs, this) as Outs;
  }
}

function outputChannels(outputs: IODecls, task: TaskBase): Record<string, AnyChannel> {
  const channels: Record<string, AnyChannel> = {};
  for (const [key, decl] of Object.entries(outputs)) {
    channels[key] =
      decl.kind === "parameter"
        ? new ParamChannel<unknown>(key, decl.type, task, decl.itemType)
        : new ArtifactChannel(key, decl, task, decl.isList === true);
  }
  return channels;
}

/**
 * Seconds of a duration like `"30s"`, `"5m"`, `"1h"`, `"1h30m"`, `"7d"` or `"45"`, or
 * undefined if malformed (the grammar of `parseDurationMs` in `ir/units.ts`).
 */
export function durationSeconds(text: string): number | undefined {
  const ms = parseDurationMs(text);
  return ms === undefined ? undefined : ms / 1000;
}

/**
 * Machine capacity detection and KFP resource strings ("500m", "2", "1G", "4Gi").
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { type JsonValue, parseCpuCores, parseMemoryBytes, type Resources, resourceInput } from "../ir/index.ts";
import { EngineError, TaskError, type TaskFailure, taskFailure } from "./errors.ts";
import { renderValue } from "./placeholders.ts";
import type { Capacity, ResourceDemand } from "./types.ts";

/**
 * Parses a Kubernetes CPU quantity into millicores.
 *
 * @example parseCpu("500m") // 500; parseCpu("2") // 2000
 */
export function parseCpu(value: string | number, field = "cpu"): number {
  if (typeof value === "number") return Math.round(value * 1000);
  const cores = parseCpuCores(value);
  if (cores === undefined) {
    throw new EngineError("PLAN_INVALID", `${field} '${value}' is not a CPU quantity; use e.g. "500m" or "2"`);
  }
  return Math.round(cores * 1000);
}

/**
 * Parses a Kubernetes memory quantity into bytes.
 *
 * @example parseMemory("1Gi") // 1073741824; parseMemory("1G") // 1e9
 */
export function parseMemory(value: string | number, field = "memory"): number {
  if (typeof value === "number") return Math.round(value * 1e9); // KFP's old numeric fields are in GB
  const bytes = parseMemoryBytes(value);
  if (bytes === undefined) {
    throw new EngineError("PLAN_INVALID", `${field} '${value}' is not a memory quantity; use e.g. "512Mi" or "4G"`);
  }
  return Math.round(bytes);
}

/** A resource field's text, with its input placeholder replaced by the task's resolved value. */
interface FieldValue {
  field: string;
  text: string;
  /** The input the value came from, when the field is a placeholder. */
  input?: string;
}

function resolveField(
  field: string,
  text: string | undefined,
  parameters: Record<string, JsonValue> | undefined,
  task: string | undefined,
): FieldValue | undefined {
  if (text === undefined || text === "") return undefined;
  const input = resourceInput(text);
  if (input === undefined) return { field, text };
  const value = parameters?.[input];
  if (value === undefined || value === null) {
    throw new TaskError(
      "INPUT_MISSING",
      `${task ? `task '${task}': ` : ""}${field} is set from input '${input}', which has no value`,
      { action: `wire input '${input}' of the task to a pipeline parameter or an upstream output, then run again` },
    );
  }
  const rendered = renderValue(value);
  // an empty value leaves the field unset, as an unset pipeline parameter does in KFP
  return rendered === "" ? undefined : { field, text: rendered, input };
}

/** Parses one resolved field; a placeholder's bad value is the task's input problem, a constant's the spec's. */
function parseField(
  v: FieldValue,
  kind: string,
  example: string,
  parse: (text: string) => number | undefined,
  task: string | undefined,
): number {
  const n = parse(v.text);
  if (n !== undefined && Number.isFinite(n) && n >= 0) return n;
  const where = task ? `task '${task}': ` : "";
  if (v.input === undefined) {
    throw new EngineError("PLAN_INVALID", `${where}${v.field} '${v.text}' is not ${kind}; use e.g. ${example}`);
  }
  throw new TaskError(
    "INPUT_INVALID",
    `${where}${v.field} is set from input '${v.input}', whose value '${v.text}' is not ${kind} (e.g. ${example})`,
    {
      action: `pass ${kind} such as ${example} to input '${v.input}' (a pipeline parameter or an upstream output), then run again`,
    },
  );
}

const cpuText = (t: string): number | undefined => {
  const c = parseCpuCores(t);
  return c === undefined ? undefined : Math.round(c * 1000);
};
const memoryText = (t: string): number | undefined => {
  const b = parseMemoryBytes(t);
  return b === undefined ? undefined : Math.round(b);
};
const countText = (t: string): number | undefined => (/^\s*[0-9]+\s*$/.test(t) ? Number(t) : undefined);

/** A task's resources after its placeholders are resolved: the demand, and the accelerator named. */
export interface TaskResources {
  demand: ResourceDemand;
  /** The accelerator type asked for (`NVIDIA_TESLA_T4`, `nvidia.com/gpu`), when a count is. */
  acceleratorType?: string;
}

/**
 * A task's resources: each of CPU and memory is its request, else its limit, else 0,
 * reading KFP's string fields (`resourceCpuRequest`, `resourceMemoryLimit`, ...) before
 * the older numeric ones (`cpuLimit`, in cores and GB); GPUs are the accelerator count.
 * A string field may be an input placeholder (`{{$.inputs.parameters['x']}}`, what KFP
 * writes for `set_cpu_limit(param)`), resolved from `parameters`, the task's resolved
 * inputs. A constant that is not a quantity throws `PLAN_INVALID`; a resolved value that
 * is not one, or an input without a value, throws a {@link TaskError} naming the task
 * (`task`), the field, the input and the value.
 */
export function resolveResources(
  res: Resources | undefined,
  parameters?: Record<string, JsonValue>,
  task?: string,
): TaskResources {
  if (!res) return { demand: { cpus: 0, memoryBytes: 0, gpus: 0 } };
  const field = (name: string, text: string | undefined) => resolveField(name, text, parameters, task);
  const cpuField =
    field("resourceCpuRequest", res.resourceCpuRequest) ?? field("resourceCpuLimit", res.resourceCpuLimit);
  const memField =
    field("resourceMemoryRequest", res.resourceMemoryRequest) ?? field("resourceMemoryLimit", res.resourceMemoryLimit);
  const cpuNum = res.cpuRequest ?? res.cpuLimit;
  const memNum = res.memoryRequest ?? res.memoryLimit;
  const cpus = cpuField
    ? parseField(cpuField, "a CPU quantity", '"500m" or "2"', cpuText, task)
    : cpuNum
      ? parseCpu(cpuNum, res.cpuRequest !== undefined ? "cpuRequest" : "cpuLimit")
      : 0;
  const memoryBytes = memField
    ? parseField(memField, "a memory quantity", '"512Mi" or "4G"', memoryText, task)
    : memNum
      ? parseMemory(memNum, res.memoryRequest !== undefined ? "memoryRequest" : "memoryLimit")
      : 0;
  const acc = res.accelerator;
  const countField =
    field("accelerator.resourceCount", acc?.resourceCount) ??
    (acc?.count === undefined || acc.count === ""
      ? undefined
      : { field: "accelerator.count", text: String(acc.count) });
  const gpus = countField ? parseField(countField, "a number of devices", '"1"', countText, task) : 0;
  const typeField = field("accelerator.resourceType", acc?.resourceType);
  const acceleratorType = typeField?.text ?? acc?.type;
  return {
    demand: { cpus, memoryBytes, gpus },
    ...(gpus > 0 && acceleratorType ? { acceleratorType } : {}),
  };
}

/** A task's demand ({@link resolveResources} without the accelerator's name). */
export function demandOf(
  res: Resources | undefined,
  parameters?: Record<string, JsonValue>,
  task?: string,
): ResourceDemand {
  return resolveResources(res, parameters, task).demand;
}

/** Lists GPUs with `nvidia-smi` when it is installed; none otherwise. */
export function detectGpus(): string[] {
  try {
    const out = execFileSync("nvidia-smi", ["--query-gpu=index", "--format=csv,noheader"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 5000,
    });
    return out
      .split("\n")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  } catch {
    return [];
  }
}

let gpuCache: string[] | undefined;

/** Detects this machine's capacity, with overrides (tests pass explicit values). */
export function detectCapacity(override: Partial<Capacity> = {}): Capacity {
  if (!override.gpus && gpuCache === undefined) gpuCache = detectGpus();
  const gpus = override.gpus ?? gpuCache ?? [];
  return {
    cpus: override.cpus ?? os.availableParallelism() * 1000,
    memoryBytes: override.memoryBytes ?? os.totalmem(),
    gpus,
  };
}

/** Says why a demand can never fit a capacity, or undefined when it can. */
export function unsatisfiable(d: ResourceDemand, c: Capacity): string | undefined {
  if (d.cpus > c.cpus) return `it requests ${d.cpus / 1000} CPUs but this machine has ${c.cpus / 1000}`;
  if (d.memoryBytes > c.memoryBytes) {
    return `it requests ${(d.memoryBytes / 2 ** 30).toFixed(2)} GiB of memory but this machine has ${(c.memoryBytes / 2 ** 30).toFixed(2)} GiB`;
  }
  if (d.gpus > c.gpus.length) return `it requests ${d.gpus} GPUs but this machine has ${c.gpus.length}`;
  return undefined;
}

const cores = (millis: number): string => `${millis / 1000} CPU${millis === 1000 ? "" : "s"}`;
const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

/**
 * Fits a demand to a machine it exceeds, as KFP's local runner does by ignoring
 * Kubernetes resources, but still bounding what runs at once: a CPU or memory request
 * above the capacity is lowered to the capacity (the task then runs alone, rather than
 * never), a GPU request to the GPUs there are (none without GPUs). `notes` says what was
 * lowered and why, one line each; empty when the demand fits.
 */
export function fitToMachine(
  d: ResourceDemand,
  c: Capacity,
  acceleratorType?: string,
): { demand: ResourceDemand; notes: string[] } {
  const notes: string[] = [];
  const demand = { ...d };
  if (d.cpus > c.cpus) {
    demand.cpus = c.cpus;
    notes.push(
      `it requests ${cores(d.cpus)} but this machine has ${cores(c.cpus)}: it runs with all ${cores(c.cpus)} reserved, so no other task that requests CPU runs beside it`,
    );
  }
  if (d.memoryBytes > c.memoryBytes) {
    demand.memoryBytes = c.memoryBytes;
    notes.push(
      `it requests ${gib(d.memoryBytes)} of memory but this machine has ${gib(c.memoryBytes)}: it runs with all of it reserved, and may run out of memory`,
    );
  }
  if (d.gpus > c.gpus.length) {
    demand.gpus = c.gpus.length;
    const what = acceleratorType ? ` (accelerator ${acceleratorType})` : "";
    notes.push(
      c.gpus.length === 0
        ? `it requests ${d.gpus} GPU${d.gpus === 1 ? "" : "s"}${what} but this machine has none: it runs without one, as KFP's local runner does`
        : `it requests ${d.gpus} GPUs${what} but this machine has ${c.gpus.length}: it runs with the ${c.gpus.length} there are`,
    );
  }
  return { demand, notes };
}

/**
 * How a task's resources are used here: with `strict`, a demand this machine can never
 * meet is a `RESOURCES_UNSATISFIABLE` failure; otherwise it is fitted to the machine
 * ({@link fitToMachine}) and `notes` say what was lowered.
 */
export function localDemand(
  task: string,
  resources: TaskResources,
  capacity: Capacity,
  strict: boolean,
): { demand: ResourceDemand; notes: string[] } | { failure: TaskFailure } {
  if (strict) {
    const why = unsatisfiable(resources.demand, capacity);
    if (!why) return { demand: resources.demand, notes: [] };
    return {
      failure: taskFailure(
        "RESOURCES_UNSATISFIABLE",
        `task '${task}' can never run here: ${why} (--strict-resources); lower its resource request, run it on a bigger machine, or run without --strict-resources`,
      ),
    };
  }
  const fit = fitToMachine(resources.demand, capacity, resources.acceleratorType);
  return { demand: fit.demand, notes: fit.notes.map((n) => `resource request not honoured: ${n}`) };
}

/** Descriptors this process keeps for itself (SQLite and its WAL, logs, server sockets). */
export const FD_RESERVE = 256;
/**
 * Descriptors one running task holds in this process: its stdout and stderr pipes, its
 * log file, and the short-lived ones of a spawn and of reading its outputs.
 */
export const FDS_PER_TASK = 8;
/** Memory set aside per running task when deriving the default cap. */
export const MEMORY_PER_TASK = 256 * 2 ** 20;

/**
 * The soft limit on open files of this process (RLIMIT_NOFILE), read from
 * `/proc/self/limits`, else from `ulimit -n` in a child shell; `Infinity` when unlimited
 * or unknown.
 */
export function openFileLimit(): number {
  try {
    const m = /^Max open files\s+(\S+)/m.exec(fs.readFileSync("/proc/self/limits", "utf8"));
    if (m?.[1]) return m[1] === "unlimited" ? Number.POSITIVE_INFINITY : Number(m[1]);
  } catch {
    // not Linux: ask a shell
  }
  try {
    const out = execFileSync("sh", ["-c", "ulimit -n"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 5000,
    }).trim();
    const n = Number(out);
    return out === "unlimited" || !Number.isFinite(n) || n <= 0 ? Number.POSITIVE_INFINITY : n;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** How the default cap on parallel tasks was derived (`weft run --max-parallel` overrides it). */
export interface ParallelCap {
  value: number;
  /** Twice the cores: tasks wait on I/O as well as compute. */
  byCpu: number;
  /** One task per {@link MEMORY_PER_TASK} of memory. */
  byMemory: number;
  /** `(RLIMIT_NOFILE - FD_RESERVE) / FDS_PER_TASK`. */
  byOpenFiles: number;
}

/**
 * The default cap on concurrently running tasks: the smallest of twice the cores, the
 * memory over {@link MEMORY_PER_TASK}, and the open-file limit less {@link FD_RESERVE}
 * over {@link FDS_PER_TASK}; at least 1.
 *
 * @example defaultMaxParallel({ cpus: 2000, memoryBytes: 24e9, gpus: [] }, 1024).value // 4
 */
export function defaultMaxParallel(capacity: Capacity, fileLimit = openFileLimit()): ParallelCap {
  const byCpu = Math.max(1, Math.floor((capacity.cpus / 1000) * 2));
  const byMemory = Math.max(1, Math.floor(capacity.memoryBytes / MEMORY_PER_TASK));
  const byOpenFiles = Number.isFinite(fileLimit)
    ? Math.max(1, Math.floor((fileLimit - FD_RESERVE) / FDS_PER_TASK))
    : Number.POSITIVE_INFINITY;
  return { value: Math.max(1, Math.min(byCpu, byMemory, byOpenFiles)), byCpu, byMemory, byOpenFiles };
}

/**
 * Machine capacity detection and KFP resource strings ("500m", "2", "1G", "4Gi").
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { parseCpuCores, parseMemoryBytes, type Resources } from "../ir/index.ts";
import { EngineError } from "./errors.ts";
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

/** A quantity from KFP's string field when set, else from its older numeric one, else 0. */
function quantity(
  text: string | undefined,
  textField: string,
  num: number | undefined,
  numField: string,
  parse: (value: string | number, field: string) => number,
): number {
  if (text !== undefined && text !== "") return parse(text, textField);
  return num ? parse(num, numField) : 0;
}

/**
 * A task's demand: its request, else its limit, else 0, reading both KFP's string
 * fields (`resourceCpuLimit`) and the older numeric ones (`cpuLimit`).
 */
export function demandOf(res: Resources | undefined): ResourceDemand {
  if (!res) return { cpus: 0, memoryBytes: 0, gpus: 0 };
  const cpuStr = res.resourceCpuRequest ?? res.resourceCpuLimit;
  const cpuNum = res.cpuRequest ?? res.cpuLimit;
  const memStr = res.resourceMemoryRequest ?? res.resourceMemoryLimit;
  const memNum = res.memoryRequest ?? res.memoryLimit;
  const cpus = quantity(cpuStr, "resourceCpuRequest", cpuNum, "cpuLimit", parseCpu);
  const memoryBytes = quantity(memStr, "resourceMemoryRequest", memNum, "memoryLimit", parseMemory);
  const acc = res.accelerator;
  const countRaw = acc?.resourceCount ?? acc?.count;
  const gpus = countRaw === undefined || countRaw === "" ? 0 : Number(countRaw);
  if (!Number.isFinite(gpus) || gpus < 0) {
    throw new EngineError("PLAN_INVALID", `accelerator count '${String(countRaw)}' is not a number of devices`);
  }
  return { cpus, memoryBytes, gpus };
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

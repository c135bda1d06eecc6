/**
 * Machine capacity detection and KFP resource strings ("500m", "2", "1G", "4Gi").
 */
import { execFileSync } from "node:child_process";
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

/**
 * Checks of a container's resources (`deploymentSpec.executors.<e>.container.resources`).
 * KFP lets a pipeline parameter or an upstream output set a task's CPU, memory and
 * accelerator (`task.set_cpu_limit(param)`): the field then holds one input placeholder,
 * `{{$.inputs.parameters['pipelinechannel--x']}}`, resolved from the task's inputs at run
 * time, and the compiler adds the task inputs it reads without the component declaring
 * them (`pipelinechannel--x`, and `cpu_limit`, `memory_request`, ... holding the same
 * placeholder). Any other value must be a quantity of the field's kind.
 */
import type { IrIssue } from "./errors.ts";
import { keyPath } from "./names.ts";
import type { ComponentSpec, PipelineSpec, Resources } from "./spec.ts";
import { parseCpuCores, parseMemoryBytes } from "./units.ts";

const INPUT_PLACEHOLDER = /^\s*\{\{\$\.inputs\.parameters\['([^']+)'\]\}\}\s*$/;

/**
 * The input a resource field reads, or undefined for a constant: the field must be one
 * whole placeholder, as KFP's backend requires.
 *
 * @example resourceInput("{{$.inputs.parameters['pipelinechannel--cpu']}}") // "pipelinechannel--cpu"
 */
export function resourceInput(text: string): string | undefined {
  return INPUT_PLACEHOLDER.exec(text)?.[1];
}

/** A string resource field: its path under `resources`, its value, and KFP's name for the task input it injects. */
interface Field {
  path: string;
  text: string | undefined;
  injected: string;
  kind: "cpu" | "memory" | "count" | "type";
}

function fieldsOf(r: Resources): Field[] {
  return [
    { path: "resourceCpuRequest", text: r.resourceCpuRequest, injected: "cpu_request", kind: "cpu" },
    { path: "resourceCpuLimit", text: r.resourceCpuLimit, injected: "cpu_limit", kind: "cpu" },
    { path: "resourceMemoryRequest", text: r.resourceMemoryRequest, injected: "memory_request", kind: "memory" },
    { path: "resourceMemoryLimit", text: r.resourceMemoryLimit, injected: "memory_limit", kind: "memory" },
    { path: "accelerator.resourceType", text: r.accelerator?.resourceType, injected: "accelerator_type", kind: "type" },
    {
      path: "accelerator.resourceCount",
      text: r.accelerator?.resourceCount,
      injected: "accelerator_count",
      kind: "count",
    },
  ];
}

const KIND: Record<Field["kind"], { ok: (t: string) => boolean; what: string }> = {
  cpu: { ok: (t) => parseCpuCores(t) !== undefined, what: 'a CPU quantity such as "500m" or "2"' },
  memory: { ok: (t) => parseMemoryBytes(t) !== undefined, what: 'a memory quantity such as "512Mi" or "4G"' },
  count: { ok: (t) => /^\s*[0-9]+\s*$/.test(t), what: 'a whole number of devices such as "1"' },
  type: { ok: () => true, what: "an accelerator type" },
};

/** Every executor's constant resource values are quantities; placeholders are one whole input placeholder. */
export function checkResources(spec: PipelineSpec, issues: IrIssue[]): void {
  for (const [name, exec] of Object.entries(spec.deploymentSpec?.executors ?? {})) {
    const r = exec.container?.resources;
    if (!r) continue;
    const base = `${keyPath("deploymentSpec.executors", name)}.container.resources`;
    for (const f of fieldsOf(r)) {
      if (f.text === undefined || f.text === "" || resourceInput(f.text) !== undefined) continue;
      const kind = KIND[f.kind];
      if (kind.ok(f.text)) continue;
      issues.push({
        path: `${base}.${f.path}`,
        message: f.text.includes("{{")
          ? `'${f.text}' is not one input placeholder; write the whole value as {{$.inputs.parameters['name']}} or as ${kind.what}`
          : `'${f.text}' is not ${kind.what}; write one, or the placeholder {{$.inputs.parameters['name']}} to set it from a task input`,
      });
    }
    for (const key of ["cpuLimit", "cpuRequest", "memoryLimit", "memoryRequest"] as const) {
      const v = r[key];
      if (v !== undefined && !(v >= 0)) {
        issues.push({ path: `${base}.${key}`, message: `is ${v}; a resource amount must be 0 or more` });
      }
    }
  }
}

/**
 * The task inputs a component's resources read: `reads` maps each input a placeholder
 * names to the fields that read it; `injected` holds KFP's names of the inputs its
 * compiler adds beside them (`cpu_limit` for a placeholder `resourceCpuLimit`), which the
 * component does not declare either.
 */
export function resourceInputs(
  spec: PipelineSpec,
  component: ComponentSpec | undefined,
): { reads: Map<string, string[]>; injected: Set<string> } {
  const reads = new Map<string, string[]>();
  const injected = new Set<string>();
  const label = component?.executorLabel;
  const r = label === undefined ? undefined : spec.deploymentSpec?.executors?.[label]?.container?.resources;
  if (!r) return { reads, injected };
  for (const f of fieldsOf(r)) {
    const input = f.text === undefined ? undefined : resourceInput(f.text);
    if (input === undefined) continue;
    reads.set(input, [...(reads.get(input) ?? []), f.path]);
    injected.add(f.injected);
  }
  return { reads, injected };
}

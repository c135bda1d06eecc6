/**
 * Executor specs: the container of a function or container component (with resources and
 * env as the current KFP compiler writes them) and the importer spec.
 */
import type { ContainerSpec, ExecutorSpec, JsonValue, Resources } from "../ir/index.ts";
import {
  type ContainerImpl,
  type FunctionImpl,
  type ImporterImpl,
  placeholderToString,
  type TaskBase,
} from "../sdk/index.ts";

const MEMORY_UNITS: Record<string, number> = {
  E: 1e18,
  P: 1e15,
  T: 1e12,
  G: 1e9,
  M: 1e6,
  K: 1e3,
  Ei: 2 ** 60,
  Pi: 2 ** 50,
  Ti: 2 ** 40,
  Gi: 2 ** 30,
  Mi: 2 ** 20,
  Ki: 2 ** 10,
};

/** KFP's `_memory_to_GB`. */
export function memoryToGB(memory: string): number {
  const m = /^([0-9]*\.?[0-9]+)([A-Za-z]*)$/.exec(memory);
  const n = Number(m?.[1] ?? memory);
  const unit = m?.[2] ?? "";
  return (n * (MEMORY_UNITS[unit] ?? 1)) / 1e9;
}

/** KFP's `_cpu_to_float`. */
export function cpuToFloat(cpu: string): number {
  return cpu.endsWith("m") ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
}

/** The container `resources` of a task, in both KFP's older and newer fields. */
export function resourcesFor(task: TaskBase): Resources | undefined {
  const r = task.resources;
  const out: Resources = {};
  if (r.cpuLimit !== undefined) {
    out.cpuLimit = cpuToFloat(r.cpuLimit);
    out.resourceCpuLimit = r.cpuLimit;
  }
  if (r.cpuRequest !== undefined) {
    out.cpuRequest = cpuToFloat(r.cpuRequest);
    out.resourceCpuRequest = r.cpuRequest;
  }
  if (r.memoryLimit !== undefined) {
    out.memoryLimit = memoryToGB(r.memoryLimit);
    out.resourceMemoryLimit = r.memoryLimit;
  }
  if (r.memoryRequest !== undefined) {
    out.memoryRequest = memoryToGB(r.memoryRequest);
    out.resourceMemoryRequest = r.memoryRequest;
  }
  if (r.acceleratorType !== undefined) {
    const count = String(r.acceleratorCount ?? 1);
    out.accelerator = { count, resourceCount: count, resourceType: r.acceleratorType, type: r.acceleratorType };
  }
  return Object.keys(out).length ? out : undefined;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

/** The `sh -ec` script that writes the bundle to disk and runs it with node. */
export function launcherScript(packages: readonly string[]): string {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
  const lines = ['program_path="${WEFT_PROGRAM_DIR:-$(mktemp -d)}"', 'mkdir -p "$program_path"'];
  if (packages.length > 0) {
    lines.push(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
      'if [ "${WEFT_SKIP_PACKAGE_INSTALL:-}" != "1" ]; then',
      `  npm install --prefix "$program_path" --no-save --no-audit --no-fund ${packages.map(shellQuote).join(" ")}`,
      "fi",
    );
  }
  lines.push('printf "%s" "$0" > "$program_path/ephemeral_component.mjs"');
  lines.push('exec node "$program_path/ephemeral_component.mjs" "$@"');
  return `${lines.join("\n")}\n`;
}

function withTaskSettings(container: ContainerSpec, task: TaskBase): ExecutorSpec {
  if (task.env.length) container.env = task.env.map((e) => ({ ...e }));
  const resources = resourcesFor(task);
  if (resources) container.resources = resources;
  return { container };
}

/** The executor of a TypeScript function component task. */
export function functionExecutor(task: TaskBase, impl: FunctionImpl, bundle: string): ExecutorSpec {
  return withTaskSettings(
    {
      image: impl.image,
      command: ["sh", "-ec", launcherScript(impl.packages), bundle],
      args: ["--executor_input", "{{$}}", "--function_to_execute", task.component.name],
    },
    task,
  );
}

/** The executor of a container component task. */
export function containerExecutor(task: TaskBase, impl: ContainerImpl): ExecutorSpec {
  const container: ContainerSpec = { image: impl.image };
  if (impl.command.length) container.command = impl.command.map(placeholderToString);
  if (impl.args.length) container.args = impl.args.map(placeholderToString);
  return withTaskSettings(container, task);
}

/** The executor of a loaded component: its container with the task's env and resources merged in. */
export function loadedExecutor(task: TaskBase, executor: ExecutorSpec): ExecutorSpec {
  const copy = structuredClone(executor);
  if (copy.container) {
    if (task.env.length) copy.container.env = [...(copy.container.env ?? []), ...task.env.map((e) => ({ ...e }))];
    const resources = resourcesFor(task);
    if (resources) copy.container.resources = { ...(copy.container.resources ?? {}), ...resources };
  }
  return copy;
}

/** The executor of an importer task. */
export function importerExecutor(task: TaskBase, impl: ImporterImpl): ExecutorSpec {
  const uri = task.args.uri;
  const artifactUri = typeof uri === "string" ? { constant: uri } : { runtimeParameter: "uri" };
  return {
    importer: {
      artifactUri,
      typeSchema: { schemaTitle: impl.schemaTitle, schemaVersion: impl.schemaVersion },
      ...(impl.reimport ? { reimport: true } : {}),
      ...(impl.metadata ? { metadata: structuredClone(impl.metadata) as Record<string, JsonValue> } : {}),
    },
  };
}

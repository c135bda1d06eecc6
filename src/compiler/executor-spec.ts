/**
 * Executor specs: the container of a function or container component (with resources and
 * env as the current KFP compiler writes them) and the importer spec.
 */
import {
  type ContainerSpec,
  type ExecutorSpec,
  type JsonValue,
  parseCpuCores,
  parseMemoryBytes,
  type Resources,
} from "../ir/index.ts";
import {
  type ContainerImpl,
  type FunctionImpl,
  type ImporterImpl,
  placeholderToString,
  type TaskBase,
} from "../sdk/index.ts";

/** KFP's `_memory_to_GB`: a memory quantity in (decimal) gigabytes. */
export function memoryToGB(memory: string): number {
  return (parseMemoryBytes(memory) ?? Number.NaN) / 1e9;
}

/** KFP's `_cpu_to_float`: a CPU quantity in cores. */
export function cpuToFloat(cpu: string): number {
  return parseCpuCores(cpu) ?? Number.NaN;
}

/** The container `resources` of a task, in both KFP's older and newer fields. */
export function resourcesFor(task: TaskBase): Resources | undefined {
  const r = task.resources;
  const out: Resources = {};
  const fields = [
    ["cpuLimit", "resourceCpuLimit", cpuToFloat],
    ["cpuRequest", "resourceCpuRequest", cpuToFloat],
    ["memoryLimit", "resourceMemoryLimit", memoryToGB],
    ["memoryRequest", "resourceMemoryRequest", memoryToGB],
  ] as const;
  for (const [key, text, toNumber] of fields) {
    const value = r[key];
    if (value === undefined) continue;
    out[key] = toNumber(value);
    out[text] = value;
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
  // the bundle carries a source map of the project's sources: stack traces name its .ts lines
  lines.push('exec node --enable-source-maps "$program_path/ephemeral_component.mjs" "$@"');
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

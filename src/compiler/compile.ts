/**
 * The compiler: a recorded SDK pipeline graph to KFP IR, lowered as the KFP Python
 * compiler lowers it (`build_spec_by_group`). Pure: the same pipeline always gives the
 * same IR, and the same YAML byte for byte.
 */
import type { ComponentSpec, ExecutorSpec, PipelinePackage, PipelineSpec, PipelineTaskSpec } from "../ir/index.ts";
import { runMetricsPlatform, serializePipeline } from "../ir/index.ts";
import {
  type AnyChannel,
  ArtifactChannel,
  type GroupNode,
  type IODecls,
  isPipeline,
  ParamChannel,
  type Pipeline,
  type PipelineReturn,
  type TaskBase,
  uniqueName,
} from "../sdk/index.ts";
import { type Analysis, analyze, isWithItems } from "./analyze.ts";
import { type BundleCache, bundleComponent, bundleReference, weftVersion } from "./bundle.ts";
import { CompilerError } from "./errors.ts";
import { containerExecutor, functionExecutor, importerExecutor, loadedExecutor } from "./executor-spec.ts";
import { applyCondition, applyGroupOutputs, applyLoop } from "./groups.ts";
import { mergeSubPipeline, type SpecTables, type SubPipeline } from "./merge.ts";
import {
  componentSpecFor,
  groupInputDefinitions,
  inputDefinitions,
  refFullName,
  refOf,
  taskSpecForGroup,
  taskSpecForTask,
} from "./task-spec.ts";

/** Options of {@link compilePipeline}. */
export interface CompileOptions {
  /** Bundles reused across compiles (by source file and component); a fresh cache by default. */
  bundles?: BundleCache;
  /** Overrides `sdkVersion` (default `weft-<package version>`). */
  sdkVersion?: string;
  /**
   * `false` leaves function components unbundled: the task command carries a one-line
   * reference to the component's module instead of its code. For reading and diffing IR
   * (golden files); such a pipeline cannot run.
   */
  bundle?: boolean;
}

/** Any pipeline made by `pipeline()`. */
export type AnyPipeline = Pipeline<IODecls, PipelineReturn>;

type Obj = Record<string, unknown>;

function componentOfTask(task: TaskBase, tables: SpecTables, bundles: BundleCache | false): ComponentSpec {
  const def = task.component;
  const impl = def.impl;
  const withExecutor = (spec: ComponentSpec, executor: ExecutorSpec): ComponentSpec => {
    const label = uniqueName(`exec-${task.name}`, tables.executors);
    tables.executors.set(label, executor);
    return { ...spec, executorLabel: label };
  };
  switch (impl.kind) {
    case "function":
      return withExecutor(
        componentSpecFor(def.inputs, def.outputs),
        functionExecutor(
          task,
          impl,
          bundles === false ? bundleReference(task, impl.sourceFile) : bundleComponent(task, impl.sourceFile, bundles),
        ),
      );
    case "container":
      return withExecutor(componentSpecFor(def.inputs, def.outputs), containerExecutor(task, impl));
    case "importer":
      return withExecutor(componentSpecFor(def.inputs, def.outputs), importerExecutor(task, impl));
    case "graph": {
      if (!isPipeline(impl.pipeline))
        throw new CompilerError("COMPILE_UNSUPPORTED", `task "${task.name}": not a pipeline`);
      return mergeSubPipeline(tables, compileGraph(impl.pipeline, bundles));
    }
    case "loaded": {
      const spec = impl.spec as Obj;
      const root = structuredClone(spec.root) as ComponentSpec;
      const executors = ((spec.deploymentSpec as Obj | undefined)?.executors ?? {}) as Record<string, ExecutorSpec>;
      if (root.dag) {
        return mergeSubPipeline(tables, {
          root,
          components: spec.components as Record<string, ComponentSpec> | undefined,
          executors,
        });
      }
      const executor = executors[root.executorLabel ?? ""];
      if (!executor) {
        throw new CompilerError(
          "COMPILE_UNSUPPORTED",
          `${impl.source}: deploymentSpec.executors has no executor "${root.executorLabel}" for the root component`,
        );
      }
      const { executorLabel: _, ...iface } = root;
      return withExecutor(iface, loadedExecutor(task, executor));
    }
  }
}

function groupChannels(a: Analysis, group: GroupNode): AnyChannel[] {
  const channels = [...(a.inputs.get(group)?.values() ?? [])];
  if (group.kind === "for-loop") {
    const kept = channels.filter((c) => {
      if (!isWithItems(c)) return true;
      for (let g: GroupNode | undefined = group; g; g = g.parent) {
        if (g.kind === "for-loop" && g.loopItem && g.loopItem.name.includes(c.name)) return true;
      }
      return false;
    });
    const item = group.loopItem;
    if (group.itemsIsChannel && item && "items" in item && item.items) kept.push(item.items);
    if (item) kept.push(item);
    return kept;
  }
  if (group.kind === "condition") {
    for (const cond of group.conditions) {
      for (const op of [cond.left, cond.right]) if (op instanceof ParamChannel) channels.push(op);
    }
  }
  return channels;
}

function dedupe(a: Analysis, channels: AnyChannel[]): AnyChannel[] {
  const seen = new Map<string, AnyChannel>();
  for (const c of channels) {
    const key = refFullName(refOf(a, c));
    if (!seen.has(key)) seen.set(key, c);
  }
  return [...seen.values()];
}

function setDependencies(a: Analysis, node: TaskBase | GroupNode, spec: PipelineTaskSpec): void {
  const deps = a.dependencies.get(node);
  if (deps?.size) spec.dependentTasks = [...deps].map((d) => d.name).sort();
}

function addExitTasks(
  a: Analysis,
  tables: SpecTables,
  specs: Map<GroupNode, ComponentSpec>,
  bundles: BundleCache | false,
): void {
  for (const group of a.allGroups) {
    const task = group.exitTask;
    if (group.kind !== "exit-handler" || !task) continue;
    const home = specs.get(task.parent);
    if (!home?.dag) continue;
    const dagTasks = new Set(Object.keys(home.dag.tasks ?? {}));
    const spec = taskSpecForTask(a, task, dagTasks, home.inputDefinitions);
    spec.dependentTasks = [group.name];
    spec.triggerPolicy = { strategy: "ALL_UPSTREAM_TASKS_COMPLETED" };
    for (const [name, decl] of Object.entries(task.component.inputs)) {
      if (decl.kind === "parameter" && decl.type === "TASK_FINAL_STATUS") {
        spec.inputs = spec.inputs ?? {};
        spec.inputs.parameters = {
          ...(spec.inputs.parameters ?? {}),
          [name]: { taskFinalStatus: { producerTask: group.name } },
        };
      }
    }
    const comp = componentOfTask(task, tables, bundles);
    const compName = uniqueName(`comp-${task.name}`, tables.components);
    tables.components.set(compName, comp);
    spec.componentRef = { name: compName };
    home.dag.tasks = { ...(home.dag.tasks ?? {}), [task.name]: spec };
  }
}

function rootOutputs(a: Analysis, root: ComponentSpec): void {
  if (a.pipelineOutputs.size === 0) return;
  const params: Obj = {};
  const artifacts: Obj = {};
  const defParams: Obj = {};
  const defArtifacts: Obj = {};
  for (const [key, { channel, ref }] of a.pipelineOutputs) {
    const producer = ref.producer;
    if (!producer || !root.dag?.tasks?.[producer.name]) {
      throw new CompilerError(
        "COMPILE_INVALID_TOPOLOGY",
        `pipeline output "${key}" comes from task "${producer?.name}" inside a when()/parallelFor() block; return collected(...) or oneOf(...) of it instead`,
      );
    }
    const list = channel instanceof ArtifactChannel ? channel.isArtifactList : false;
    if (channel instanceof ArtifactChannel) {
      artifacts[key] = { artifactSelectors: [{ producerSubtask: producer.name, outputArtifactKey: ref.name }] };
      defArtifacts[key] = {
        artifactType: { schemaTitle: channel.schemaTitle, schemaVersion: channel.schemaVersion },
        ...(list ? { isArtifactList: true } : {}),
      };
    } else {
      params[key] = { valueFromParameter: { producerSubtask: producer.name, outputParameterKey: ref.name } };
      defParams[key] = { parameterType: channel.paramType };
    }
  }
  root.dag = {
    ...(root.dag ?? {}),
    outputs: {
      ...(Object.keys(params).length ? { parameters: params } : {}),
      ...(Object.keys(artifacts).length ? { artifacts } : {}),
    } as NonNullable<ComponentSpec["dag"]>["outputs"],
  };
  root.outputDefinitions = {
    ...(Object.keys(defParams).length ? { parameters: defParams } : {}),
    ...(Object.keys(defArtifacts).length ? { artifacts: defArtifacts } : {}),
  } as ComponentSpec["outputDefinitions"];
}

/** Compiles a pipeline's graph to its root component and the components and executors it uses. */
export function compileGraph(
  def: AnyPipeline,
  bundles: BundleCache | false,
): SubPipeline & { root: ComponentSpec; runMetricsTasks: string[] } {
  const built = def.build();
  const root = built.ctx.root;
  const a = analyze(root, built.outputs);
  const tables: SpecTables = { components: new Map(), executors: new Map() };
  const rootSpec: ComponentSpec = { dag: { tasks: {} } };
  const rootInputs = inputDefinitions(def.inputs);
  if (rootInputs) rootSpec.inputDefinitions = rootInputs;
  const specs = new Map<GroupNode, ComponentSpec>([[root, rootSpec]]);
  const runMetricsTasks: string[] = [];
  for (const group of a.allGroups) {
    for (const t of group.tasks) if (t.runMetrics) runMetricsTasks.push(t.name);
    const groupSpec = specs.get(group) as ComponentSpec;
    const dagTasks = new Set([...group.groups.map((g) => g.name), ...group.tasks.map((t) => t.name)]);
    const tasks: Record<string, PipelineTaskSpec> = {};
    for (const sub of [...group.groups, ...group.tasks]) {
      let spec: PipelineTaskSpec;
      let comp: ComponentSpec;
      if ("component" in sub) {
        spec = taskSpecForTask(a, sub, dagTasks, groupSpec.inputDefinitions);
        comp = componentOfTask(sub, tables, bundles);
      } else {
        const channels = dedupe(a, groupChannels(a, sub));
        comp = { dag: { tasks: {} } };
        const defs = groupInputDefinitions(a, channels);
        if (defs) comp.inputDefinitions = defs;
        specs.set(sub, comp);
        spec = taskSpecForGroup(a, sub.name, channels, dagTasks, group === root);
        if (sub.displayName !== undefined) spec.taskInfo = { name: sub.displayName };
        if (sub.kind === "for-loop") applyLoop(sub, spec);
        else if (sub.kind === "condition") applyCondition(sub, spec);
        applyGroupOutputs(comp, a.outputs.get(sub));
      }
      setDependencies(a, sub, spec);
      const compName = uniqueName(`comp-${sub.name}`, tables.components);
      spec.componentRef = { name: compName };
      tables.components.set(compName, comp);
      tasks[sub.name] = spec;
    }
    groupSpec.dag = { ...(groupSpec.dag ?? {}), tasks };
  }
  addExitTasks(a, tables, specs, bundles);
  rootOutputs(a, rootSpec);
  return {
    root: rootSpec,
    components: Object.fromEntries(tables.components),
    executors: Object.fromEntries(tables.executors),
    runMetricsTasks,
  };
}

/**
 * Compiles a pipeline to a KFP pipeline package.
 *
 * @example
 * const pkg = compilePipeline(fraudDetection);
 * writeFileSync("pipeline.yaml", serializePipeline(pkg));
 * @throws CompilerError for wiring KFP cannot express, or a component that cannot be bundled.
 */
export function compilePipeline(def: AnyPipeline, options: CompileOptions = {}): PipelinePackage {
  if (!isPipeline(def)) {
    throw new CompilerError(
      "COMPILE_NO_PIPELINE",
      "compilePipeline: expected a pipeline made by pipeline({ name }, body)",
    );
  }
  const graph = compileGraph(def, options.bundle === false ? false : (options.bundles ?? new Map()));
  const pipelineSpec: PipelineSpec = {
    pipelineInfo: {
      name: def.name,
      ...(def.description ? { description: def.description } : {}),
      ...(def.displayName ? { displayName: def.displayName } : {}),
    },
    root: graph.root,
    schemaVersion: "2.1.0",
    sdkVersion: options.sdkVersion ?? `weft-${weftVersion()}`,
  };
  if (graph.components && Object.keys(graph.components).length) pipelineSpec.components = graph.components;
  if (graph.executors && Object.keys(graph.executors).length)
    pipelineSpec.deploymentSpec = { executors: graph.executors };
  if (graph.runMetricsTasks.length === 0) return { pipelineSpec };
  // Weft's own platform config, which KFP reads past: the tasks whose metrics are the run's
  return { pipelineSpec, platformSpec: runMetricsPlatform(graph.runMetricsTasks) };
}

/** Compiles a pipeline to KFP YAML (deterministic: sorted keys, KFP's header comment). */
export function compileToYaml(def: AnyPipeline, options: CompileOptions = {}): string {
  return serializePipeline(compilePipeline(def, options));
}

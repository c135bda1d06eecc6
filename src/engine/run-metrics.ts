/**
 * Run-level metrics: which numbers describe a run as a whole, under which names. One rule,
 * decided from the pipeline before anything runs, so that two runs of the same pipeline
 * always name (and so show, sort and filter by) the same metrics:
 *
 * 1. the pipeline's declared outputs: each numeric output parameter under its output name,
 *    and each key of a `system.Metrics` output artifact under its key (under
 *    `output.key` when the pipeline declares several Metrics outputs);
 * 2. otherwise the tasks the pipeline marks (`task.setRunMetrics()`, stored in the
 *    `weft` platform's config: `platforms.weft.config.runMetricsTasks`): each key of their
 *    Metrics artifacts and each numeric output parameter, unqualified;
 * 3. otherwise every metric a task logs, qualified by the task (`evaluate.f1`), a loop
 *    iteration's by its label (`evaluate[mlp].f1`, `src/ir/labels.ts`), or by its index
 *    (`evaluate[0].f1`) where the iteration has none.
 *
 * The engine writes them as `run_metrics` rows in the transaction that records the task's
 * outputs.
 */
import { type JsonValue, type PipelineSpec, type PlatformSpec, runMetricsTasks } from "../ir/index.ts";

/** Where a run's metrics come from. */
export interface RunMetricPlan {
  source: "outputs" | "marked" | "tasks";
  /** `outputs`: by task path, the output parameters (name → run metric) and Metrics artifacts (name → prefix). */
  producers: Map<string, { parameters: Map<string, string>; artifacts: Map<string, string> }>;
  /** `marked`: the marked task names. */
  marked: ReadonlySet<string>;
}

const NUMERIC = new Set(["NUMBER_DOUBLE", "NUMBER_INTEGER"]);
const METRICS = "system.Metrics";

type Producer = { path: string; key: string };

/** Follows a DAG output down to the task that produces it (through nested DAGs, not into loops). */
function producerOf(
  spec: PipelineSpec,
  dag: NonNullable<PipelineSpec["root"]["dag"]>,
  scope: string,
  selector: { producerSubtask: string; key: string },
  kind: "parameters" | "artifacts",
  depth = 0,
): Producer | undefined {
  const task = dag.tasks?.[selector.producerSubtask];
  if (!task || depth > 64) return undefined;
  const path = `${scope}/${selector.producerSubtask}`;
  const inner = spec.components?.[task.componentRef.name]?.dag;
  if (!inner) return { path, key: selector.key };
  // a loop's outputs gather every iteration: no one task holds them
  if (task.parameterIterator || task.artifactIterator) return undefined;
  const next = innerSelector(inner, selector.key, kind);
  return next ? producerOf(spec, inner, path, next, kind, depth + 1) : undefined;
}

function innerSelector(
  dag: NonNullable<PipelineSpec["root"]["dag"]>,
  key: string,
  kind: "parameters" | "artifacts",
): { producerSubtask: string; key: string } | undefined {
  const outputs = dag.outputs as Record<string, Record<string, Record<string, unknown>>> | undefined;
  const out = outputs?.[kind]?.[key];
  if (!out) return undefined;
  if (kind === "parameters") {
    const v = out.valueFromParameter as { producerSubtask?: string; outputParameterKey?: string } | undefined;
    return v?.producerSubtask && v.outputParameterKey
      ? { producerSubtask: v.producerSubtask, key: v.outputParameterKey }
      : undefined;
  }
  const selectors = out.artifactSelectors as
    | Array<{ producerSubtask?: string; outputArtifactKey?: string }>
    | undefined;
  const s = selectors?.length === 1 ? selectors[0] : undefined;
  return s?.producerSubtask && s.outputArtifactKey
    ? { producerSubtask: s.producerSubtask, key: s.outputArtifactKey }
    : undefined;
}

/** The plan of a pipeline (and its platform spec). */
export function runMetricPlan(spec: PipelineSpec, platformSpec?: PlatformSpec): RunMetricPlan {
  const producers: RunMetricPlan["producers"] = new Map();
  const at = (path: string) => {
    let p = producers.get(path);
    if (!p) {
      p = { parameters: new Map(), artifacts: new Map() };
      producers.set(path, p);
    }
    return p;
  };
  const defs = spec.root.outputDefinitions;
  const dag = spec.root.dag;
  if (dag && defs) {
    for (const [name, d] of Object.entries(defs.parameters ?? {})) {
      if (!NUMERIC.has(String(d.parameterType))) continue;
      const sel = innerSelector(dag, name, "parameters");
      const prod = sel ? producerOf(spec, dag, "root", sel, "parameters") : undefined;
      if (prod) at(prod.path).parameters.set(prod.key, name);
    }
    const metricsOutputs = Object.entries(defs.artifacts ?? {}).filter(
      ([, d]) => d.artifactType?.schemaTitle === METRICS && !d.isArtifactList,
    );
    for (const [name] of metricsOutputs) {
      const sel = innerSelector(dag, name, "artifacts");
      const prod = sel ? producerOf(spec, dag, "root", sel, "artifacts") : undefined;
      if (prod) at(prod.path).artifacts.set(prod.key, metricsOutputs.length > 1 ? `${name}.` : "");
    }
  }
  if (producers.size > 0) return { source: "outputs", producers, marked: new Set() };
  const marked = new Set(runMetricsTasks(platformSpec));
  return { source: marked.size > 0 ? "marked" : "tasks", producers, marked };
}

/** What a task recorded: its output parameters and its Metrics artifacts' numbers. */
export interface TaskMetricsInput {
  /** The task's path (`root/for-loop-2/iteration-0/evaluate`). */
  path: string;
  parameters: Record<string, JsonValue>;
  /** Numeric metadata of each Metrics output artifact, by output name. */
  metrics: Array<{ output: string; values: Record<string, number> }>;
  /** Numeric output parameters' names (from the component's output definitions). */
  numericParameters: ReadonlySet<string>;
  /** Labels of the task's enclosing iterations, by iteration path (`labelsByPath`). */
  labels?: ReadonlyMap<string, string>;
}

/**
 * The task's name qualified by its loop iterations, each by its label where `labels` has
 * one, else by its index: `root/for-loop-2/iteration-0/evaluate` → `evaluate[mlp]` or `evaluate[0]`.
 */
export function qualifiedTaskName(path: string, labels: ReadonlyMap<string, string> = new Map()): string {
  const parts = path.split("/");
  const name = parts.at(-1) ?? path;
  const iterations = parts.flatMap((p, i) => {
    const m = /^iteration-(\d+)$/.exec(p);
    return m ? [labels.get(parts.slice(0, i + 1).join("/")) ?? m[1]] : [];
  });
  return `${name}${iterations.map((i) => `[${i}]`).join("")}`;
}

/** The iteration paths enclosing a task (`root/for-loop-2/iteration-0` for `root/for-loop-2/iteration-0/evaluate`). */
export function enclosingIterations(path: string): string[] {
  const parts = path.split("/");
  return parts.flatMap((p, i) =>
    /^iteration-\d+$/.test(p) && i < parts.length - 1 ? [parts.slice(0, i + 1).join("/")] : [],
  );
}

/** The run metrics one task contributes, by the plan. */
export function taskRunMetrics(plan: RunMetricPlan, t: TaskMetricsInput): Array<{ name: string; value: number }> {
  const out: Array<{ name: string; value: number }> = [];
  const push = (name: string, v: unknown) => {
    if (typeof v === "number" && Number.isFinite(v)) out.push({ name, value: v });
  };
  if (plan.source === "outputs") {
    const p = plan.producers.get(t.path);
    if (!p) return out;
    for (const [key, name] of p.parameters) push(name, t.parameters[key]);
    for (const m of t.metrics) {
      const prefix = p.artifacts.get(m.output);
      if (prefix === undefined) continue;
      for (const [k, v] of Object.entries(m.values)) push(`${prefix}${k}`, v);
    }
    return out;
  }
  const name = t.path.split("/").at(-1) ?? t.path;
  if (plan.source === "marked") {
    if (!plan.marked.has(name)) return out;
    for (const m of t.metrics) for (const [k, v] of Object.entries(m.values)) push(k, v);
    for (const k of t.numericParameters) if (!out.some((o) => o.name === k)) push(k, t.parameters[k]);
    return out;
  }
  const q = qualifiedTaskName(t.path, t.labels);
  for (const m of t.metrics) for (const [k, v] of Object.entries(m.values)) push(`${q}.${k}`, v);
  return out;
}

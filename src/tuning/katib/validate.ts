/**
 * Checks of an experiment's parts that Katib YAML and the TypeScript space share, so both
 * give the same errors: the search space (bounds, steps, lists, distributions, conditions)
 * and the objective (metric names, strategies, the rule choosing the best). Each failure
 * goes through `fail(field, message)`, which names the field the way its source spells it.
 */

import { ALGORITHM_NAMES, type ObjectiveSpec, type ParameterSpec } from "../types.ts";

/** Throws a TuningError naming `field` (a YAML path or a `tune()` option) and saying what to do. */
export type Fail = (field: string, message: string) => never;

/** How a parameter's fields are named in messages. */
export interface ParameterPaths {
  /** The parameter itself (`spec.parameters[1]`, `space.lr`). */
  param(i: number): string;
  /** One of its fields: min, max, step, list, distribution, name, when. */
  field(i: number, field: "min" | "max" | "step" | "list" | "distribution" | "name" | "when"): string;
}

const NAME_PATTERN = /^[^\s{}$]+$/;

function fmt(v: unknown): string {
  return typeof v === "string" ? `"${v}"` : String(v);
}

/**
 * Checks a parameter list and returns it normalised (discrete values sorted ascending).
 * `fixedAllowed` names parameters whose min may equal max: the resource parameter of
 * hyperband and asha (`resource_name`), whose range the algorithm sets (Katib's own
 * hyperband example declares it with min = max).
 */
export function validateParameters(
  params: readonly ParameterSpec[],
  paths: ParameterPaths,
  fail: Fail,
  fixedAllowed: ReadonlySet<string> = new Set(),
): ParameterSpec[] {
  if (params.length === 0)
    fail(paths.param(0).replace(/\[0\]$|\.0$/, ""), "the search space has no parameters. Declare at least one.");
  const seen = new Map<string, number>();
  const out: ParameterSpec[] = [];
  params.forEach((p, i) => {
    if (!NAME_PATTERN.test(p.name))
      fail(paths.field(i, "name"), `${fmt(p.name)} is not a usable name. Use a name without spaces, "{", "}" or "$".`);
    const dup = seen.get(p.name);
    if (dup !== undefined)
      fail(
        paths.field(i, "name"),
        `"${p.name}" is declared twice (also at ${paths.param(dup)}). Give each parameter its own name.`,
      );
    seen.set(p.name, i);
    const log = p.distribution === "logUniform" || p.distribution === "logNormal";
    let values = p.values;
    if (p.type === "double" || p.type === "int") {
      if (p.values !== undefined)
        fail(
          paths.field(i, "list"),
          `a ${p.type} parameter takes min and max, not a list. Remove the list, or make it discrete or categorical.`,
        );
      const { min, max, step } = p;
      if (min === undefined || !Number.isFinite(min))
        fail(paths.field(i, "min"), `a ${p.type} parameter needs a finite min. Set it.`);
      if (max === undefined || !Number.isFinite(max))
        fail(paths.field(i, "max"), `a ${p.type} parameter needs a finite max. Set it.`);
      if (p.type === "int" && !Number.isInteger(min))
        fail(paths.field(i, "min"), `${min} is not an integer. An int parameter's bounds are integers.`);
      if (p.type === "int" && !Number.isInteger(max))
        fail(paths.field(i, "max"), `${max} is not an integer. An int parameter's bounds are integers.`);
      if (!(min < max) && !(min === max && fixedAllowed.has(p.name)))
        fail(paths.field(i, "max"), `max ${max} is not greater than min ${min}. Make max greater than min.`);
      if (step !== undefined) {
        if (!Number.isFinite(step) || step <= 0)
          fail(paths.field(i, "step"), `${step} is not a positive number. Give a step > 0.`);
        if (p.type === "int" && !Number.isInteger(step))
          fail(paths.field(i, "step"), `${step} is not an integer. An int parameter's step is an integer.`);
        if (step > max - min && max > min)
          fail(paths.field(i, "step"), `step ${step} is larger than max - min (${max - min}). Give a smaller step.`);
      }
      if (log && min <= 0)
        fail(
          paths.field(i, "min"),
          `${p.distribution} needs min > 0, got ${min}. Raise min, or use the ${p.distribution === "logUniform" ? "uniform" : "normal"} distribution.`,
        );
    } else {
      if (p.min !== undefined || p.max !== undefined || p.step !== undefined)
        fail(
          paths.field(i, p.min !== undefined ? "min" : p.max !== undefined ? "max" : "step"),
          `a ${p.type} parameter takes a list, not min, max or step. Remove them, or make it double or int.`,
        );
      if (!values || values.length === 0)
        fail(paths.field(i, "list"), `a ${p.type} parameter needs a non-empty list. List its values.`);
      const distinct = new Set<unknown>();
      values.forEach((v, k) => {
        if (p.type === "discrete" && (typeof v !== "number" || !Number.isFinite(v)))
          fail(
            `${paths.field(i, "list")}[${k}]`,
            `${fmt(v)} is not a number. A discrete parameter lists numbers; use categorical for strings.`,
          );
        if (p.type === "categorical" && typeof v !== "string")
          fail(`${paths.field(i, "list")}[${k}]`, `${fmt(v)} is not a string. List strings.`);
        if (distinct.has(v))
          fail(`${paths.field(i, "list")}[${k}]`, `${fmt(v)} is listed twice. List each value once.`);
        distinct.add(v);
      });
      if (p.type === "categorical" && p.distribution !== "uniform")
        fail(
          paths.field(i, "distribution"),
          `a categorical parameter has no distribution (got ${p.distribution}). Remove it.`,
        );
      if (p.type === "discrete") {
        values = [...(values as number[])].sort((a, b) => a - b);
        if (log && (values[0] as number) <= 0)
          fail(
            paths.field(i, "list"),
            `${p.distribution} needs values > 0, got ${values[0]}. Remove the value, or use the uniform distribution.`,
          );
      }
    }
    if (p.when) {
      const at = paths.field(i, "when");
      const parentIndex = seen.get(p.when.parameter);
      if (p.when.parameter === p.name || parentIndex === undefined)
        fail(
          at,
          `the condition names "${p.when.parameter}", which is not a parameter declared before "${p.name}". Name an earlier parameter.`,
        );
      const parent = out[parentIndex] as ParameterSpec;
      if (parent.type === "double")
        fail(
          at,
          `the condition's parameter "${parent.name}" is a double; conditions need a categorical, discrete or int parameter.`,
        );
      if (p.when.values.length === 0)
        fail(at, "the condition lists no values. List the parent's values that make this parameter exist.");
      for (const v of p.when.values) {
        const legal =
          parent.type === "int"
            ? typeof v === "number" && Number.isInteger(v) && v >= (parent.min as number) && v <= (parent.max as number)
            : (parent.values as readonly unknown[]).includes(v);
        if (!legal) fail(at, `${fmt(v)} is not a value of "${parent.name}". List values "${parent.name}" can take.`);
      }
    }
    out.push(values === p.values ? p : { ...p, values });
  });
  return out;
}

/** Checks the objective: distinct metric names, strategies and the best rule naming known metrics. */
export function validateObjective(
  obj: ObjectiveSpec,
  paths: { metrics: string; additional: string; strategies: string; best: string; goal: string },
  fail: Fail,
): void {
  const names = new Set<string>();
  if (obj.metrics.length === 0) fail(paths.metrics, "no objective metric. Name the metric to optimise.");
  for (const m of obj.metrics) {
    if (!m.name) fail(paths.metrics, "an objective has no metric name. Name it.");
    if (m.goal !== "minimize" && m.goal !== "maximize")
      fail(paths.metrics, `"${m.goal}" is not a goal. Use minimize or maximize.`);
    if (names.has(m.name)) fail(paths.metrics, `"${m.name}" is an objective twice. Name each metric once.`);
    names.add(m.name);
  }
  for (const m of obj.additionalMetricNames) {
    if (!m) fail(paths.additional, "an empty metric name. Remove it.");
    if (names.has(m)) fail(paths.additional, `"${m}" is already an objective or listed twice. Name each metric once.`);
    names.add(m);
  }
  for (const [name, s] of Object.entries(obj.strategies)) {
    if (!names.has(name))
      fail(
        paths.strategies,
        `"${name}" is not one of the experiment's metrics (${[...names].join(", ")}). Name an objective or additional metric.`,
      );
    if (s !== "min" && s !== "max" && s !== "latest")
      fail(paths.strategies, `"${s}" is not a strategy of "${name}". Use min, max or latest.`);
  }
  if (obj.goal !== undefined && !Number.isFinite(obj.goal))
    fail(paths.goal, `${obj.goal} is not a finite number. Give the value that ends the experiment.`);
  const best = obj.best;
  if (best && best.rule !== "first") {
    if (obj.metrics.length < 2)
      fail(paths.best, "a rule choosing the best applies to two or more objectives. Remove it, or add objectives.");
    const objectives = obj.metrics.map((m) => m.name);
    const named = best.rule === "weighted" ? Object.keys(best.weights) : best.order;
    if (named.length === 0) fail(paths.best, `the ${best.rule} rule names no objective. Name the objectives it uses.`);
    for (const n of named)
      if (!objectives.includes(n))
        fail(paths.best, `"${n}" is not an objective (${objectives.join(", ")}). Name objectives only.`);
    if (best.rule === "weighted")
      for (const [n, w] of Object.entries(best.weights))
        if (!Number.isFinite(w) || w < 0) fail(paths.best, `the weight of "${n}" is ${w}. Give a finite weight >= 0.`);
    if (best.rule === "lexicographic" && new Set(best.order).size !== best.order.length)
      fail(paths.best, "the lexicographic order names an objective twice. Name each once.");
  }
}

/** Katib's default strategy: by the experiment's objective type for the objective and the additional metrics. */
export function defaultStrategies(
  obj: Omit<ObjectiveSpec, "strategies">,
  given: Readonly<Record<string, string>>,
): Record<string, "min" | "max" | "latest"> {
  const out: Record<string, "min" | "max" | "latest"> = {};
  const first = obj.metrics[0]?.goal;
  for (const m of obj.metrics) out[m.name] = m.goal === "minimize" ? "min" : "max";
  for (const m of obj.additionalMetricNames) out[m] = first === "minimize" ? "min" : "max";
  for (const [k, v] of Object.entries(given)) out[k] = v as "min" | "max" | "latest";
  return out;
}

/** Checks counts of trials (Katib's rules: parallel and failures at most the maximum). */
export function validateCounts(
  c: { parallel: number; max?: number; maxFailed?: number },
  paths: { parallel: string; max: string; maxFailed: string },
  fail: Fail,
): void {
  if (!Number.isInteger(c.parallel) || c.parallel < 1)
    fail(paths.parallel, `${c.parallel} is not a positive integer. Give 1 or more.`);
  if (c.max !== undefined && (!Number.isInteger(c.max) || c.max < 1))
    fail(paths.max, `${c.max} is not a positive integer. Give 1 or more.`);
  if (c.maxFailed !== undefined && (!Number.isInteger(c.maxFailed) || c.maxFailed < 0))
    fail(paths.maxFailed, `${c.maxFailed} is not an integer >= 0. Give 0 or more.`);
  if (c.max !== undefined && c.parallel > c.max)
    fail(paths.parallel, `${c.parallel} is more than the maximum of ${c.max} trials. Lower it.`);
  if (c.max !== undefined && c.maxFailed !== undefined && c.maxFailed > c.max)
    fail(paths.maxFailed, `${c.maxFailed} is more than the maximum of ${c.max} trials. Lower it.`);
}

/** Katib's algorithms Weft does not run, with what to use instead. */
export const UNSUPPORTED_ALGORITHMS: Readonly<Record<string, string>> = {
  pbt: "population-based training needs checkpoints shared between trials; use hyperband or asha",
  enas: "neural architecture search is not run locally",
  darts: "neural architecture search is not run locally",
};

export function isAlgorithmName(name: string): name is (typeof ALGORITHM_NAMES)[number] {
  return (ALGORITHM_NAMES as readonly string[]).includes(name);
}

/** The parameter hyperband and asha take as the budget (Katib's `resource_name` setting). */
export function resourceParameters(algorithm: string, settings: Readonly<Record<string, string>>): Set<string> {
  const name = settings.resource_name;
  return (algorithm === "hyperband" || algorithm === "asha") && name !== undefined ? new Set([name]) : new Set();
}

/** Kubernetes-style names, at most 63 characters. */
export const EXPERIMENT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

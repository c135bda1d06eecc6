/**
 * Structural validation of a parsed pipeline: every reference resolves, the task graph
 * of each DAG is acyclic, types agree along edges and trigger conditions are valid CEL.
 * The schema (field shapes) is checked earlier, by `parsePipelineYaml`.
 */
import { parse as parseCel } from "@bufbuild/cel";
import { type IrIssue, IrValidationError } from "./errors.ts";
import { keyPath, NAME_RULE, nameProblem } from "./names.ts";
import { checkParameterValue } from "./parameters.ts";
import type { ComponentSpec, PipelinePackage, PipelineSpec } from "./spec.ts";
import { checkResources } from "./validate-resources.ts";
import { checkTask, conditionInputs } from "./validate-task.ts";
import { type DagEntry, type TaskEntry, upstreamTasks, walkComponents, walkDag } from "./walk.ts";

/** IR schema versions Weft reads. */
export const SUPPORTED_SCHEMA_VERSIONS: readonly string[] = ["2.0.0", "2.1.0"];

const TOP_LEVEL_FIELDS = [
  "pipelineInfo",
  "deploymentSpec",
  "sdkVersion",
  "schemaVersion",
  "components",
  "root",
  "defaultPipelineRoot",
];

/** Options of {@link validatePipeline}. */
export interface ValidateOptions {
  /** File name for error messages (used by {@link assertValidPipeline}). */
  file?: string;
}

function closest(name: string, candidates: readonly string[]): string | undefined {
  const base = name.toLowerCase().replace(/[^a-z]/g, "");
  return candidates.find((c) => {
    const k = c.toLowerCase();
    return base.startsWith(k) || k.startsWith(base);
  });
}

function checkComponent(spec: PipelineSpec, entry: DagEntry, issues: IrIssue[]): void {
  const { component: c, path } = entry;
  if (c.executorLabel !== undefined) {
    if (!spec.deploymentSpec?.executors?.[c.executorLabel]) {
      issues.push({
        path: `${path}.executorLabel`,
        message: `executor '${c.executorLabel}' is not defined in deploymentSpec.executors; add it or fix the label`,
      });
    }
    if (c.dag) {
      issues.push({ path, message: "has both dag and executorLabel; a component is either a DAG or one executor" });
    }
  } else if (!c.dag) {
    issues.push({
      path,
      message:
        entry.componentName === "root"
          ? "has no dag; the pipeline's root component needs root.dag with its tasks"
          : "has neither dag nor executorLabel; give it an executor or a DAG of tasks",
    });
  }
  if (c.dag) {
    checkDagOutputs(spec, entry, c, issues);
    checkCycles(entry, issues);
  }
}

function checkDagOutputs(spec: PipelineSpec, entry: DagEntry, c: ComponentSpec, issues: IrIssue[]): void {
  const tasks = c.dag?.tasks ?? {};
  const base = `${entry.path}.dag.outputs`;
  const check = (path: string, sub: string, key: string, kind: "parameter" | "artifact"): void => {
    const task = tasks[sub];
    if (!task) {
      issues.push({
        path: `${path}.producerSubtask`,
        message: `task '${sub}' is not in this DAG (${entry.path}.dag.tasks); select an output of one of its tasks`,
      });
      return;
    }
    const producer = spec.components?.[task.componentRef.name];
    if (!producer) return;
    const outs = kind === "parameter" ? producer.outputDefinitions?.parameters : producer.outputDefinitions?.artifacts;
    if (!outs?.[key]) {
      issues.push({ path, message: `subtask '${sub}' has no output ${kind} '${key}'` });
    }
  };
  for (const [name, out] of Object.entries(c.dag?.outputs?.parameters ?? {})) {
    const path = `${base}.parameters.${name}`;
    if (!c.outputDefinitions?.parameters?.[name]) {
      issues.push({
        path,
        message: `'${name}' is not declared in ${entry.path}.outputDefinitions.parameters; declare it or remove it`,
      });
    }
    if (out.valueFromParameter) {
      const s = out.valueFromParameter;
      check(`${path}.valueFromParameter`, s.producerSubtask, s.outputParameterKey, "parameter");
    }
    (out.valueFromOneof?.parameterSelectors ?? []).forEach((s, i) => {
      check(`${path}.valueFromOneof.parameterSelectors[${i}]`, s.producerSubtask, s.outputParameterKey, "parameter");
    });
  }
  for (const [name, out] of Object.entries(c.dag?.outputs?.artifacts ?? {})) {
    const path = `${base}.artifacts.${name}`;
    if (!c.outputDefinitions?.artifacts?.[name]) {
      issues.push({
        path,
        message: `'${name}' is not declared in ${entry.path}.outputDefinitions.artifacts; declare it or remove it`,
      });
    }
    (out.artifactSelectors ?? []).forEach((s, i) => {
      check(`${path}.artifactSelectors[${i}]`, s.producerSubtask, s.outputArtifactKey, "artifact");
    });
  }
}

/**
 * Depth-first search over `start` and everything reachable through `next`, without
 * recursion (a chain of 45,000 tasks must not exhaust the stack); calls `found` with each
 * cycle met, as `[a, b, ..., a]` in the order walked.
 */
function eachCycle(
  starts: Iterable<string>,
  next: (node: string) => Iterable<string>,
  found: (cycle: string[]) => void,
): void {
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const pending: Iterator<string>[] = [];
  const enter = (node: string): void => {
    state.set(node, "visiting");
    path.push(node);
    pending.push(next(node)[Symbol.iterator]());
  };
  for (const start of starts) {
    if (state.has(start)) continue;
    enter(start);
    while (pending.length > 0) {
      const step = (pending[pending.length - 1] as Iterator<string>).next();
      if (step.done) {
        pending.pop();
        state.set(path.pop() as string, "done");
        continue;
      }
      const s = state.get(step.value);
      if (s === "visiting") found([...path.slice(path.lastIndexOf(step.value)), step.value]);
      else if (s === undefined) enter(step.value);
    }
  }
}

function checkCycles(entry: DagEntry, issues: IrIssue[]): void {
  const tasks = entry.component.dag?.tasks ?? {};
  const reported = new Set<string>();
  const upstream = (name: string): string[] => {
    const task = tasks[name];
    return task ? upstreamTasks(task).filter((up) => up !== name && Object.hasOwn(tasks, up)) : [];
  };
  eachCycle(Object.keys(tasks), upstream, (cycle) => {
    const key = [...cycle.slice(0, -1)].sort().join(",");
    if (reported.has(key)) return;
    reported.add(key);
    issues.push({
      path: `${entry.path}.dag.tasks`,
      message: `dependency cycle: ${cycle.reverse().join(" -> ")}; a task cannot depend on its own downstream tasks`,
    });
  });
}

function checkExecutors(spec: PipelineSpec, issues: IrIssue[]): void {
  for (const [name, exec] of Object.entries(spec.deploymentSpec?.executors ?? {})) {
    const kinds = ["container", "importer", "resolver"].filter(
      (k) => (exec as Record<string, unknown>)[k] !== undefined,
    );
    if (kinds.length === 0) {
      issues.push({
        path: `deploymentSpec.executors.${name}`,
        message: "has no container, importer or resolver; give the executor exactly one of them",
      });
    } else if (kinds.length > 1) {
      issues.push({
        path: `deploymentSpec.executors.${name}`,
        message: `has ${kinds.join(" and ")}; give the executor exactly one of them`,
      });
    }
  }
}

/**
 * A DAG component whose tasks (transitively) run the component itself would never end:
 * the engine would expand it until the stack overflows. Each cycle is reported once,
 * naming its components in call order.
 */
function checkComponentCycles(spec: PipelineSpec, issues: IrIssue[]): void {
  const comps = spec.components ?? {};
  const callees = (name: string): string[] => {
    const refs = Object.values(comps[name]?.dag?.tasks ?? {}).map((t) => t.componentRef.name);
    return [...new Set(refs)].filter((ref) => Object.hasOwn(comps, ref));
  };
  eachCycle(Object.keys(comps), callees, (cycle) => {
    const first = cycle[0] as string;
    issues.push({
      path: keyPath("components", first),
      message:
        cycle.length === 2
          ? `component '${first}' runs itself (a task of its DAG has componentRef '${first}'); a DAG component cannot run itself, directly or through other components`
          : `component cycle: ${cycle.join(" -> ")}; a DAG component cannot run itself, directly or through other components`,
    });
  });
}

/** Names that become keys, paths and file names must be safe (see `names.ts`). */
function checkNames(spec: PipelineSpec, issues: IrIssue[]): void {
  const check = (base: string, names: Record<string, unknown> | undefined, what: string): void => {
    for (const name of Object.keys(names ?? {})) {
      const problem = nameProblem(name);
      if (problem) issues.push({ path: keyPath(base, name), message: `${what} name ${problem}; ${NAME_RULE}` });
    }
  };
  check("components", spec.components, "component");
  check("deploymentSpec.executors", spec.deploymentSpec?.executors, "executor");
  for (const { component: c, path } of walkComponents(spec)) {
    check(`${path}.inputDefinitions.parameters`, c.inputDefinitions?.parameters, "input parameter");
    check(`${path}.inputDefinitions.artifacts`, c.inputDefinitions?.artifacts, "input artifact");
    check(`${path}.outputDefinitions.parameters`, c.outputDefinitions?.parameters, "output parameter");
    check(`${path}.outputDefinitions.artifacts`, c.outputDefinitions?.artifacts, "output artifact");
    check(`${path}.dag.tasks`, c.dag?.tasks, "task");
    check(`${path}.dag.outputs.parameters`, c.dag?.outputs?.parameters, "output parameter");
    check(`${path}.dag.outputs.artifacts`, c.dag?.outputs?.artifacts, "output artifact");
  }
  for (const { task, taskPath } of walkDag(spec)) {
    check(`${taskPath}.inputs.parameters`, task.inputs?.parameters, "input parameter");
    check(`${taskPath}.inputs.artifacts`, task.inputs?.artifacts, "input artifact");
  }
}

/** A default must be a value of its parameter's type (`null` is allowed for an optional input). */
function checkDefaults(entry: DagEntry, issues: IrIssue[]): void {
  for (const [name, def] of Object.entries(entry.component.inputDefinitions?.parameters ?? {})) {
    if (def.defaultValue === undefined || (def.defaultValue === null && def.isOptional === true)) continue;
    const problem = checkParameterValue(def.parameterType, def.defaultValue);
    if (!problem) continue;
    issues.push({
      path: `${keyPath(`${entry.path}.inputDefinitions.parameters`, name)}.defaultValue`,
      message: `${problem} as the default of input '${name}'; make the default a ${def.parameterType} value or fix parameterType`,
    });
  }
}

/** Retry counts and loop parallelism are counts: never negative. */
function checkCounts(t: TaskEntry, issues: IrIssue[]): void {
  const retries = t.task.retryPolicy?.maxRetryCount;
  if (retries !== undefined && retries < 0) {
    issues.push({
      path: `${t.taskPath}.retryPolicy.maxRetryCount`,
      message: `is ${retries}; the number of retries after a failed attempt must be 0 or more`,
    });
  }
  const limit = t.task.iteratorPolicy?.parallelismLimit;
  if (limit !== undefined && limit < 0) {
    issues.push({
      path: `${t.taskPath}.iteratorPolicy.parallelismLimit`,
      message: `is ${limit}; the number of loop iterations run at once must be 0 (no limit) or more`,
    });
  }
}

/**
 * Checks a parsed pipeline and returns every problem found (empty when valid). Each
 * issue names the exact IR path, e.g.
 * `root.dag.tasks.train.inputs.artifacts.data: producer task 'prep' has no output artifact 'dataset'`.
 */
export function validatePipeline(pkg: PipelinePackage, _opts: ValidateOptions = {}): IrIssue[] {
  const spec = pkg.pipelineSpec;
  const issues: IrIssue[] = [];
  if (!SUPPORTED_SCHEMA_VERSIONS.includes(spec.schemaVersion)) {
    issues.push({
      path: "schemaVersion",
      message: `'${spec.schemaVersion}' is not supported; Weft reads KFP IR schemaVersion ${SUPPORTED_SCHEMA_VERSIONS.join(" or ")} (compile with the KFP v2 SDK)`,
    });
  }
  for (const key of Object.keys(spec)) {
    if (TOP_LEVEL_FIELDS.includes(key)) continue;
    const guess = closest(key, TOP_LEVEL_FIELDS);
    issues.push({
      path: key,
      message: `unknown PipelineSpec field${guess ? `; did you mean '${guess}'?` : ""} (known fields: ${TOP_LEVEL_FIELDS.join(", ")})`,
    });
  }
  checkNames(spec, issues);
  for (const entry of walkComponents(spec)) {
    checkComponent(spec, entry, issues);
    checkDefaults(entry, issues);
  }
  checkExecutors(spec, issues);
  checkResources(spec, issues);
  checkComponentCycles(spec, issues);
  for (const t of walkDag(spec)) {
    checkTask(spec, t, issues);
    checkCounts(t, issues);
    const condition = t.task.triggerPolicy?.condition;
    if (condition !== undefined && condition !== "") {
      try {
        parseCel(condition);
        const params = t.task.inputs?.parameters ?? {};
        for (const name of conditionInputs(condition)) {
          if (name in params) continue;
          issues.push({
            path: `${t.taskPath}.triggerPolicy.condition`,
            message: `refers to input '${name}' that the task does not have; add it to ${t.taskPath}.inputs.parameters`,
          });
        }
      } catch (err) {
        const why = err instanceof Error ? err.message.replace(/^<input>:/, "at ") : String(err);
        issues.push({
          path: `${t.taskPath}.triggerPolicy.condition`,
          message: `not a valid CEL expression (${why}); write e.g. inputs.parameter_values['x'] == 'heads'`,
        });
      }
    }
  }
  return issues;
}

/**
 * Validates and throws one {@link IrValidationError} listing every issue.
 *
 * @throws IrValidationError (`IR_INVALID_PIPELINE`)
 */
export function assertValidPipeline(pkg: PipelinePackage, opts: ValidateOptions = {}): void {
  const issues = validatePipeline(pkg, opts);
  if (issues.length > 0) throw new IrValidationError(opts.file ?? "<input>", issues);
}

/**
 * Katib `kubeflow.org/v1beta1` `Experiment` YAML to the ExperimentSpec Weft runs, with
 * Katib's defaults (parallelTrialCount 3, resumePolicy Never, the StdOut collector with
 * Katib's filter, strategies by objective type, uniform distributions). Every field Weft
 * does not know is an error naming the file, line and YAML path; fields Katib has that do
 * not run locally are TUNING_SPEC_UNSUPPORTED, saying what to use instead.
 *
 * Weft's extensions, which a cluster ignores or prunes:
 * - metadata.annotations `tuning.weft.dev/objectives` ("accuracy:maximize,train_seconds:minimize")
 *   adds objectives (a multi-objective experiment), and `tuning.weft.dev/best`
 *   ("first" | "weighted accuracy=1,train_seconds=0.2" | "lexicographic accuracy,train_seconds")
 *   chooses the one best configuration;
 * - a parameter's `when: {parameter: optimizer, values: ["sgd"]}` makes it conditional:
 *   it exists only when the earlier parameter `optimizer` has one of the values.
 */

import { dirname, resolve } from "node:path";
import { compileFilters } from "../collectors/filters.ts";
import { TuningError } from "../errors.ts";
import {
  type AlgorithmSpec,
  type BestRule,
  type Distribution,
  EARLY_STOPPING_NAMES,
  type EarlyStoppingSpec,
  type ExperimentSpec,
  type Goal,
  type MetricsCollectorSpec,
  type ObjectiveMetric,
  type ObjectiveSpec,
  type ParameterSpec,
  type ParameterType,
  type ParamValue,
  type ResumePolicy,
  type TrialTemplate,
} from "../types.ts";
import { type Path, Reader } from "./reader.ts";
import { parseTrialTemplate } from "./trial-template.ts";
import {
  defaultStrategies,
  EXPERIMENT_NAME,
  type Fail,
  isAlgorithmName,
  resourceParameters,
  UNSUPPORTED_ALGORITHMS,
  validateCounts,
  validateObjective,
  validateParameters,
} from "./validate.ts";

export const KATIB_API_VERSION = "kubeflow.org/v1beta1";
/** Katib's default path of the File collector (`common_types.go`). */
export const KATIB_DEFAULT_METRICS_FILE = "/var/log/katib/metrics.log";
export const OBJECTIVES_ANNOTATION = "tuning.weft.dev/objectives";
export const BEST_ANNOTATION = "tuning.weft.dev/best";

export interface ParseOptions {
  /** Where relative paths (a pipeline file, a container's workingDir) resolve; default the file's directory. */
  readonly baseDir?: string;
}

const PARAMETER_TYPES: readonly ParameterType[] = ["double", "int", "discrete", "categorical"];
const DISTRIBUTIONS: readonly Distribution[] = ["uniform", "logUniform", "normal", "logNormal"];
const CLUSTER_METADATA = [
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "managedFields",
  "finalizers",
  "ownerReferences",
  "selfLink",
];

/** `spec.parameters[1].feasibleSpace.max` → segments, so that errors from shared checks get their line. */
function toSegments(path: string): Path {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g))
    out.push(m[2] !== undefined ? Number(m[2]) : (m[1] as string));
  return out;
}

export function parseExperiment(text: string, file: string, options: ParseOptions = {}): ExperimentSpec {
  const { reader: r, value } = Reader.parse(text, file);
  const fail: Fail = (field, message) => r.fail(toSegments(field), message);
  const root = r.object([], value, true);
  r.keys([], root, ["apiVersion", "kind", "metadata", "spec"], {}, ["status"]);
  const apiVersion = r.string(["apiVersion"], root.apiVersion, true);
  if (apiVersion !== KATIB_API_VERSION) {
    const msg = `"${apiVersion}" is not read. Write a Katib ${KATIB_API_VERSION} Experiment.`;
    if (apiVersion.startsWith("kubeflow.org/")) r.unsupported(["apiVersion"], msg);
    r.fail(["apiVersion"], msg);
  }
  const kind = r.string(["kind"], root.kind, true);
  if (kind !== "Experiment") r.fail(["kind"], `"${kind}" is not an Experiment. Write kind: Experiment.`);

  const metadata = r.object(["metadata"], root.metadata, true);
  r.keys(
    ["metadata"],
    metadata,
    ["name", "namespace", "labels", "annotations"],
    { generateName: "Weft keys an experiment by its name. Set metadata.name." },
    CLUSTER_METADATA,
  );
  const name = r.string(["metadata", "name"], metadata.name, true);
  if (!EXPERIMENT_NAME.test(name) || name.length > 63)
    r.fail(
      ["metadata", "name"],
      `"${name}" is not a valid name. Use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit.`,
    );
  const namespace = r.string(["metadata", "namespace"], metadata.namespace) ?? "default";
  r.object(["metadata", "labels"], metadata.labels);
  const annotations = r.object(["metadata", "annotations"], metadata.annotations) ?? {};
  for (const key of Object.keys(annotations))
    if (key.startsWith("tuning.weft.dev/") && key !== OBJECTIVES_ANNOTATION && key !== BEST_ANNOTATION)
      r.fail(
        ["metadata", "annotations", key],
        `is not a Weft annotation. Use ${OBJECTIVES_ANNOTATION} or ${BEST_ANNOTATION}.`,
      );

  const spec = r.object(["spec"], root.spec, true);
  r.keys(
    ["spec"],
    spec,
    [
      "parameters",
      "objective",
      "algorithm",
      "earlyStopping",
      "trialTemplate",
      "parallelTrialCount",
      "maxTrialCount",
      "maxFailedTrialCount",
      "metricsCollectorSpec",
      "resumePolicy",
    ],
    { nasConfig: "neural architecture search is not run locally. Remove nasConfig and tune with spec.parameters." },
  );

  const algorithm = parseAlgorithm(r, spec.algorithm);
  const parameters = validateParameters(
    parseParameters(r, spec.parameters),
    {
      param: (i) => `spec.parameters[${i}]`,
      field: (i, f) =>
        f === "name" || f === "when" ? `spec.parameters[${i}].${f}` : `spec.parameters[${i}].feasibleSpace.${f}`,
    },
    fail,
    resourceParameters(algorithm.name, algorithm.settings),
  );
  const objective = parseObjective(r, spec.objective, annotations, fail);
  const earlyStopping = parseEarlyStopping(r, spec.earlyStopping);
  const parallelTrialCount = r.integer(["spec", "parallelTrialCount"], spec.parallelTrialCount, 1) ?? 3;
  const maxTrialCount = r.integer(["spec", "maxTrialCount"], spec.maxTrialCount, 1);
  const maxFailedTrialCount = r.integer(["spec", "maxFailedTrialCount"], spec.maxFailedTrialCount, 0);
  validateCounts(
    { parallel: parallelTrialCount, max: maxTrialCount, maxFailed: maxFailedTrialCount },
    { parallel: "spec.parallelTrialCount", max: "spec.maxTrialCount", maxFailed: "spec.maxFailedTrialCount" },
    fail,
  );
  const resumePolicy =
    r.oneOf<ResumePolicy>(["spec", "resumePolicy"], spec.resumePolicy, ["Never", "LongRunning", "FromVolume"]) ??
    "Never";
  const baseDir = options.baseDir ?? dirname(resolve(file));
  const trial = parseTrialTemplate(spec.trialTemplate, {
    reader: r,
    parameters: new Set(parameters.map((p) => p.name)),
    namespace,
    baseDir,
  });
  const metricsCollector = parseCollector(r, spec.metricsCollectorSpec, trial);

  return {
    name,
    space: { parameters },
    objective,
    algorithm,
    ...(earlyStopping ? { earlyStopping } : {}),
    parallelTrialCount,
    ...(maxTrialCount !== undefined ? { maxTrialCount } : {}),
    ...(maxFailedTrialCount !== undefined ? { maxFailedTrialCount } : {}),
    resumePolicy,
    metricsCollector,
    trial,
    file,
  };
}

function parseParameters(r: Reader, raw: unknown): ParameterSpec[] {
  const out: ParameterSpec[] = [];
  r.array(["spec", "parameters"], raw, true).forEach((item, i) => {
    const at: Path = ["spec", "parameters", i];
    const p = r.object(at, item, true);
    r.keys(at, p, ["name", "parameterType", "feasibleSpace", "when"]);
    const name = r.string([...at, "name"], p.name, true);
    const type = r.oneOf([...at, "parameterType"], p.parameterType, PARAMETER_TYPES);
    if (type === undefined) r.fail([...at, "parameterType"], `is required. Use one of ${PARAMETER_TYPES.join(", ")}.`);
    const fsAt: Path = [...at, "feasibleSpace"];
    const fs = r.object(fsAt, p.feasibleSpace, true);
    r.keys(fsAt, fs, ["min", "max", "step", "list", "distribution"]);
    const distribution = r.oneOf([...fsAt, "distribution"], fs.distribution, DISTRIBUTIONS) ?? "uniform";
    const min = r.number([...fsAt, "min"], fs.min);
    const max = r.number([...fsAt, "max"], fs.max);
    const step = r.number([...fsAt, "step"], fs.step);
    let values: ParamValue[] | undefined;
    if (fs.list !== undefined && fs.list !== null) {
      const list = r.array([...fsAt, "list"], fs.list);
      values =
        type === "discrete" || type === "double" || type === "int"
          ? list.map((v, k) => {
              const n = r.number([...fsAt, "list", k], v);
              if (n === undefined) r.fail([...fsAt, "list", k], "is empty. List numbers.");
              return n;
            })
          : list.map((v, k) => r.string([...fsAt, "list", k], v, true));
    }
    let when: ParameterSpec["when"];
    if (p.when !== undefined) {
      const w = r.object([...at, "when"], p.when, true);
      r.keys([...at, "when"], w, ["parameter", "values"]);
      const parent = r.string([...at, "when", "parameter"], w.parameter, true);
      const parentType = out.find((q) => q.name === parent)?.type;
      const wv = r
        .array([...at, "when", "values"], w.values, true)
        .map((v, k) =>
          parentType === "categorical" || parentType === undefined
            ? r.string([...at, "when", "values", k], v, true)
            : (r.number([...at, "when", "values", k], v) ??
              r.fail([...at, "when", "values", k], "is empty. List values.")),
        );
      when = { parameter: parent, values: wv };
    }
    out.push({
      name,
      type,
      distribution,
      ...(min !== undefined ? { min } : {}),
      ...(max !== undefined ? { max } : {}),
      ...(step !== undefined ? { step } : {}),
      ...(values !== undefined ? { values } : {}),
      ...(when ? { when } : {}),
    });
  });
  return out;
}

/** `accuracy:maximize,train_seconds:minimize` */
function parseObjectivesAnnotation(r: Reader, text: string): ObjectiveMetric[] {
  const at: Path = ["metadata", "annotations", OBJECTIVES_ANNOTATION];
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((item) => {
      const m = /^([^:\s]+)\s*:\s*(minimize|maximize)$/.exec(item);
      if (!m)
        r.fail(
          at,
          `"${item}" is not "metric:minimize" or "metric:maximize". Write e.g. "accuracy:maximize,train_seconds:minimize".`,
        );
      return { name: m[1] as string, goal: m[2] as Goal };
    });
}

/** `first` | `weighted a=1,b=0.2` | `lexicographic a,b` */
function parseBestAnnotation(r: Reader, text: string): BestRule {
  const at: Path = ["metadata", "annotations", BEST_ANNOTATION];
  const t = text.trim();
  if (t === "first") return { rule: "first" };
  const [rule, rest = ""] = t.split(/\s+(.*)/s) as [string, string?];
  const items = rest
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (rule === "lexicographic") return { rule, order: items };
  if (rule === "weighted") {
    const weights: Record<string, number> = {};
    for (const item of items) {
      const m = /^([^=\s]+)\s*=\s*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)$/.exec(item);
      if (!m) r.fail(at, `"${item}" is not "metric=weight". Write e.g. "weighted accuracy=1,train_seconds=0.2".`);
      weights[m[1] as string] = Number(m[2]);
    }
    return { rule, weights };
  }
  return r.fail(at, `"${text}" is not a rule. Use "first", "weighted a=1,b=0.2" or "lexicographic a,b".`);
}

function parseObjective(r: Reader, raw: unknown, annotations: Record<string, unknown>, fail: Fail): ObjectiveSpec {
  const at: Path = ["spec", "objective"];
  const o = r.object(at, raw, true);
  r.keys(at, o, ["type", "goal", "objectiveMetricName", "additionalMetricNames", "metricStrategies"]);
  const type = r.oneOf<Goal>([...at, "type"], o.type, ["minimize", "maximize"]);
  if (type === undefined) r.fail([...at, "type"], "is required. Use minimize or maximize.");
  const primary = r.string([...at, "objectiveMetricName"], o.objectiveMetricName, true);
  const goal =
    o.goal === undefined || o.goal === null
      ? undefined
      : typeof o.goal === "number"
        ? o.goal
        : r.number([...at, "goal"], o.goal);
  const metrics: ObjectiveMetric[] = [{ name: primary, goal: type }];
  const objAnn = annotations[OBJECTIVES_ANNOTATION];
  if (objAnn !== undefined) {
    const annAt: Path = ["metadata", "annotations", OBJECTIVES_ANNOTATION];
    for (const m of parseObjectivesAnnotation(r, r.string(annAt, objAnn, true))) {
      if (m.name === primary) {
        if (m.goal !== type)
          r.fail(annAt, `"${primary}" is the objective metric with type ${type}, not ${m.goal}. Make them agree.`);
        continue;
      }
      if (metrics.some((x) => x.name === m.name))
        r.fail(annAt, `"${m.name}" is listed twice. List each objective once.`);
      metrics.push(m);
    }
  }
  // An added objective may also be listed in additionalMetricNames (so that a cluster records it).
  const additionalMetricNames = r
    .array([...at, "additionalMetricNames"], o.additionalMetricNames)
    .map((v, i) => r.string([...at, "additionalMetricNames", i], v, true))
    .filter((n) => metrics.findIndex((m) => m.name === n) < 1);
  const strategiesGiven: Record<string, string> = {};
  r.array([...at, "metricStrategies"], o.metricStrategies).forEach((item, i) => {
    const sAt: Path = [...at, "metricStrategies", i];
    const s = r.object(sAt, item, true);
    r.keys(sAt, s, ["name", "value"]);
    const n = r.string([...sAt, "name"], s.name, true);
    if (n in strategiesGiven) r.fail([...sAt, "name"], `"${n}" has two strategies. Give one.`);
    const v = r.oneOf([...sAt, "value"], s.value, ["min", "max", "latest"]);
    if (v === undefined) r.fail([...sAt, "value"], "is required. Use min, max or latest.");
    strategiesGiven[n] = v;
  });
  const bestAnn = annotations[BEST_ANNOTATION];
  const best =
    bestAnn === undefined
      ? undefined
      : parseBestAnnotation(r, r.string(["metadata", "annotations", BEST_ANNOTATION], bestAnn, true));
  const base = { metrics, additionalMetricNames, ...(goal !== undefined ? { goal } : {}), ...(best ? { best } : {}) };
  const objective: ObjectiveSpec = { ...base, strategies: defaultStrategies(base, strategiesGiven) };
  validateObjective(
    { ...objective, strategies: strategiesGiven as ObjectiveSpec["strategies"] },
    {
      metrics: "spec.objective.objectiveMetricName",
      additional: "spec.objective.additionalMetricNames",
      strategies: "spec.objective.metricStrategies",
      best: `metadata.annotations.${BEST_ANNOTATION}`,
      goal: "spec.objective.goal",
    },
    fail,
  );
  return objective;
}

function parseAlgorithm(r: Reader, raw: unknown): AlgorithmSpec {
  const at: Path = ["spec", "algorithm"];
  const a = r.object(at, raw, true);
  r.keys(at, a, ["algorithmName", "algorithmSettings"]);
  const name = r.string([...at, "algorithmName"], a.algorithmName, true);
  const why = UNSUPPORTED_ALGORITHMS[name];
  if (why !== undefined) r.unsupported([...at, "algorithmName"], `${name}: ${why}.`);
  if (!isAlgorithmName(name))
    r.fail(
      [...at, "algorithmName"],
      `"${name}" is not an algorithm. Use one of random, grid, sobol, tpe, multivariate-tpe, cmaes, bayesianoptimization, hyperband, asha, nsga2, motpe.`,
    );
  const settings = r.settings([...at, "algorithmSettings"], a.algorithmSettings);
  let seed = 0;
  if ("random_state" in settings) {
    const i = Object.keys(settings).indexOf("random_state");
    const v = settings.random_state as string;
    if (!/^\d+$/.test(v) || Number(v) > 2 ** 32 - 1)
      r.fail(
        [...at, "algorithmSettings", i, "value"],
        `random_state "${v}" is not an integer from 0 to 4294967295. Give a seed.`,
      );
    seed = Number(v);
    delete settings.random_state;
  }
  return { name, settings, seed };
}

function parseEarlyStopping(r: Reader, raw: unknown): EarlyStoppingSpec | undefined {
  const at: Path = ["spec", "earlyStopping"];
  const e = r.object(at, raw);
  if (!e) return undefined;
  r.keys(at, e, ["algorithmName", "algorithmSettings"]);
  const name = r.oneOf([...at, "algorithmName"], e.algorithmName, EARLY_STOPPING_NAMES);
  if (name === undefined) r.fail([...at, "algorithmName"], "is required. Use medianstop.");
  return { name, settings: r.settings([...at, "algorithmSettings"], e.algorithmSettings) };
}

const UNSUPPORTED_COLLECTORS: Readonly<Record<string, string>> = {
  TensorFlowEvent:
    "TensorFlow event files are not read. Print metrics (StdOut) or write them to a file (File, TEXT or JSON).",
  PrometheusMetric: "Prometheus scraping is not run. Print metrics (StdOut) or write them to a file (File).",
  Custom: "custom collector containers are not run. Print metrics (StdOut) or write them to a file (File).",
  Push: "there is no Katib DB to push to. Print metrics (StdOut) or write them to a file (File).",
};

function parseCollector(r: Reader, raw: unknown, trial: TrialTemplate): MetricsCollectorSpec {
  const at: Path = ["spec", "metricsCollectorSpec"];
  const m = r.object(at, raw);
  if (trial.kind === "pipeline") {
    if (m)
      r.unsupported(
        at,
        "a pipeline trial's metrics come from its run (Metrics artifacts and step metrics). Remove metricsCollectorSpec.",
      );
    return { kind: "Pipeline" };
  }
  if (!m) return { kind: "StdOut", filters: [] };
  r.keys(at, m, ["collector", "source"]);
  const c = r.object([...at, "collector"], m.collector) ?? {};
  r.keys([...at, "collector"], c, ["kind"], {
    customCollector: "custom collector containers are not run. Use StdOut or File.",
  });
  const kind = r.string([...at, "collector", "kind"], c.kind) ?? "StdOut";
  const why = UNSUPPORTED_COLLECTORS[kind];
  if (why !== undefined) r.unsupported([...at, "collector", "kind"], `${kind}: ${why}`);
  if (kind !== "StdOut" && kind !== "File")
    r.fail([...at, "collector", "kind"], `"${kind}" is not a collector. Use StdOut or File.`);
  const src = r.object([...at, "source"], m.source) ?? {};
  r.keys([...at, "source"], src, ["filter", "fileSystemPath"], {
    httpGet: "metrics over HTTP are not collected. Use StdOut or File.",
  });
  let filters: string[] = [];
  const f = r.object([...at, "source", "filter"], src.filter);
  if (f) {
    r.keys([...at, "source", "filter"], f, ["metricsFormat"]);
    const fAt: Path = [...at, "source", "filter", "metricsFormat"];
    filters = r.array(fAt, f.metricsFormat).map((v, i) => r.string([...fAt, i], v, true));
    filters.forEach((filter, i) => {
      try {
        compileFilters([filter], "metricsFormat");
      } catch (err) {
        if (!(err instanceof TuningError)) throw err;
        r.fail([...fAt, i], err.message.slice(err.message.indexOf(": ") + 2));
      }
    });
  }
  const fsAt: Path = [...at, "source", "fileSystemPath"];
  const fsp = r.object(fsAt, src.fileSystemPath);
  if (kind === "StdOut") {
    if (fsp) r.fail(fsAt, "applies to the File collector. Remove it, or set collector.kind: File.");
    return { kind: "StdOut", filters };
  }
  const p = fsp ?? {};
  r.keys(fsAt, p, ["path", "kind", "format"]);
  const fsKind = r.string([...fsAt, "kind"], p.kind) ?? "File";
  if (fsKind !== "File")
    r.unsupported([...fsAt, "kind"], `"${fsKind}": the File collector reads one file. Use kind: File.`);
  const format = r.oneOf([...fsAt, "format"], p.format, ["TEXT", "JSON"] as const) ?? "TEXT";
  if (format === "JSON" && f)
    r.fail([...at, "source", "filter"], "applies to TEXT metrics; JSON lines are read by key. Remove the filter.");
  const path = r.string([...fsAt, "path"], p.path) ?? KATIB_DEFAULT_METRICS_FILE;
  return { kind: "File", path, format, filters };
}

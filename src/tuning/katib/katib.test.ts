// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's ${trialParameters.x} placeholders are literal text here
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { TuningError } from "../errors.ts";
import type { ExperimentSpec } from "../types.ts";
import { JOB_SUCCESS_CONDITION, parseExperiment, substituteCommand } from "./index.ts";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => join(here, "fixtures", name);
const load = (name: string): ExperimentSpec => parseExperiment(readFileSync(fixture(name), "utf8"), fixture(name));

/** A small valid experiment as a JS object, to break one field at a time. */
// biome-ignore lint/suspicious/noExplicitAny: test documents are edited field by field
type Doc = Record<string, any>;

function base(): Doc {
  return parse(`
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: exp}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: {algorithmName: random}
  parameters:
    - {name: lr, parameterType: double, feasibleSpace: {min: "0.01", max: "0.1"}}
    - {name: opt, parameterType: categorical, feasibleSpace: {list: [adam, sgd]}}
  trialTemplate:
    trialParameters:
      - {name: lr, reference: lr}
      - {name: opt, reference: opt}
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            containers:
              - name: main
                command: [node, t.js, "--lr=\${trialParameters.lr}", "--opt=\${trialParameters.opt}"]
`);
}

function errorOf(doc: unknown): TuningError {
  try {
    parseExperiment(typeof doc === "string" ? doc : stringify(doc), "exp.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(TuningError);
    return err as TuningError;
  }
  throw new Error("parsed without error");
}

function broken(edit: (d: Doc) => void): TuningError {
  const d = base();
  edit(d);
  return errorOf(d);
}

describe("parseExperiment on Katib's examples (our own copies)", () => {
  it("reads random search with string numbers, distributions and a Job trial", () => {
    const e = load("katib-random.yaml");
    expect(e.name).toBe("random-mnist");
    expect(e.objective).toEqual({
      metrics: [{ name: "loss", goal: "minimize" }],
      goal: 0.001,
      additionalMetricNames: [],
      strategies: { loss: "min" },
    });
    expect(e.algorithm).toEqual({ name: "random", settings: {}, seed: 0 });
    expect(e.space.parameters).toEqual([
      { name: "lr", type: "double", min: 0.01, max: 0.05, step: 0.01, distribution: "normal" },
      { name: "momentum", type: "double", min: 0.001, max: 1, distribution: "uniform" },
      { name: "epochs", type: "int", min: 1, max: 3, distribution: "logUniform" },
      { name: "batch_size", type: "int", min: 32, max: 64, distribution: "logNormal" },
    ]);
    expect([e.parallelTrialCount, e.maxTrialCount, e.maxFailedTrialCount, e.resumePolicy]).toEqual([3, 12, 3, "Never"]);
    expect(e.metricsCollector).toEqual({ kind: "StdOut", filters: [] });
    expect(e.trial).toMatchObject({
      kind: "command",
      command: [
        "python3",
        "/opt/mnist/train.py",
        "--epochs=${trialParameters.epochs}",
        "--batch-size=${trialParameters.batchSize}",
        "--lr=${trialParameters.learningRate}",
        "--momentum=${trialParameters.momentum}",
      ],
      env: {},
      workingDir: join(here, "fixtures"),
    });
  });

  it("applies Katib's defaults", () => {
    const e = parseExperiment(stringify(base()), "/x/exp.yaml");
    expect(e.parallelTrialCount).toBe(3);
    expect(e.resumePolicy).toBe("Never");
    expect(e.maxTrialCount).toBeUndefined();
    expect(e.space.parameters[0]?.distribution).toBe("uniform");
    expect(e.trial).toMatchObject({ workingDir: "/x" });
  });

  it("reads the seeds' TPE experiment: seed, settings, medianstop, discrete sorted, condition, strategies", () => {
    const e = load("seed-tpe.yaml");
    expect(e.algorithm).toEqual({ name: "tpe", settings: { n_startup_trials: "5" }, seed: 42 });
    expect(e.earlyStopping).toEqual({ name: "medianstop", settings: { min_trials_required: "3", start_step: "2" } });
    expect(e.space.parameters[1]).toEqual({
      name: "batch_size",
      type: "discrete",
      values: [32, 64, 128],
      distribution: "uniform",
    });
    expect(e.space.parameters[2]).toMatchObject({ type: "int", min: 16, max: 256, step: 16 });
    expect(e.space.parameters[4]?.when).toEqual({ parameter: "optimizer", values: ["sgd"] });
    // Katib's defaults: the objective and additional metrics by objective type, unless given.
    expect(e.objective.strategies).toEqual({ val_auc: "max", loss: "latest" });
    expect(e.resumePolicy).toBe("LongRunning");
    expect(e.metricsCollector).toEqual({
      kind: "StdOut",
      filters: [String.raw`([\w|-]+)\s*=\s*([+-]?\d*(\.\d+)?([Ee][+-]?\d+)?)`],
    });
    expect(e.trial).toMatchObject({ workingDir: join(here, "fixtures", "trainer") });
  });

  it("substitutes a trial's values; an inactive conditional parameter's argument and variable are left out", () => {
    const e = load("seed-tpe.yaml");
    if (e.trial.kind !== "command") throw new Error("command trial expected");
    const adam = substituteCommand(
      e.trial,
      { learning_rate: 0.001, batch_size: 64, units: 32, optimizer: "adam" },
      { name: "mlp-tpe-3" },
    );
    expect(adam.command).toEqual([
      "node",
      "train.js",
      "--lr=0.001",
      "--batch-size=64",
      "--units=32",
      "--optimizer=adam",
    ]);
    expect(adam.env).toEqual({ TRIAL: "mlp-tpe-3" });
    const sgd = substituteCommand(
      e.trial,
      { learning_rate: 1e-7, batch_size: 64, units: 32, optimizer: "sgd", momentum: 0.9 },
      { name: "mlp-tpe-4" },
    );
    expect(sgd.command.slice(2)).toEqual([
      "--lr=1e-7",
      "--batch-size=64",
      "--units=32",
      "--optimizer=sgd",
      "--momentum=0.9",
    ]);
    expect(sgd.env).toEqual({ TRIAL: "mlp-tpe-4", MOMENTUM: "0.9" });
  });

  it("substitutes trial metadata (Katib's ${trialSpec.*}) and the command runs as a real process", () => {
    const e = load("metadata-substitution.yaml");
    if (e.trial.kind !== "command") throw new Error("command trial expected");
    expect(e.trial.trialParameters.map((p) => p.name)).toEqual(["learningRate", "trialName"]);
    const { command, env } = substituteCommand(e.trial, { lr: 0.02 }, { name: "trial-metadata-0" });
    const [cmd, ...args] = command;
    expect(cmd).toBe("node");
    const res = spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, ...env } });
    expect(res.stderr).toBe("");
    expect(res.stdout.trim()).toBe("team-a/Job/batch/v1 --lr=0.02 trial-metadata-0 custom-label:custom-annotation");
  });

  it("reads a weft.dev/v1 Pipeline trial and the multi-objective annotations", () => {
    const e = load("pipeline-multi.yaml");
    expect(e.trial).toEqual({
      kind: "pipeline",
      source: resolve(here, "pipelines", "train.ts"),
      parameters: { learning_rate: "lr", hidden_units: "hidden" },
      fixed: { epochs: 5, dataset: "fraud.csv" },
    });
    expect(e.metricsCollector).toEqual({ kind: "Pipeline" });
    expect(e.objective.metrics).toEqual([
      { name: "accuracy", goal: "maximize" },
      { name: "train_seconds", goal: "minimize" },
    ]);
    // An objective listed in additionalMetricNames (so a cluster records it) is an objective here.
    expect(e.objective.additionalMetricNames).toEqual(["f1"]);
    expect(e.objective.strategies).toEqual({ accuracy: "max", train_seconds: "min", f1: "max" });
    expect(e.objective.best).toEqual({ rule: "weighted", weights: { accuracy: 1, train_seconds: 0.2 } });
    expect(e.space.parameters[1]?.values).toEqual(["32", "64"]);
  });

  it("reads the File collector (JSON and TEXT) with Katib's defaults", () => {
    const d = base();
    d.spec.metricsCollectorSpec = {
      collector: { kind: "File" },
      source: { fileSystemPath: { path: "/tmp/m.json", kind: "File", format: "JSON" } },
    };
    expect(parseExperiment(stringify(d), "e.yaml").metricsCollector).toEqual({
      kind: "File",
      path: "/tmp/m.json",
      format: "JSON",
      filters: [],
    });
    d.spec.metricsCollectorSpec = { collector: { kind: "File" } };
    expect(parseExperiment(stringify(d), "e.yaml").metricsCollector).toEqual({
      kind: "File",
      path: "/var/log/katib/metrics.log",
      format: "TEXT",
      filters: [],
    });
  });

  it("lets hyperband's resource parameter have min = max, as Katib's hyperband example does", () => {
    const d = base();
    d.spec.algorithm = {
      algorithmName: "hyperband",
      algorithmSettings: [
        { name: "resource_name", value: "epochs" },
        { name: "eta", value: "2" },
      ],
    };
    d.spec.parameters.push({ name: "epochs", parameterType: "int", feasibleSpace: { min: "1", max: "1" } });
    d.spec.trialTemplate.trialParameters.push({ name: "epochs", reference: "epochs" });
    d.spec.trialTemplate.trialSpec.spec.template.spec.containers[0].command.push("--epochs=${trialParameters.epochs}");
    expect(parseExperiment(stringify(d), "e.yaml").space.parameters[2]).toMatchObject({ min: 1, max: 1 });
    d.spec.algorithm = { algorithmName: "random" };
    expect(errorOf(d).message).toMatch(/spec\.parameters\[2\]\.feasibleSpace\.max: max 1 is not greater than min 1/);
  });

  it("names a Kubeflow job's kind before its primaryPodLabels", () => {
    const d = base();
    d.spec.trialTemplate.primaryPodLabels = { "training.kubeflow.org/job-role": "master" };
    d.spec.trialTemplate.trialSpec.apiVersion = "kubeflow.org/v1";
    d.spec.trialTemplate.trialSpec.kind = "TFJob";
    expect(errorOf(d).message).toMatch(/trialSpec\.kind: kubeflow\.org\/v1 TFJob trials are not run locally/);
    d.spec.trialTemplate.trialSpec.apiVersion = "batch/v1";
    d.spec.trialTemplate.trialSpec.kind = "Job";
    expect(errorOf(d).message).toMatch(
      /spec\.trialTemplate\.primaryPodLabels: primary pod labels apply to Kubeflow training jobs/,
    );
  });

  it("accepts Katib's default Job conditions and what a cluster writes back", () => {
    const d = base();
    d.spec.trialTemplate.successCondition = JOB_SUCCESS_CONDITION;
    d.metadata.uid = "abc";
    d.status = { conditions: [] };
    expect(parseExperiment(stringify(d), "e.yaml").name).toBe("exp");
  });
});

describe("parseExperiment errors name the file, line and field, and say what to do", () => {
  const cases: [string, (d: Doc) => void, RegExp, string?][] = [
    [
      "unknown top-level field",
      (d) => {
        d.extra = 1;
      },
      /exp\.yaml:\d+: extra: is not a field here/,
    ],
    [
      "wrong apiVersion",
      (d) => {
        d.apiVersion = "kubeflow.org/v1alpha3";
      },
      /apiVersion: "kubeflow\.org\/v1alpha3" is not read/,
      "TUNING_SPEC_UNSUPPORTED",
    ],
    [
      "bad name",
      (d) => {
        d.metadata.name = "My_Exp";
      },
      /metadata\.name: "My_Exp" is not a valid name/,
    ],
    [
      "unknown spec field",
      (d) => {
        d.spec.maxTrials = 3;
      },
      /spec\.maxTrials: is not a field here/,
    ],
    [
      "nasConfig",
      (d) => {
        d.spec.nasConfig = {};
      },
      /spec\.nasConfig: neural architecture search/,
      "TUNING_SPEC_UNSUPPORTED",
    ],
    [
      "min >= max",
      (d) => {
        d.spec.parameters[0].feasibleSpace.max = "0.01";
      },
      /spec\.parameters\[0\]\.feasibleSpace\.max: max 0\.01 is not greater than min 0\.01/,
    ],
    [
      "max missing",
      (d) => {
        delete d.spec.parameters[0].feasibleSpace.max;
      },
      /spec\.parameters\[0\]\.feasibleSpace\.max: a double parameter needs a finite max/,
    ],
    [
      "not a number",
      (d) => {
        d.spec.parameters[0].feasibleSpace.min = "abc";
      },
      /spec\.parameters\[0\]\.feasibleSpace\.min: "abc" is not a number/,
    ],
    [
      "int bound not integer",
      (d) => {
        d.spec.parameters[0] = { name: "lr", parameterType: "int", feasibleSpace: { min: "1.5", max: "4" } };
      },
      /feasibleSpace\.min: 1\.5 is not an integer/,
    ],
    [
      "int step not integer",
      (d) => {
        d.spec.parameters[0] = { name: "lr", parameterType: "int", feasibleSpace: { min: "1", max: "4", step: "0.5" } };
      },
      /feasibleSpace\.step: 0\.5 is not an integer/,
    ],
    [
      "step <= 0",
      (d) => {
        d.spec.parameters[0].feasibleSpace.step = "0";
      },
      /feasibleSpace\.step: 0 is not a positive number/,
    ],
    [
      "step too large",
      (d) => {
        d.spec.parameters[0].feasibleSpace.step = "1";
      },
      /feasibleSpace\.step: step 1 is larger than max - min/,
    ],
    [
      "logUniform min <= 0",
      (d) => {
        d.spec.parameters[0].feasibleSpace = { min: "0", max: "1", distribution: "logUniform" };
      },
      /spec\.parameters\[0\]\.feasibleSpace\.min: logUniform needs min > 0/,
    ],
    [
      "unknown distribution",
      (d) => {
        d.spec.parameters[0].feasibleSpace.distribution = "beta";
      },
      /feasibleSpace\.distribution: "beta" is not allowed\. Use one of uniform, logUniform, normal, logNormal/,
    ],
    [
      "list on a double",
      (d) => {
        d.spec.parameters[0].feasibleSpace.list = ["1"];
      },
      /feasibleSpace\.list: a double parameter takes min and max, not a list/,
    ],
    [
      "empty list",
      (d) => {
        d.spec.parameters[1].feasibleSpace.list = [];
      },
      /spec\.parameters\[1\]\.feasibleSpace\.list: a categorical parameter needs a non-empty list/,
    ],
    [
      "duplicate list value",
      (d) => {
        d.spec.parameters[1].feasibleSpace.list = ["a", "a"];
      },
      /feasibleSpace\.list\[1\]: "a" is listed twice/,
    ],
    [
      "discrete non-number",
      (d) => {
        d.spec.parameters[1] = { name: "opt", parameterType: "discrete", feasibleSpace: { list: ["1", "x"] } };
      },
      /feasibleSpace\.list\[1\]: "x" is not a number/,
    ],
    [
      "min on categorical",
      (d) => {
        d.spec.parameters[1].feasibleSpace.min = "1";
      },
      /feasibleSpace\.min: a categorical parameter takes a list/,
    ],
    [
      "distribution on categorical",
      (d) => {
        d.spec.parameters[1].feasibleSpace.distribution = "normal";
      },
      /feasibleSpace\.distribution: a categorical parameter has no distribution/,
    ],
    [
      "unknown parameterType",
      (d) => {
        d.spec.parameters[1].parameterType = "string";
      },
      /spec\.parameters\[1\]\.parameterType: "string" is not allowed/,
    ],
    [
      "duplicate parameter",
      (d) => {
        d.spec.parameters[1].name = "lr";
      },
      /spec\.parameters\[1\]\.name: "lr" is declared twice \(also at spec\.parameters\[0\]\)/,
    ],
    [
      "unknown feasibleSpace field",
      (d) => {
        d.spec.parameters[0].feasibleSpace.maximum = "1";
      },
      /spec\.parameters\[0\]\.feasibleSpace\.maximum: is not a field here/,
    ],
    [
      "condition on a later parameter",
      (d) => {
        d.spec.parameters[0].when = { parameter: "opt", values: ["sgd"] };
      },
      /spec\.parameters\[0\]\.when: the condition names "opt", which is not a parameter declared before "lr"/,
    ],
    [
      "condition value not legal",
      (d) => {
        d.spec.parameters.push({
          name: "m",
          parameterType: "double",
          feasibleSpace: { min: "0", max: "1" },
          when: { parameter: "opt", values: ["rmsprop"] },
        });
      },
      /spec\.parameters\[2\]\.when: "rmsprop" is not a value of "opt"/,
    ],
    [
      "condition on a double",
      (d) => {
        d.spec.parameters.push({
          name: "m",
          parameterType: "double",
          feasibleSpace: { min: "0", max: "1" },
          when: { parameter: "lr", values: ["0.05"] },
        });
      },
      /when: the condition's parameter "lr" is a double/,
    ],
    [
      "objective type missing",
      (d) => {
        delete d.spec.objective.type;
      },
      /spec\.objective\.type: is required\. Use minimize or maximize/,
    ],
    [
      "strategy for unknown metric",
      (d) => {
        d.spec.objective.metricStrategies = [{ name: "acc", value: "max" }];
      },
      /spec\.objective\.metricStrategies: "acc" is not one of the experiment's metrics \(loss\)/,
    ],
    [
      "bad strategy",
      (d) => {
        d.spec.objective.metricStrategies = [{ name: "loss", value: "avg" }];
      },
      /metricStrategies\[0\]\.value: "avg" is not allowed/,
    ],
    [
      "additional metric twice",
      (d) => {
        d.spec.objective.additionalMetricNames = ["acc", "acc"];
      },
      /additionalMetricNames: "acc" is already an objective or listed twice/,
    ],
    [
      "unknown algorithm",
      (d) => {
        d.spec.algorithm.algorithmName = "hyperopt";
      },
      /spec\.algorithm\.algorithmName: "hyperopt" is not an algorithm/,
    ],
    [
      "pbt",
      (d) => {
        d.spec.algorithm.algorithmName = "pbt";
      },
      /algorithmName: pbt: population-based training/,
      "TUNING_SPEC_UNSUPPORTED",
    ],
    [
      "bad random_state",
      (d) => {
        d.spec.algorithm.algorithmSettings = [{ name: "random_state", value: "-1" }];
      },
      /algorithmSettings\[0\]\.value: random_state "-1" is not an integer/,
    ],
    [
      "setting twice",
      (d) => {
        d.spec.algorithm.algorithmSettings = [
          { name: "a", value: "1" },
          { name: "a", value: "2" },
        ];
      },
      /algorithmSettings\[1\]\.name: "a" is set twice/,
    ],
    [
      "early stopping other than medianstop",
      (d) => {
        d.spec.earlyStopping = { algorithmName: "hyperband" };
      },
      /spec\.earlyStopping\.algorithmName: "hyperband" is not allowed\. Use one of medianstop/,
    ],
    [
      "parallel > max",
      (d) => {
        d.spec.maxTrialCount = 2;
        d.spec.parallelTrialCount = 4;
      },
      /spec\.parallelTrialCount: 4 is more than the maximum of 2 trials/,
    ],
    [
      "maxFailed > max",
      (d) => {
        d.spec.maxTrialCount = 2;
        d.spec.parallelTrialCount = 1;
        d.spec.maxFailedTrialCount = 3;
      },
      /spec\.maxFailedTrialCount: 3 is more than the maximum/,
    ],
    [
      "negative count",
      (d) => {
        d.spec.maxTrialCount = -1;
      },
      /spec\.maxTrialCount: -1 is not an integer >= 1/,
    ],
    [
      "bad resumePolicy",
      (d) => {
        d.spec.resumePolicy = "Always";
      },
      /spec\.resumePolicy: "Always" is not allowed\. Use one of Never, LongRunning, FromVolume/,
    ],
    [
      "trial parameter referencing unknown parameter",
      (d) => {
        d.spec.trialTemplate.trialParameters[0].reference = "learning_rate";
      },
      /trialParameters\[0\]\.reference: "learning_rate" is not a parameter of spec\.parameters \(lr, opt\)/,
    ],
    [
      "trial parameter unused",
      (d) => {
        d.spec.trialTemplate.trialParameters.push({ name: "x", reference: "${trialSpec.Name}" });
      },
      /trialParameters\[2\]\.name: "x" is never used/,
    ],
    [
      "placeholder not declared",
      (d) => {
        d.spec.trialTemplate.trialSpec.spec.template.spec.containers[0].command.push("${trialParameters.units}");
      },
      /spec\.trialTemplate\.trialSpec: \$\{trialParameters\.units\} is not in spec\.trialTemplate\.trialParameters/,
    ],
    [
      "duplicate trial parameter",
      (d) => {
        d.spec.trialTemplate.trialParameters[1].name = "lr";
      },
      /trialParameters\[1\]\.name: "lr" is declared twice/,
    ],
    [
      "bad metadata reference",
      (d) => {
        d.spec.trialTemplate.trialParameters.push({ name: "x", reference: "${trialSpec.Uid}" });
        d.spec.trialTemplate.trialSpec.spec.template.spec.containers[0].command.push("${trialParameters.x}");
      },
      /trialParameters\[2\]\.reference: \$\{trialSpec\.Uid\} is not trial metadata/,
    ],
    [
      "missing label",
      (d) => {
        d.spec.trialTemplate.trialParameters.push({ name: "x", reference: "${trialSpec.Labels[team]}" });
        d.spec.trialTemplate.trialSpec.spec.template.spec.containers[0].command.push("${trialParameters.x}");
      },
      /metadata\.labels has no key "team"/,
    ],
    [
      "configMap trial",
      (d) => {
        d.spec.trialTemplate.configMap = { configMapName: "t" };
      },
      /spec\.trialTemplate\.configMap: a trial template in a ConfigMap is not read locally/,
      "TUNING_SPEC_UNSUPPORTED",
    ],
    [
      "TFJob",
      (d) => {
        d.spec.trialTemplate.trialSpec.apiVersion = "kubeflow.org/v1";
        d.spec.trialTemplate.trialSpec.kind = "TFJob";
      },
      /trialSpec\.kind: kubeflow\.org\/v1 TFJob trials are not run locally\. Use a batch\/v1 Job/,
      "TUNING_SPEC_UNSUPPORTED",
    ],
    [
      "custom successCondition",
      (d) => {
        d.spec.trialTemplate.successCondition = "status.succeeded==1";
      },
      /spec\.trialTemplate\.successCondition: only Katib's default for a Job/,
      "TUNING_SPEC_UNSUPPORTED",
    ],
    [
      "no command",
      (d) => {
        delete d.spec.trialTemplate.trialSpec.spec.template.spec.containers[0].command;
        d.spec.trialTemplate.trialSpec.spec.template.spec.containers[0].args = [
          "${trialParameters.lr}",
          "${trialParameters.opt}",
        ];
      },
      /containers\[0\]\.command: is required: the image's entrypoint is not known locally/,
    ],
    [
      "unknown primary container",
      (d) => {
        d.spec.trialTemplate.primaryContainerName = "train";
      },
      /spec\.trialTemplate\.primaryContainerName: no container is named "train" \(containers: main\)/,
    ],
    [
      "env from a secret",
      (d) => {
        d.spec.trialTemplate.trialSpec.spec.template.spec.containers[0].env = [
          { name: "K", valueFrom: { secretKeyRef: {} } },
        ];
      },
      /env\[0\]\.valueFrom: secrets/,
      "TUNING_SPEC_UNSUPPORTED",
    ],
    [
      "TensorFlowEvent collector",
      (d) => {
        d.spec.metricsCollectorSpec = { collector: { kind: "TensorFlowEvent" } };
      },
      /spec\.metricsCollectorSpec\.collector\.kind: TensorFlowEvent:/,
      "TUNING_SPEC_UNSUPPORTED",
    ],
    [
      "filter without two groups",
      (d) => {
        d.spec.metricsCollectorSpec = { source: { filter: { metricsFormat: ["loss=(\\d+)"] } } };
      },
      /spec\.metricsCollectorSpec\.source\.filter\.metricsFormat\[0\]: `loss=\(\\d\+\)` has 1 group\(s\)/,
    ],
    [
      "JSON with a filter",
      (d) => {
        d.spec.metricsCollectorSpec = {
          collector: { kind: "File" },
          source: { filter: { metricsFormat: ["(a)(b)"] }, fileSystemPath: { path: "/m", format: "JSON" } },
        };
      },
      /spec\.metricsCollectorSpec\.source\.filter: applies to TEXT metrics/,
    ],
    [
      "fileSystemPath on StdOut",
      (d) => {
        d.spec.metricsCollectorSpec = { source: { fileSystemPath: { path: "/m" } } };
      },
      /source\.fileSystemPath: applies to the File collector/,
    ],
    [
      "objectives annotation malformed",
      (d) => {
        d.metadata.annotations = { "tuning.weft.dev/objectives": "acc=max" };
      },
      /metadata\.annotations\.tuning\.weft\.dev\/objectives: "acc=max" is not "metric:minimize"/,
    ],
    [
      "best with one objective",
      (d) => {
        d.metadata.annotations = { "tuning.weft.dev/best": "lexicographic loss" };
      },
      /tuning\.weft\.dev\/best: a rule choosing the best applies to two or more objectives/,
    ],
    [
      "best naming a non-objective",
      (d) => {
        d.metadata.annotations = {
          "tuning.weft.dev/objectives": "t:minimize",
          "tuning.weft.dev/best": "weighted loss=1,acc=2",
        };
      },
      /tuning\.weft\.dev\/best: "acc" is not an objective \(loss, t\)/,
    ],
    [
      "unknown weft annotation",
      (d) => {
        d.metadata.annotations = { "tuning.weft.dev/seed": "1" };
      },
      /metadata\.annotations\.tuning\.weft\.dev\/seed: is not a Weft annotation/,
    ],
  ];
  for (const [name, edit, message, code = "TUNING_SPEC_INVALID"] of cases) {
    it(name, () => {
      const err = broken(edit);
      expect(err.message).toMatch(message);
      expect(err.message).toMatch(/^exp\.yaml(:\d+)?: /);
      expect(err.code).toBe(code);
    });
  }

  it("gives the line of the field", () => {
    const text = stringify(base()).replace('max: "0.1"', 'max: "zero"');
    const err = errorOf(text);
    const line = text.split("\n").findIndex((l) => l.includes('"zero"')) + 1;
    expect(err.message).toContain(`exp.yaml:${line}: spec.parameters[0].feasibleSpace.max: "zero" is not a number`);
  });

  it("reports YAML syntax errors, empty files and several documents", () => {
    expect(errorOf("a: [1,\n").message).toMatch(/^exp\.yaml:\d+:\d+: not valid YAML/);
    expect(errorOf("").message).toContain("the file is empty");
    expect(errorOf(`${stringify(base())}---\n${stringify(base())}`).message).toContain("holds 2 YAML documents");
  });

  it("rejects pipeline parameters that are not one trial parameter, and a collector on a pipeline trial", () => {
    const d = base();
    d.spec.trialTemplate.trialSpec = {
      apiVersion: "weft.dev/v1",
      kind: "Pipeline",
      spec: { pipeline: "p.yaml", parameters: { lr: "lr=${trialParameters.lr}", opt: "${trialParameters.opt}" } },
    };
    expect(errorOf(d).message).toMatch(
      /trialSpec\.spec\.parameters\.lr: "lr=\$\{trialParameters\.lr\}" is not one \$\{trialParameters\.<name>\} reference/,
    );
    d.spec.trialTemplate.trialSpec.spec.parameters.lr = "${trialParameters.lr}";
    d.spec.metricsCollectorSpec = { collector: { kind: "StdOut" } };
    expect(errorOf(d).code).toBe("TUNING_SPEC_UNSUPPORTED");
    delete d.spec.metricsCollectorSpec;
    d.spec.trialTemplate.trialSpec.spec.pipeline = "p.txt";
    expect(errorOf(d).message).toMatch(/trialSpec\.spec\.pipeline: "p\.txt" is not a pipeline file/);
  });

  it("names an unknown reference when substituting", () => {
    expect(() =>
      substituteCommand({ command: ["${trialParameters.nope}"], env: {}, trialParameters: [] }, {}, { name: "t-0" }),
    ).toThrow(/trial t-0: command\[0\]: \$\{trialParameters\.nope\} is not a trial parameter/);
  });
});

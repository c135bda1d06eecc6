/**
 * Small real pipelines for the end-to-end tests, as KFP IR: container tasks that run
 * `sh -c` or `node -e` on this machine and write real artifacts (datasets, Metrics,
 * ClassificationMetrics, HTML, Markdown, a model directory), a slow logger, and a DAG
 * with a condition and a loop.
 */

import { writeParquet } from "./parquet-writer.ts";

type Obj = Record<string, unknown>;

const PARQUET_B64 = Buffer.from(
  writeParquet([
    { name: "user", values: Array.from({ length: 200 }, (_, i) => i + 1) },
    { name: "score", values: Array.from({ length: 200 }, (_, i) => Math.round(Math.sin(i) * 1000) / 1000) },
    { name: "country", values: Array.from({ length: 200 }, (_, i) => ["NO", "PE", "JP"][i % 3] as string) },
  ]),
).toString("base64");

const art = (title: string): Obj => ({ artifactType: { schemaTitle: title, schemaVersion: "0.0.1" } });

/** Writes every artifact of the "viewers" pipeline; its ROC depends on `seed` and `noise`. */
const EVALUATE_JS = String.raw`
const fs = require("node:fs");
const path = require("node:path");
const [execInput, seedText, noiseText, metricsPath, clsPath, htmlPath, mdPath, modelPath] = process.argv.slice(1);
const ei = JSON.parse(execInput);
let s = Number(seedText) || 1;
const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
const noise = Number(noiseText);
const n = 400;
const rows = [];
for (let i = 0; i < n; i++) {
  const label = rand() < 0.3 ? 1 : 0;
  const score = Math.min(1, Math.max(0, (label ? 0.65 : 0.35) + (rand() - 0.5) * noise));
  rows.push({ label, score });
}
const P = rows.filter((r) => r.label).length;
const N = n - P;
const roc = [];
for (let t = 1.05; t >= -0.0001; t -= 0.05) {
  const tp = rows.filter((r) => r.label && r.score >= t).length;
  const fp = rows.filter((r) => !r.label && r.score >= t).length;
  roc.push({ confidenceThreshold: Math.max(0, t), falsePositiveRate: fp / N, recall: tp / P });
}
let auc = 0;
for (let i = 1; i < roc.length; i++) auc += (roc[i].falsePositiveRate - roc[i - 1].falsePositiveRate) * (roc[i].recall + roc[i - 1].recall) / 2;
const tp = rows.filter((r) => r.label && r.score >= 0.5).length;
const fp = rows.filter((r) => !r.label && r.score >= 0.5).length;
const fn = P - tp;
const tn = N - fp;
const accuracy = (tp + tn) / n;
for (const p of [metricsPath, clsPath, htmlPath, mdPath]) fs.mkdirSync(path.dirname(p), { recursive: true });
fs.writeFileSync(metricsPath, "");
fs.writeFileSync(clsPath, "");
fs.writeFileSync(htmlPath, "<!doctype html><h1 id='report'>Evaluation report</h1><p>accuracy " + accuracy.toFixed(3) + "</p><script>document.body.dataset.ran='yes'</script>");
fs.writeFileSync(mdPath, "# Model card\n\n| metric | value |\n| --- | --- |\n| accuracy | " + accuracy.toFixed(3) + " |\n\n<img src=x onerror=alert(1)>\n");
fs.mkdirSync(modelPath, { recursive: true });
fs.writeFileSync(path.join(modelPath, "model.json"), JSON.stringify({ weights: [0.5, -0.25], bias: 0.1 }));
fs.writeFileSync(path.join(modelPath, "README.txt"), "logistic regression");
const out = {
  artifacts: {
    metrics: { artifacts: [{ metadata: { accuracy, roc_auc: auc, f1: (2 * tp) / (2 * tp + fp + fn) } }] },
    classification: { artifacts: [{ metadata: { confidenceMetrics: roc, confusionMatrix: { annotationSpecs: [{ displayName: "legit" }, { displayName: "fraud" }], rows: [{ row: [tn, fp] }, { row: [fn, tp] }] } } }] },
    model: { artifacts: [{ metadata: { framework: "logreg.js", features: 2 } }] },
  },
};
fs.writeFileSync(ei.outputs.outputFile, JSON.stringify(out));
console.log("evaluated seed " + seedText + ": accuracy " + accuracy.toFixed(3) + ", ROC-AUC " + auc.toFixed(3));
`;

const DATA_SH = [
  'mkdir -p "$(dirname "$0")" "$(dirname "$1")" "$(dirname "$2")"',
  'printf "%s" "$3" | base64 -d > "$2"',
  'printf "id,amount,label\\n1,10.5,0\\n2,\\"1,200.00\\",1\\n3,7.25,0\\n" > "$0"',
  'printf "{\\"id\\":1,\\"city\\":\\"Oslo\\"}\\n{\\"id\\":2,\\"city\\":\\"Lima\\"}\\n" > "$1"',
  "echo wrote datasets",
].join("\n");

/** The "viewers" pipeline: make-data (CSV, JSONL and Parquet datasets) → evaluate (metrics, ROC, HTML, Markdown, model). */
export function viewersPipeline(): Obj {
  return {
    pipelineInfo: { name: "viewers-demo", description: "Writes one artifact of every kind the UI can show." },
    schemaVersion: "2.1.0",
    sdkVersion: "weft-e2e",
    root: {
      inputDefinitions: {
        parameters: {
          seed: { parameterType: "NUMBER_INTEGER", defaultValue: 7 },
          noise: { parameterType: "NUMBER_DOUBLE", defaultValue: 0.9 },
          label: { parameterType: "STRING", defaultValue: "baseline", isOptional: true },
        },
      },
      dag: {
        tasks: {
          "make-data": { taskInfo: { name: "make-data" }, componentRef: { name: "comp-make-data" } },
          evaluate: {
            taskInfo: { name: "evaluate" },
            componentRef: { name: "comp-evaluate" },
            dependentTasks: ["make-data"],
            inputs: {
              parameters: { seed: { componentInputParameter: "seed" }, noise: { componentInputParameter: "noise" } },
              artifacts: { data: { taskOutputArtifact: { producerTask: "make-data", outputArtifactKey: "table" } } },
            },
          },
        },
      },
    },
    components: {
      "comp-make-data": {
        executorLabel: "exec-make-data",
        outputDefinitions: {
          artifacts: { table: art("system.Dataset"), records: art("system.Dataset"), columns: art("system.Dataset") },
        },
      },
      "comp-evaluate": {
        executorLabel: "exec-evaluate",
        inputDefinitions: {
          parameters: { seed: { parameterType: "NUMBER_INTEGER" }, noise: { parameterType: "NUMBER_DOUBLE" } },
          artifacts: { data: art("system.Dataset") },
        },
        outputDefinitions: {
          artifacts: {
            metrics: art("system.Metrics"),
            classification: art("system.ClassificationMetrics"),
            report: art("system.HTML"),
            card: art("system.Markdown"),
            model: art("system.Model"),
          },
        },
      },
    },
    deploymentSpec: {
      executors: {
        "exec-make-data": {
          container: {
            image: "alpine",
            command: [
              "sh",
              "-c",
              DATA_SH,
              "{{$.outputs.artifacts['table'].path}}",
              "{{$.outputs.artifacts['records'].path}}",
              "{{$.outputs.artifacts['columns'].path}}",
              PARQUET_B64,
            ],
          },
        },
        "exec-evaluate": {
          container: {
            image: "node:20",
            command: [
              "node",
              "-e",
              EVALUATE_JS,
              "{{$}}",
              "{{$.inputs.parameters['seed']}}",
              "{{$.inputs.parameters['noise']}}",
              "{{$.outputs.artifacts['metrics'].path}}",
              "{{$.outputs.artifacts['classification'].path}}",
              "{{$.outputs.artifacts['report'].path}}",
              "{{$.outputs.artifacts['card'].path}}",
              "{{$.outputs.artifacts['model'].path}}",
            ],
          },
        },
      },
    },
  };
}

/** A pipeline whose one task prints `lines` lines, `delay` seconds apart (for following a log). */
export function loggerPipeline(lines = 20, delay = 0.25): Obj {
  const script = `i=1; while [ $i -le $0 ]; do echo "tick $i of $0"; i=$((i+1)); sleep ${delay}; done`;
  return {
    pipelineInfo: { name: "slow-logger" },
    schemaVersion: "2.1.0",
    sdkVersion: "weft-e2e",
    root: {
      inputDefinitions: { parameters: { lines: { parameterType: "NUMBER_INTEGER", defaultValue: lines } } },
      dag: {
        tasks: {
          talk: {
            taskInfo: { name: "talk" },
            componentRef: { name: "comp-talk" },
            inputs: { parameters: { lines: { componentInputParameter: "lines" } } },
          },
        },
      },
    },
    components: {
      "comp-talk": {
        executorLabel: "exec-talk",
        inputDefinitions: { parameters: { lines: { parameterType: "NUMBER_INTEGER" } } },
      },
    },
    deploymentSpec: {
      executors: {
        "exec-talk": {
          container: { image: "alpine", command: ["sh", "-c", script, "{{$.inputs.parameters['lines']}}"] },
        },
      },
    },
  };
}

/**
 * A generated pipeline of `n` echo tasks in layers of `width` (each task depends on one
 * task of the layer above), for the 500-task benchmark and DAG tests.
 */
export function widePipeline(n: number, width = 25): Obj {
  const tasks: Obj = {};
  for (let i = 0; i < n; i++) {
    const layer = Math.floor(i / width);
    const t: Obj = { taskInfo: { name: `t${i}` }, componentRef: { name: "comp-echo" } };
    if (layer > 0) t.dependentTasks = [`t${(layer - 1) * width + (i % width)}`];
    tasks[`t${i}`] = t;
  }
  return {
    pipelineInfo: { name: `wide-${n}` },
    schemaVersion: "2.1.0",
    sdkVersion: "weft-e2e",
    root: { dag: { tasks } },
    components: { "comp-echo": { executorLabel: "exec-echo" } },
    deploymentSpec: {
      executors: { "exec-echo": { container: { image: "alpine", command: ["sh", "-c", "echo ok"] } } },
    },
  };
}

/** A DAG with a loop over three items and a condition, for the sub-DAG views. */
export function controlFlowPipeline(): Obj {
  const item = "pipelinechannel--loop-item-param-1";
  return {
    pipelineInfo: { name: "control-flow" },
    schemaVersion: "2.1.0",
    sdkVersion: "weft-e2e",
    root: {
      inputDefinitions: { parameters: { n: { parameterType: "NUMBER_INTEGER", defaultValue: 7 } } },
      dag: {
        tasks: {
          start: { taskInfo: { name: "start" }, componentRef: { name: "comp-say" } },
          "for-loop-1": {
            taskInfo: { name: "for-loop-1" },
            componentRef: { name: "comp-for-loop-1" },
            dependentTasks: ["start"],
            parameterIterator: { items: { raw: "[1, 2, 3]" }, itemInput: item },
          },
          "condition-2": {
            taskInfo: { name: "condition-2" },
            componentRef: { name: "comp-condition-2" },
            dependentTasks: ["start"],
            inputs: { parameters: { "pipelinechannel--n": { componentInputParameter: "n" } } },
            triggerPolicy: { condition: "int(inputs.parameter_values['pipelinechannel--n']) > 5" },
          },
        },
      },
    },
    components: {
      "comp-say": { executorLabel: "exec-say" },
      "comp-for-loop-1": {
        inputDefinitions: { parameters: { [item]: { parameterType: "NUMBER_INTEGER" } } },
        dag: { tasks: { square: { taskInfo: { name: "square" }, componentRef: { name: "comp-say" } } } },
      },
      "comp-condition-2": {
        inputDefinitions: { parameters: { "pipelinechannel--n": { parameterType: "NUMBER_INTEGER" } } },
        dag: { tasks: { big: { taskInfo: { name: "big" }, componentRef: { name: "comp-say" } } } },
      },
    },
    deploymentSpec: {
      executors: { "exec-say": { container: { image: "alpine", command: ["sh", "-c", "echo hello"] } } },
    },
  };
}

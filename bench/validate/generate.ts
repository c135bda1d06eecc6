/**
 * Writes a large KFP pipeline YAML in the form the KFP compiler emits: `tasks` container
 * tasks in root's DAG, laid out in layers of `width` tasks, each task reading an artifact
 * and parameters from tasks of the layer above (a wide and long DAG), running one of a
 * few reused components, every tenth with a retry policy. The default size (45,500 tasks,
 * about 50 MB) is the pipeline the validation benchmark reads.
 *
 * Run: npx tsx bench/validate/generate.ts out.yaml [tasks] [width]
 */
import { writeFileSync } from "node:fs";

/** Options of {@link generateLargePipeline}. */
export interface LargePipelineOptions {
  /** Number of tasks in root's DAG (default 45,500). */
  tasks?: number;
  /** Tasks per layer (default 100); each layer reads from the one above. */
  width?: number;
}

const STEP_KINDS = 4;

function taskName(i: number): string {
  return i < 0 ? "source" : `step-${i}`;
}

function componentsYaml(): string[] {
  const out = ["components:", "  comp-source:", "    executorLabel: exec-source"];
  out.push(
    "    inputDefinitions:",
    "      parameters:",
    "        seed:",
    "          defaultValue: 1.0",
    "          isOptional: true",
    "          parameterType: NUMBER_INTEGER",
    "    outputDefinitions:",
    "      artifacts:",
    "        data:",
    "          artifactType:",
    "            schemaTitle: system.Dataset",
    "            schemaVersion: 0.0.1",
    "      parameters:",
    "        count:",
    "          parameterType: NUMBER_INTEGER",
  );
  for (let k = 0; k < STEP_KINDS; k++) {
    out.push(
      `  comp-step-${k}:`,
      `    executorLabel: exec-step-${k}`,
      "    inputDefinitions:",
      "      artifacts:",
      "        data:",
      "          artifactType:",
      "            schemaTitle: system.Dataset",
      "            schemaVersion: 0.0.1",
      "      parameters:",
      "        config:",
      "          parameterType: STRUCT",
      "        count:",
      "          parameterType: NUMBER_INTEGER",
      "        label:",
      "          parameterType: STRING",
      "        rate:",
      "          defaultValue: 0.5",
      "          isOptional: true",
      "          parameterType: NUMBER_DOUBLE",
      "        weight:",
      "          parameterType: NUMBER_INTEGER",
      "    outputDefinitions:",
      "      artifacts:",
      "        data:",
      "          artifactType:",
      "            schemaTitle: system.Dataset",
      "            schemaVersion: 0.0.1",
      "      parameters:",
      "        count:",
      "          parameterType: NUMBER_INTEGER",
    );
  }
  return out;
}

function executorsYaml(): string[] {
  const out = ["deploymentSpec:", "  executors:"];
  const exec = (label: string, script: string) => {
    out.push(
      `    ${label}:`,
      "      container:",
      "        args:",
      "        - --executor_input",
      "        - '{{$}}'",
      "        command:",
      "        - sh",
      "        - -ec",
      `        - ${script}`,
      "        image: python:3.11",
    );
  };
  exec("exec-source", "echo source");
  for (let k = 0; k < STEP_KINDS; k++) exec(`exec-step-${k}`, `echo step ${k}`);
  return out;
}

function taskYaml(out: string[], i: number, width: number): void {
  const name = taskName(i);
  const layer = Math.floor(i / width);
  const col = i % width;
  const first = layer === 0 ? -1 : (layer - 1) * width + col;
  const second = layer === 0 ? -1 : (layer - 1) * width + ((col + 1) % width);
  const up = [...new Set([taskName(first), taskName(second)])].sort();
  out.push(
    `        ${name}:`,
    "          cachingOptions:",
    "            enableCache: true",
    "          componentRef:",
    `            name: comp-step-${i % STEP_KINDS}`,
    "          dependentTasks:",
    ...up.map((u) => `          - ${u}`),
    "          inputs:",
    "            artifacts:",
    "              data:",
    "                taskOutputArtifact:",
    "                  outputArtifactKey: data",
    `                  producerTask: ${taskName(first)}`,
    "            parameters:",
    "              config:",
    "                runtimeValue:",
    "                  constant:",
    "                    batch_size: 64",
    "                    columns:",
    `                    - feature_${col}_a`,
    `                    - feature_${col}_b`,
    "                    - label",
    "                    normalize: true",
    `                    seed: ${i}`,
    "              count:",
    "                taskOutputParameter:",
    "                  outputParameterKey: count",
    `                  producerTask: ${taskName(second)}`,
    "              label:",
    "                runtimeValue:",
    `                  constant: layer ${layer} column ${col} of the generated benchmark pipeline, reading from ${taskName(first)} and ${taskName(second)}`,
    "              rate:",
    "                componentInputParameter: rate",
    "              weight:",
    "                runtimeValue:",
    `                  constant: ${i}`,
  );
  if (i % 10 === 0) {
    out.push(
      "          retryPolicy:",
      "            backoffDuration: 1s",
      "            backoffFactor: 2.0",
      "            backoffMaxDuration: 3600s",
      "            maxRetryCount: 2",
    );
  }
  out.push("          taskInfo:", `            name: ${name}`);
}

/**
 * The pipeline as KFP-style YAML text. Task names sort as text, not in file order, as in
 * compiled IR; the source task is `source`, the others `step-N`.
 *
 * @example writeFileSync("big.yaml", generateLargePipeline({ tasks: 45_500 }));
 */
export function generateLargePipeline(opts: LargePipelineOptions = {}): string {
  const tasks = opts.tasks ?? 45_500;
  const width = Math.max(1, Math.min(opts.width ?? 100, tasks - 1));
  const out: string[] = [
    "# PIPELINE DEFINITION",
    "# Name: large-pipeline",
    "# Inputs:",
    "#    rate: float [Default: 0.5]",
    ...componentsYaml(),
    ...executorsYaml(),
    "pipelineInfo:",
    "  name: large-pipeline",
    "root:",
    "  dag:",
    "    tasks:",
  ];
  out.push(
    "      source:",
    "        cachingOptions:",
    "          enableCache: true",
    "        componentRef:",
    "          name: comp-source",
    "        taskInfo:",
    "          name: source",
  );
  const body: string[] = [];
  for (let i = 0; i < tasks - 1; i++) taskYaml(body, i, width);
  // task lines are written at the depth of a nested DAG; root's tasks sit two columns left
  for (const line of body) out.push(line.slice(2));
  out.push(
    "  inputDefinitions:",
    "    parameters:",
    "      rate:",
    "        defaultValue: 0.5",
    "        isOptional: true",
    "        parameterType: NUMBER_DOUBLE",
    "schemaVersion: 2.1.0",
    "sdkVersion: kfp-2.14.3",
    "",
  );
  return out.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, tasks, width] = process.argv.slice(2);
  if (!file) {
    console.error("usage: npx tsx bench/validate/generate.ts out.yaml [tasks] [width]");
    process.exit(2);
  }
  const text = generateLargePipeline({
    ...(tasks ? { tasks: Number(tasks) } : {}),
    ...(width ? { width: Number(width) } : {}),
  });
  writeFileSync(file, text);
  console.log(`${file}: ${(text.length / 1e6).toFixed(1)} MB`);
}

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's ${trialParameters.x} placeholders are literal text here
/**
 * A Katib Experiment whose trial is a batch/v1 Job running `node -e <script> <args...>`,
 * for the tests of `weft tune`, the server's POST route and the resume acceptance. The
 * trial's arguments are given as written, placeholders included (`x=${trialParameters.x}`).
 */

export interface KatibParameter {
  readonly name: string;
  readonly type: "double" | "discrete";
  readonly min?: number;
  readonly max?: number;
  readonly list?: readonly number[];
}

export interface JobExperiment {
  readonly name: string;
  /** The program `node -e` runs; it prints `loss=<value>`. */
  readonly script: string;
  readonly args: readonly string[];
  readonly parameters: readonly KatibParameter[];
  readonly parallel?: number;
  readonly maxTrials?: number;
  readonly maxFailures?: number;
  readonly randomState?: number;
}

function parameterYaml(p: KatibParameter): string {
  const space =
    p.type === "discrete"
      ? `        list: [${(p.list ?? []).map((v) => JSON.stringify(String(v))).join(", ")}]`
      : `        min: "${p.min}"\n        max: "${p.max}"`;
  return `    - name: ${p.name}\n      parameterType: ${p.type}\n      feasibleSpace:\n${space}\n`;
}

/** The Experiment's YAML: random search, minimising `loss`, one trial parameter per search parameter. */
export function jobExperimentYaml(e: JobExperiment): string {
  const settings =
    e.randomState === undefined
      ? ""
      : `    algorithmSettings:\n      - name: random_state\n        value: "${e.randomState}"\n`;
  const failures = e.maxFailures === undefined ? "" : `  maxFailedTrialCount: ${e.maxFailures}\n`;
  const trialParameters = e.parameters.map((p) => `      - name: ${p.name}\n        reference: ${p.name}\n`).join("");
  const command = [process.execPath, "-e", e.script, ...e.args].map(
    (a) => `                  - ${JSON.stringify(a)}\n`,
  );
  return `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${e.name}
spec:
  objective:
    type: minimize
    objectiveMetricName: loss
  algorithm:
    algorithmName: random
${settings}  parallelTrialCount: ${e.parallel ?? 2}
  maxTrialCount: ${e.maxTrials ?? 4}
${failures}  parameters:
${e.parameters.map(parameterYaml).join("")}  trialTemplate:
    primaryContainerName: training
    trialParameters:
${trialParameters}    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            containers:
              - name: training
                image: node:22
                command:
${command.join("")}            restartPolicy: Never
`;
}

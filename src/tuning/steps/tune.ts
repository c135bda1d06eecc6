// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${weft.inputs.data} and Katib's ${trialParameters.x} are literal text here
/**
 * The prebuilt `tune` component: a Katib `Experiment` YAML as one pipeline step, whose
 * outputs are the best parameters (for the next step to train the final model with), the
 * best value, the trials table and a summary. The trial is a command (a batch/v1 Job's
 * container command and args), run as processes in the task. The optional input Dataset
 * `data` is handed to the trials: the text `${weft.inputs.data}` in the YAML (a command
 * argument, an env value) is replaced by its path before the YAML is read, and every
 * trial gets the path in `WEFT_TUNE_DATA`. The experiment runs with an in-memory journal
 * (tuning-component.ts). The component is made in a function call marked pure, so the
 * bundles of other components leave it out.
 */

import { definedIn } from "../../components/defined-in.ts";
import { artifact, component, param } from "../../sdk/index.ts";
import { TuningError } from "../errors.ts";
import { parseExperiment } from "../katib/index.ts";
import type { ExperimentSpec } from "../types.ts";
import { runTuning, TUNE_OUTPUTS } from "./tuning-component.ts";

/** The text in a `tune` experiment that stands for the path of the `data` input. */
export const DATA_REFERENCE = "${weft.inputs.data}";
/** The environment variable that holds the `data` input's path in every trial. */
export const DATA_ENV = "WEFT_TUNE_DATA";

/**
 * The experiment of a `tune` task: `${weft.inputs.data}` replaced by the data path, the
 * YAML read, the trial checked to be a command and given `WEFT_TUNE_DATA`.
 *
 * @throws TuningError `TUNE_INVALID_INPUT`; the Katib reader's TuningError.
 */
export function tuneExperiment(text: string, dataPath: string | undefined): ExperimentSpec {
  if (text.includes(DATA_REFERENCE) && dataPath === undefined) {
    throw new TuningError(
      "TUNE_INVALID_INPUT",
      `tune: the experiment refers to ${DATA_REFERENCE} but the task has no data input; pass data: <a Dataset output> to tune(...)`,
    );
  }
  const spec = parseExperiment(dataPath === undefined ? text : text.split(DATA_REFERENCE).join(dataPath), "experiment");
  if (spec.trial.kind !== "command") {
    throw new TuningError(
      "TUNE_INVALID_INPUT",
      `tune: experiment "${spec.name}" has a ${spec.trial.kind} trial; the tune component runs command trials (a batch/v1 Job in trialTemplate.trialSpec); run pipeline trials with weft tune`,
    );
  }
  if (dataPath === undefined) return spec;
  return { ...spec, trial: { ...spec.trial, env: { ...spec.trial.env, [DATA_ENV]: dataPath } } };
}

/**
 * Runs a Katib `Experiment` (YAML, with a Job command trial) as one pipeline step and
 * outputs the best parameters. See "Tuning inside a pipeline" in docs/tuning.md.
 *
 * @example
 * const t = tune({
 *   experiment: readFileSync("experiment.yaml", "utf8"),
 *   data: features.outputs.train,
 * });
 * train({ data: features.outputs.train, config: t.outputs.best_parameters });
 */
export const tune = /* @__PURE__ */ (() =>
  definedIn(
    component({
      name: "tune",
      description:
        "Runs a Katib Experiment (command trials) as one step and outputs the best parameters, the best value, the trials table and a summary.",
      inputs: { experiment: param.string(), data: artifact.optional(artifact.Dataset) },
      outputs: TUNE_OUTPUTS,
      async run(args, outs) {
        const spec = tuneExperiment(args.experiment, args.data?.path);
        const { best_parameters, best_value } = await runTuning(spec, outs, { source: args.experiment });
        return { best_parameters, best_value };
      },
    }),
    import.meta.url,
  ))();

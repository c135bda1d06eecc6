/** Katib `kubeflow.org/v1beta1` Experiment YAML, read into the ExperimentSpec Weft runs. */

export {
  BEST_ANNOTATION,
  KATIB_API_VERSION,
  KATIB_DEFAULT_METRICS_FILE,
  OBJECTIVES_ANNOTATION,
  type ParseOptions,
  parseExperiment,
} from "./parse.ts";
export {
  formatValue,
  isMetaReference,
  substituteCommand,
  substituteString,
  type TrialMeta,
  trialParameterValues,
} from "./substitute.ts";
export { JOB_FAILURE_CONDITION, JOB_SUCCESS_CONDITION } from "./trial-template.ts";

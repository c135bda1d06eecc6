/**
 * Prebuilt components: `registerModel`, the model registry's gate, with its policy and the
 * small registry client it talks through; `deployModel`, the deploy step after the gate
 * (Triton repository and KServe manifest; load, smoke test and rollback on `weft serve`).
 * The tuning steps (`tuneStep`, `tuningComponent`) live in `tuning/steps/` and are exported
 * from `weft/tuning`, not here: this module is part of `weft`, which every component's task
 * bundles, and the tuning code (and its import of `yaml`) would then travel in every task.
 */
export { type DecisionContext, decisionMarkdown, formatNumber } from "./decision-markdown.ts";
export {
  inferenceServiceManifest,
  kubernetesName,
  type TritonModelConfig,
  tritonConfigOf,
  writeConfigPbtxt,
  writeTritonRepository,
} from "./deploy-manifests.ts";
export {
  type DeployOutcome,
  type DeployRequest,
  deployModel,
  deployModelTo,
  parseModelUri,
  type SmokeTest,
} from "./deploy-model.ts";
export { ComponentError, type ComponentErrorCode } from "./errors.ts";
export { type OnnxInfo, type OnnxTensorInfo, readOnnxInfo } from "./onnx-info.ts";
export {
  type Champion,
  type CompareRule,
  type Decision,
  decide,
  evaluateCompare,
  evaluateThresholds,
  type ParsedPolicy,
  type Policy,
  parsePolicy,
  type RuleResult,
  type Threshold,
  type ThresholdOp,
  type ThresholdRule,
} from "./policy.ts";
export {
  CHALLENGER,
  CHAMPION,
  checkModelName,
  collectMetrics,
  type RegisterOutcome,
  type RegisterRequest,
  registerAndGate,
  registerModel,
  sourceOf,
  tagStrings,
} from "./register-model.ts";
export {
  type MlflowModelVersion,
  type MlflowRegisteredModel,
  metricsOf,
  NO_REGISTRY,
  RegistryClient,
  type RegistryClientOptions,
} from "./registry-client.ts";

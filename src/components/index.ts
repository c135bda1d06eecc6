/**
 * Prebuilt components: `registerModel`, the model registry's gate, with its policy and the
 * small registry client it talks through.
 */
export { type DecisionContext, decisionMarkdown, formatNumber } from "./decision-markdown.ts";
export { ComponentError, type ComponentErrorCode } from "./errors.ts";
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

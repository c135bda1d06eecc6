/**
 * Errors of the prebuilt components: a stable code, a message that names the metric, rule,
 * call or setting at fault, and what to do.
 */
import { WeftError } from "../ir/weft-error.ts";

/** Stable codes of prebuilt component errors. */
export type ComponentErrorCode =
  /** A policy rule could not be read. */
  | "POLICY_INVALID"
  /** An absolute threshold of the policy failed (the version stays registered as challenger). */
  | "POLICY_THRESHOLD_FAILED"
  /** A metric a rule names is not among the metrics given. */
  | "POLICY_METRIC_MISSING"
  /** An input of the component is not usable (model name, metrics, tags). */
  | "REGISTER_INVALID_INPUT"
  /** No registry to talk to: `MLFLOW_TRACKING_URI` is unset. */
  | "REGISTRY_NOT_CONFIGURED"
  /** The registry could not be reached. */
  | "REGISTRY_UNREACHABLE"
  /** The registry answered a call with an error. */
  | "REGISTRY_REQUEST_FAILED"
  /** The registry could not register the version (FAILED_REGISTRATION, or never READY). */
  | "REGISTRY_REGISTRATION_FAILED"
  /** An input of deployModel is not usable (model URI, server URL, smoke test, model file). */
  | "DEPLOY_INVALID_INPUT"
  /** The model server could not be reached. */
  | "DEPLOY_SERVER_UNREACHABLE"
  /** The model server refused the load, or the model did not become ready in time. */
  | "DEPLOY_LOAD_FAILED"
  /** The deployed version failed its smoke test (the previous version was loaded back). */
  | "DEPLOY_SMOKE_FAILED"
  /** The smoke test failed and loading the previous version back failed too. */
  | "DEPLOY_ROLLBACK_FAILED";

/** An error of a prebuilt component. */
export class ComponentError extends WeftError {
  /** Stable machine-readable code. */
  declare readonly code: ComponentErrorCode;

  constructor(code: ComponentErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

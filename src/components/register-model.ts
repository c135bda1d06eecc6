/**
 * `registerModel`: the prebuilt gate component. It registers a model artifact as a new
 * version of a registered model (the registry derives digest and lineage from the
 * artifact's URI and the run), points `challenger` at it, applies the promotion policy and
 * moves `champion` only when the policy passes. Its `decision` output says which rule
 * decided and why.
 *
 * The component is made in a function call marked pure, so that the task bundle of any
 * other component (which imports `weft`) leaves this module out.
 */
import { writeFileSync } from "node:fs";
import { localPathToUri } from "../executor/uri.ts";
import { artifact, component, param } from "../sdk/index.ts";
import { decisionMarkdown } from "./decision-markdown.ts";
import { definedIn } from "./defined-in.ts";
import { ComponentError } from "./errors.ts";
import {
  type Champion,
  type Decision,
  decide,
  evaluateCompare,
  evaluateThresholds,
  type ParsedPolicy,
  type Policy,
  parsePolicy,
  showPair,
} from "./policy.ts";
import { RegistryClient, type VersionRecord } from "./registry-client.ts";

/** The alias every new version gets. */
export const CHALLENGER = "challenger";
/** The alias a version gets when the policy passes. */
export const CHAMPION = "champion";
/** The prefix of the version tags that record the metrics the gate evaluated (`weft.metric.roc_auc`). */
export const METRIC_TAG = "weft.metric.";

/** What {@link registerAndGate} needs. */
export interface RegisterRequest {
  /** The model artifact's URI as the task sees it (an absolute path locally). */
  modelUri: string;
  modelName: string;
  /** The policy as passed to the component (parsed here). */
  policy: unknown;
  /** The metrics the rules are evaluated on. */
  metrics: Record<string, number>;
  description?: string;
  tags?: Record<string, string>;
  /** The Weft run (MLflow run id of the pipeline run), `WEFT_RUN_ID`. */
  runId?: string;
  /** Where the decision Markdown is written. */
  decisionPath: string;
  /** Shown the decision Markdown once it is written (the task log). */
  log?: (text: string) => void;
}

/** What {@link registerAndGate} did. */
export interface RegisterOutcome {
  version: number;
  modelUri: string;
  promoted: boolean;
  decision: Decision;
  markdown: string;
  /** The champion before this registration, if any. */
  previousChampion?: string;
}

const BAD_NAME = /[/@\p{Cc}]/u;

/**
 * Checks a registered model name: it becomes part of `models:/NAME/N` URIs.
 *
 * @throws ComponentError `REGISTER_INVALID_INPUT`.
 */
export function checkModelName(name: unknown): string {
  if (typeof name !== "string" || name.trim() === "" || name.length > 256 || BAD_NAME.test(name)) {
    throw new ComponentError(
      "REGISTER_INVALID_INPUT",
      `registerModel: model_name ${JSON.stringify(name)} cannot name a registered model; use 1 to 256 characters without "/", "@" or control characters (e.g. "fraud-detector")`,
    );
  }
  return name;
}

/**
 * The metrics to evaluate the policy on: the numbers of the Metrics artifact's metadata,
 * then `metric_values` (which win).
 *
 * @throws ComponentError `REGISTER_INVALID_INPUT` for a metric_values entry that is not a number.
 */
export function collectMetrics(
  fromArtifact: Record<string, unknown> | undefined,
  values: Record<string, unknown> | undefined,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(fromArtifact ?? {})) {
    if (typeof v === "number" && Number.isFinite(v)) out[k] = v;
  }
  for (const [k, v] of Object.entries(values ?? {})) {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ComponentError(
        "REGISTER_INVALID_INPUT",
        `registerModel: metric_values.${k} is ${JSON.stringify(v)}, not a number; pass metric values as numbers`,
      );
    }
    out[k] = v;
  }
  return out;
}

/** Tag values as strings (MLflow tags are strings); objects and lists as JSON. */
export function tagStrings(tags: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags ?? {})) {
    if (v === undefined || v === null) continue;
    out[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return out;
}

/**
 * A champion's metrics, from its version record: the registry's snapshot of the run's
 * metrics by exact name first; then the metrics its own gate evaluated (the
 * `weft.metric.*` tags); then a run metric qualified by its task (`train.roc_auc`,
 * `evaluate[mlp].roc_auc`) where only one task has a metric of that name.
 */
export function championMetrics(record: VersionRecord): Record<string, number> {
  const out: Record<string, number> = {};
  const qualified = new Map<string, number[]>();
  for (const [k, v] of Object.entries(record.metrics)) {
    const dot = k.lastIndexOf(".");
    if (dot > 0) qualified.set(k.slice(dot + 1), [...(qualified.get(k.slice(dot + 1)) ?? []), v]);
  }
  for (const [k, values] of qualified) if (values.length === 1) out[k] = values[0]!;
  for (const [k, v] of Object.entries(record.tags)) {
    const n = Number(v);
    if (k.startsWith(METRIC_TAG) && v.trim() !== "" && Number.isFinite(n)) out[k.slice(METRIC_TAG.length)] = n;
  }
  return { ...out, ...record.metrics };
}

/** The tags of a new version: the caller's, and the metrics the gate evaluates (`weft.metric.*`). */
export function versionTags(
  tags: Record<string, string> | undefined,
  metrics: Record<string, number>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metrics)) out[METRIC_TAG + k] = String(v);
  return { ...out, ...tags };
}

/** The source the registry records: a local path as the `file://` URI the store keeps. */
export function sourceOf(uri: string): string {
  return uri.startsWith("/") ? localPathToUri(uri, { file: true }) : uri;
}

/** Checks every rule's metric before anything is registered (a typo fails fast). */
function checkMetricsPresent(policy: ParsedPolicy, metrics: Record<string, number>): void {
  evaluateThresholds(policy, metrics);
  if (policy.compare) evaluateCompare(policy.compare, metrics, undefined);
}

/**
 * Registers a version and applies the policy: the body of `registerModel`.
 *
 * @throws ComponentError `POLICY_THRESHOLD_FAILED` after the version is registered as
 *   challenger and the decision written, when an absolute threshold fails; any registry
 *   or policy error before that.
 */
export async function registerAndGate(client: RegistryClient, req: RegisterRequest): Promise<RegisterOutcome> {
  const name = checkModelName(req.modelName);
  const policy = parsePolicy(req.policy);
  checkMetricsPresent(policy, req.metrics);
  const source = sourceOf(req.modelUri);

  await client.ensureRegisteredModel(name);
  const created = await client.createModelVersion({
    name,
    source,
    runId: req.runId,
    description: req.description,
    tags: versionTags(req.tags, req.metrics),
  });
  const ready = await client.waitUntilReady(name, created.version);
  const version = ready.version;
  const current = await client.getByAlias(name, CHAMPION);
  await client.setAlias(name, CHALLENGER, version);

  let champion: Champion | undefined;
  if (policy.compare && current && current.version !== version) {
    champion = {
      version: current.version,
      metrics: championMetrics(await client.versionRecord(name, current.version)),
    };
  }
  const decision = decide(policy, req.metrics, champion);
  if (decision.promoted) await client.setAlias(name, CHAMPION, version);

  const modelUri = `models:/${name}/${version}`;
  const markdown = decisionMarkdown(decision, {
    modelName: name,
    version,
    modelUri,
    source,
    previousChampion: current?.version,
    metrics: req.metrics,
  });
  writeFileSync(req.decisionPath, markdown);
  req.log?.(markdown);

  if (decision.thresholdFailed) {
    const failed = decision.results.find((r) => !r.passed)!;
    const [value, threshold] = showPair(failed.value, failed.threshold ?? Number.NaN);
    throw new ComponentError(
      "POLICY_THRESHOLD_FAILED",
      `registerModel: ${name} version ${version} failed the threshold "${failed.rule}": ${failed.metric} is ${value}, threshold ${threshold}; it stays registered as ${CHALLENGER} and is not promoted (see the decision output)`,
    );
  }
  return {
    version: Number(version),
    modelUri,
    promoted: decision.promoted,
    decision,
    markdown,
    previousChampion: current?.version,
  };
}

/**
 * Registers a model artifact in the model registry and promotes it to `champion` when the
 * policy passes. See "Prebuilt components" in docs/sdk.md.
 *
 * @example
 * const reg = registerModel({
 *   model: train.outputs.model,
 *   metrics: evaluate.outputs.metrics,
 *   model_name: "fraud-detector",
 *   policy: { thresholds: ["roc_auc >= 0.9"], compare: { metric: "roc_auc", minDelta: 0 } },
 * });
 */
export const registerModel = /* @__PURE__ */ (() =>
  definedIn(
    component({
      name: "register_model",
      description:
        "Registers a model version in the model registry, sets the challenger alias, and moves champion when the promotion policy passes.",
      inputs: {
        model: artifact.Model,
        metrics: artifact.optional(artifact.Metrics),
        metric_values: param.object<Record<string, number>>({ optional: true }),
        model_name: param.string(),
        policy: param.object<Policy>(),
        description: param.string({ optional: true }),
        tags: param.object<Record<string, string>>({ optional: true }),
      },
      outputs: {
        version: param.int(),
        model_uri: param.string(),
        promoted: param.bool(),
        decision: artifact.Markdown,
      },
      async run(inputs, outputs) {
        const client = RegistryClient.fromEnv();
        const metrics = collectMetrics(inputs.metrics?.metadata, inputs.metric_values);
        const outcome = await registerAndGate(client, {
          modelUri: inputs.model.uri,
          modelName: inputs.model_name,
          policy: inputs.policy,
          metrics,
          description: inputs.description || undefined,
          tags: tagStrings(inputs.tags),
          runId: process.env.WEFT_RUN_ID || undefined,
          decisionPath: outputs.decision.path,
          log: (text) => console.log(text),
        });
        Object.assign(outputs.decision.metadata, {
          model_name: inputs.model_name,
          version: outcome.version,
          promoted: outcome.promoted,
          decided_by: outcome.decision.decidedBy,
        });
        return { version: outcome.version, model_uri: outcome.modelUri, promoted: outcome.promoted };
      },
    }),
    import.meta.url,
  ))();

/**
 * `spec.trialTemplate` of a Katib Experiment: a batch/v1 `Job` becomes a command trial (its
 * primary container's command and args, run as a local process) and a `weft.dev/v1`
 * `Pipeline` a pipeline trial. Katib's substitution rules are checked here: every trial
 * parameter is used in the trial spec, every `${trialParameters.x}` names one, and every
 * reference is a search-space parameter or trial metadata (`${trialSpec.Name}`, ...).
 * Metadata known before the trial exists (Namespace, Kind, APIVersion, Labels[k],
 * Annotations[k]) is substituted now; the trial's name and the parameters' values are
 * substituted per trial (`substitute.ts`).
 */

import { isAbsolute, resolve } from "node:path";
import type { TrialParameter, TrialTemplate } from "../types.ts";
import type { Path, Reader } from "./reader.ts";
import { isMetaReference, META_REFERENCE, PARAM_PLACEHOLDER, placeholder } from "./substitute.ts";

/** Katib's defaults for a Job (`experiments/v1beta1/constants.go`): the only conditions Weft runs. */
export const JOB_SUCCESS_CONDITION = 'status.conditions.#(type=="Complete")#|#(status=="True")#';
export const JOB_FAILURE_CONDITION = 'status.conditions.#(type=="Failed")#|#(status=="True")#';

const OTHER_KINDS = [
  "TFJob",
  "PyTorchJob",
  "MPIJob",
  "XGBoostJob",
  "PaddleJob",
  "JAXJob",
  "TrainJob",
  "Workflow",
  "PipelineRun",
];
const PIPELINE_EXTENSIONS = [".ts", ".mts", ".js", ".mjs", ".yaml", ".yml", ".json"];

export interface TemplateContext {
  readonly reader: Reader;
  /** Search-space parameter names. */
  readonly parameters: ReadonlySet<string>;
  /** The experiment's namespace (`${trialSpec.Namespace}`). */
  readonly namespace: string;
  /** Where relative paths resolve. */
  readonly baseDir: string;
}

export function parseTrialTemplate(raw: unknown, ctx: TemplateContext): TrialTemplate {
  const r: Reader = ctx.reader;
  const at: Path = ["spec", "trialTemplate"];
  const t = r.object(at, raw, true);
  r.keys(
    at,
    t,
    ["primaryContainerName", "trialParameters", "trialSpec", "successCondition", "failureCondition", "retain"],
    {
      configMap: "a trial template in a ConfigMap is not read locally. Inline it as spec.trialTemplate.trialSpec.",
    },
    ["primaryPodLabels"],
  );
  const trialParameters = parseTrialParameters(t.trialParameters, ctx);
  const spec = r.object([...at, "trialSpec"], t.trialSpec, true);
  const apiVersion = r.string([...at, "trialSpec", "apiVersion"], spec.apiVersion, true);
  const kind = r.string([...at, "trialSpec", "kind"], spec.kind, true);
  checkPlaceholders(spec, trialParameters, r);
  const isJob = apiVersion === "batch/v1" && kind === "Job";
  const isPipeline = apiVersion === "weft.dev/v1" && kind === "Pipeline";
  if (!isJob && !isPipeline) {
    const known = OTHER_KINDS.includes(kind) || kind === "Job" || kind === "Pipeline";
    const msg = `${apiVersion} ${kind} trials are not run locally. Use a batch/v1 Job (its container's command runs as a process) or a weft.dev/v1 Pipeline.`;
    if (known) r.unsupported([...at, "trialSpec", "kind"], msg);
    r.fail([...at, "trialSpec", "kind"], msg);
  }
  if (t.primaryPodLabels !== undefined)
    r.unsupported(
      [...at, "primaryPodLabels"],
      "primary pod labels apply to Kubeflow training jobs, which Weft does not run. Remove them.",
    );
  for (const [key, dflt] of [
    ["successCondition", JOB_SUCCESS_CONDITION],
    ["failureCondition", JOB_FAILURE_CONDITION],
  ] as const) {
    const v = r.string([...at, key], t[key]);
    if (v === undefined) continue;
    if (isPipeline) r.unsupported([...at, key], "a pipeline trial succeeds when its run does. Remove it.");
    if (v !== dflt)
      r.unsupported(
        [...at, key],
        `only Katib's default for a Job (\`${dflt}\`) is run: a local trial succeeds when its process exits 0. Remove it.`,
      );
  }
  const staticMeta = resolveStaticMeta(spec, trialParameters, kind, apiVersion, ctx);
  const perTrial = trialParameters.filter((p) => !staticMeta.has(p.name));
  if (isPipeline)
    return parsePipeline(spec, trialParameters, ctx, r.string([...at, "primaryContainerName"], t.primaryContainerName));
  return parseJob(spec, perTrial, staticMeta, r.string([...at, "primaryContainerName"], t.primaryContainerName), ctx);
}

function parseTrialParameters(raw: unknown, ctx: TemplateContext): TrialParameter[] {
  const r: Reader = ctx.reader;
  const at: Path = ["spec", "trialTemplate", "trialParameters"];
  const names = new Set<string>();
  const refs = new Set<string>();
  return r.array(at, raw, true).map((item, i) => {
    const p = r.object([...at, i], item, true);
    r.keys([...at, i], p, ["name", "reference", "description"]);
    const name = r.string([...at, i, "name"], p.name, true);
    if (/[{}]/.test(name)) r.fail([...at, i, "name"], `"${name}" contains "{" or "}". Use a plain name.`);
    if (names.has(name))
      r.fail([...at, i, "name"], `"${name}" is declared twice. Give each trial parameter its own name.`);
    const reference = r.string([...at, i, "reference"], p.reference, true);
    if (refs.has(reference))
      r.fail([...at, i, "reference"], `"${reference}" is referenced twice. Reference each parameter once.`);
    if (!isMetaReference(reference) && !ctx.parameters.has(reference)) {
      r.fail(
        [...at, i, "reference"],
        `"${reference}" is not a parameter of spec.parameters (${[...ctx.parameters].join(", ")}) nor trial metadata such as \${trialSpec.Name}. Name a parameter.`,
      );
    }
    names.add(name);
    refs.add(reference);
    const description = r.string([...at, i, "description"], p.description);
    return description === undefined ? { name, reference } : { name, reference, description };
  });
}

/** Katib's checks: each `${trialParameters.x}` names a trial parameter, and each trial parameter is used. */
function checkPlaceholders(spec: Record<string, unknown>, params: readonly TrialParameter[], r: Reader): void {
  const text = JSON.stringify(spec);
  const names = new Set(params.map((p) => p.name));
  for (const m of text.matchAll(new RegExp(PARAM_PLACEHOLDER.source, "g"))) {
    if (!names.has(m[1] as string))
      r.fail(
        ["spec", "trialTemplate", "trialSpec"],
        `\${trialParameters.${m[1]}} is not in spec.trialTemplate.trialParameters. Declare it there, or fix the name.`,
      );
  }
  params.forEach((p, i) => {
    if (!text.includes(placeholder(p.name)))
      r.fail(
        ["spec", "trialTemplate", "trialParameters", i, "name"],
        `"${p.name}" is never used: the trial spec has no ${placeholder(p.name)}. Use it, or remove the trial parameter.`,
      );
  });
}

/** Values of the trial parameters whose reference is metadata known before the trial exists. */
function resolveStaticMeta(
  spec: Record<string, unknown>,
  params: readonly TrialParameter[],
  kind: string,
  apiVersion: string,
  ctx: TemplateContext,
): Map<string, string> {
  const r: Reader = ctx.reader;
  const out = new Map<string, string>();
  const meta = r.object(["spec", "trialTemplate", "trialSpec", "metadata"], spec.metadata) ?? {};
  params.forEach((p, i) => {
    const m = META_REFERENCE.exec(p.reference);
    if (!m) return;
    const at: Path = ["spec", "trialTemplate", "trialParameters", i, "reference"];
    const key = m[1] as string;
    const indexed = /^(Labels|Annotations)\[(.+)\]$/.exec(key);
    if (key === "Name") return;
    if (key === "Namespace") out.set(p.name, ctx.namespace);
    else if (key === "Kind") out.set(p.name, kind);
    else if (key === "APIVersion") out.set(p.name, apiVersion);
    else if (indexed) {
      const field = indexed[1] === "Labels" ? "labels" : "annotations";
      const map = r.object(["spec", "trialTemplate", "trialSpec", "metadata", field], meta[field]) ?? {};
      const v = map[indexed[2] as string];
      if (v === undefined)
        r.fail(
          at,
          `${p.reference}: the trial spec's metadata.${field} has no key "${indexed[2]}". Add it there, or fix the key.`,
        );
      out.set(p.name, String(v));
    } else {
      r.fail(
        at,
        `${p.reference} is not trial metadata. Use \${trialSpec.Name}, Namespace, Kind, APIVersion, Labels[key] or Annotations[key].`,
      );
    }
  });
  return out;
}

function replaceStatic(s: string, values: ReadonlyMap<string, string>): string {
  let out = s;
  for (const [name, v] of values) out = out.replaceAll(placeholder(name), v);
  return out;
}

function parseJob(
  spec: Record<string, unknown>,
  trialParameters: TrialParameter[],
  staticMeta: ReadonlyMap<string, string>,
  primary: string | undefined,
  ctx: TemplateContext,
): TrialTemplate {
  const r: Reader = ctx.reader;
  const at: Path = ["spec", "trialTemplate", "trialSpec"];
  const jobSpec = r.object([...at, "spec"], spec.spec, true);
  const template = r.object([...at, "spec", "template"], jobSpec.template, true);
  const podSpec = r.object([...at, "spec", "template", "spec"], template.spec, true);
  const containersAt: Path = [...at, "spec", "template", "spec", "containers"];
  const containers = r
    .array(containersAt, podSpec.containers, true)
    .map((c, i) => r.object([...containersAt, i], c, true));
  if (containers.length === 0) r.fail(containersAt, "lists no container. Add the training container.");
  let index = 0;
  if (primary !== undefined) {
    index = containers.findIndex((c) => c.name === primary);
    if (index < 0)
      r.fail(
        ["spec", "trialTemplate", "primaryContainerName"],
        `no container is named "${primary}" (containers: ${containers.map((c) => String(c.name)).join(", ")}). Name the training container.`,
      );
  } else if (containers.length > 1) {
    r.fail(
      ["spec", "trialTemplate", "primaryContainerName"],
      "is required when the Job has several containers. Name the training container.",
    );
  }
  const cAt: Path = [...containersAt, index];
  const c = containers[index] as Record<string, unknown>;
  for (const key of ["envFrom", "stdin", "tty"])
    if (c[key] !== undefined)
      r.unsupported([...cAt, key], "is not available to a local process. Remove it (give variables in env).");
  const list = (key: string): string[] =>
    r.array([...cAt, key], c[key]).map((v, i) => {
      if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean")
        r.fail([...cAt, key, i], `must be a string, got ${typeof v}. Quote it.`);
      return replaceStatic(String(v), staticMeta);
    });
  const command = [...list("command"), ...list("args")];
  if (list("command").length === 0)
    r.fail(
      [...cAt, "command"],
      "is required: the image's entrypoint is not known locally. Give the command that trains (e.g. [python3, train.py]).",
    );
  const env: Record<string, string> = {};
  r.array([...cAt, "env"], c.env).forEach((item, i) => {
    const e = r.object([...cAt, "env", i], item, true);
    if (e.valueFrom !== undefined)
      r.unsupported(
        [...cAt, "env", i, "valueFrom"],
        "secrets, ConfigMaps and field references are not read locally. Give a value.",
      );
    r.keys([...cAt, "env", i], e, ["name", "value"]);
    const name = r.string([...cAt, "env", i, "name"], e.name, true);
    env[name] = replaceStatic(r.string([...cAt, "env", i, "value"], e.value) ?? "", staticMeta);
  });
  const wd = r.string([...cAt, "workingDir"], c.workingDir);
  const workingDir = wd === undefined ? ctx.baseDir : isAbsolute(wd) ? wd : resolve(ctx.baseDir, wd);
  return { kind: "command", command, env, workingDir, trialParameters };
}

function parsePipeline(
  spec: Record<string, unknown>,
  trialParameters: readonly TrialParameter[],
  ctx: TemplateContext,
  primary: string | undefined,
): TrialTemplate {
  const r: Reader = ctx.reader;
  const at: Path = ["spec", "trialTemplate", "trialSpec"];
  if (primary !== undefined)
    r.fail(["spec", "trialTemplate", "primaryContainerName"], "applies to a Job, not a pipeline trial. Remove it.");
  r.keys(at, spec, ["apiVersion", "kind", "metadata", "spec"]);
  const body = r.object([...at, "spec"], spec.spec, true);
  r.keys([...at, "spec"], body, ["pipeline", "parameters"]);
  const file = r.string([...at, "spec", "pipeline"], body.pipeline, true);
  if (!PIPELINE_EXTENSIONS.some((e) => file.endsWith(e)))
    r.fail(
      [...at, "spec", "pipeline"],
      `"${file}" is not a pipeline file. Give a .ts pipeline module or a compiled KFP YAML (.yaml).`,
    );
  const byName = new Map(trialParameters.map((p) => [p.name, p]));
  const parameters: Record<string, string> = {};
  const fixed: Record<string, unknown> = {};
  const raw = r.object([...at, "spec", "parameters"], body.parameters) ?? {};
  for (const [name, value] of Object.entries(raw)) {
    const pAt: Path = [...at, "spec", "parameters", name];
    if (typeof value === "string" && value.includes("${")) {
      const m = new RegExp(`^${PARAM_PLACEHOLDER.source}$`).exec(value);
      const tp = m ? byName.get(m[1] as string) : undefined;
      if (!tp)
        r.fail(
          pAt,
          `"${value}" is not one \${trialParameters.<name>} reference. A pipeline parameter takes a trial parameter or a fixed value.`,
        );
      if (isMetaReference(tp.reference))
        r.unsupported(
          pAt,
          `${tp.reference} is not passed to pipelines. Give a search-space parameter or a fixed value.`,
        );
      parameters[name] = tp.reference;
    } else {
      fixed[name] = value;
    }
  }
  return { kind: "pipeline", source: isAbsolute(file) ? file : resolve(ctx.baseDir, file), parameters, fixed };
}

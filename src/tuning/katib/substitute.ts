/**
 * Katib's trial-template substitution for command trials: `${trialParameters.<name>}` in
 * the command, args and env values becomes the value of the search-space parameter the
 * trial parameter references, or the trial's metadata (`${trialSpec.Name}` and the
 * others). An argument or variable that references a conditional parameter which is
 * inactive in this trial is left out. An unknown reference is an error naming it.
 */

import { TuningError } from "../errors.ts";
import type { Assignment, ParamValue, TrialParameter } from "../types.ts";

/** `${trialParameters.<name>}` (Katib's `TrialTemplateParamReplaceFormatRegex`). */
export const PARAM_PLACEHOLDER = /\$\{trialParameters\.(.+?)\}/;
/** `${trialSpec.<key>}` (Katib's `TrialTemplateMetaReplaceFormatRegex`). */
export const META_REFERENCE = /^\$\{trialSpec\.(.+?)\}$/;

export function placeholder(name: string): string {
  return `\${trialParameters.${name}}`;
}

export function isMetaReference(reference: string): boolean {
  return META_REFERENCE.test(reference);
}

/** The trial's metadata a reference may name; what the experiment did not set has Katib's local defaults. */
export interface TrialMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly kind?: string;
  readonly apiVersion?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** How a value is written into a command: numbers in JavaScript's shortest round-trip form. */
export function formatValue(v: ParamValue): string {
  return typeof v === "number" ? String(v) : v;
}

function metaValue(reference: string, meta: TrialMeta): string {
  const key = (META_REFERENCE.exec(reference) as RegExpExecArray)[1] as string;
  if (key === "Name") return meta.name;
  if (key === "Namespace") return meta.namespace ?? "default";
  if (key === "Kind") return meta.kind ?? "Job";
  if (key === "APIVersion") return meta.apiVersion ?? "batch/v1";
  const m = /^(Labels|Annotations)\[(.+)\]$/.exec(key);
  const map = m ? (m[1] === "Labels" ? meta.labels : meta.annotations) : undefined;
  const v = m ? map?.[m[2] as string] : undefined;
  if (v === undefined)
    throw new TuningError(
      "TUNING_SPEC_INVALID",
      `Trial ${meta.name}: ${reference} has no value. Use \${trialSpec.Name}, Namespace, Kind, APIVersion, or a label or annotation the trial spec sets.`,
    );
  return v;
}

/**
 * The value of each trial parameter for one trial: a string, or undefined when it
 * references a conditional parameter inactive in `params`.
 */
export function trialParameterValues(
  trialParameters: readonly TrialParameter[],
  params: Assignment,
  meta: TrialMeta,
): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const p of trialParameters) {
    if (isMetaReference(p.reference)) out.set(p.name, metaValue(p.reference, meta));
    else {
      const v = params[p.reference];
      out.set(p.name, v === undefined ? undefined : formatValue(v));
    }
  }
  return out;
}

/**
 * Substitutes one string; undefined when it references an inactive parameter (the caller
 * leaves the argument or variable out). `where` names the string in errors.
 */
export function substituteString(
  text: string,
  values: ReadonlyMap<string, string | undefined>,
  where: string,
): string | undefined {
  let inactive = false;
  const out = text.replace(new RegExp(PARAM_PLACEHOLDER.source, "g"), (_all, name: string) => {
    if (!values.has(name))
      throw new TuningError(
        "TUNING_SPEC_INVALID",
        `${where}: \${trialParameters.${name}} is not a trial parameter (known: ${[...values.keys()].join(", ") || "none"}). Declare it, or fix the name.`,
      );
    const v = values.get(name);
    if (v === undefined) inactive = true;
    return v ?? "";
  });
  return inactive ? undefined : out;
}

/** The command and environment of one trial of a command template. */
export function substituteCommand(
  template: {
    readonly command: readonly string[];
    readonly env: Readonly<Record<string, string>>;
    readonly trialParameters: readonly TrialParameter[];
  },
  params: Assignment,
  meta: TrialMeta,
): { command: string[]; env: Record<string, string> } {
  const values = trialParameterValues(template.trialParameters, params, meta);
  const command: string[] = [];
  template.command.forEach((arg, i) => {
    const s = substituteString(arg, values, `trial ${meta.name}: command[${i}]`);
    if (s !== undefined) command.push(s);
  });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(template.env)) {
    const s = substituteString(v, values, `trial ${meta.name}: env ${k}`);
    if (s !== undefined) env[k] = s;
  }
  return { command, env };
}

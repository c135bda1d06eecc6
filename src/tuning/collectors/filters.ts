/**
 * The filters of the TEXT metrics formats (StdOut and File TEXT): regular expressions whose
 * first group is the metric name and second the value, as Katib's `metricsFormat`.
 */

import { TuningError } from "../errors.ts";

/**
 * Katib's default filter, exactly as Katib writes it
 * (`pkg/metricscollector/v1beta1/common/const.go`): lines such as `loss=0.3` or
 * `accuracy = 9.8e-1`.
 */
export const KATIB_DEFAULT_FILTER = String.raw`([\w|-]+)\s*=\s*([+-]?\d*(\.\d+)?([Ee][+-]?\d+)?)`;

/**
 * The same filter for JavaScript's engine. It matches exactly what Katib's (Go RE2) does:
 * `\s` is RE2's ASCII white space, and a match may only start where a name starts (a
 * match inside a run of name characters never exists, since a shorter suffix of the run
 * is followed by the same text), which keeps long lines linear instead of quadratic.
 */
const DEFAULT_FILTER_JS = String.raw`(?<![\w|-])([\w|-]+)[\t\n\f\r ]*=[\t\n\f\r ]*([+-]?\d*(\.\d+)?([Ee][+-]?\d+)?)`;

/** Lines are matched on their first 8 KiB: a pathological custom filter stays bounded. */
export const MAX_MATCHED_LINE = 8192;

/**
 * Compiles filters (Katib's default when none): each must be a valid expression with at
 * least two groups. `where` names the field in errors (`file: spec.metricsCollectorSpec...`).
 * RE2's `(?P<name>` groups and a leading `(?i)` are accepted.
 */
export function compileFilters(filters: readonly string[], where = "metricsFormat"): RegExp[] {
  if (filters.length === 0) return [new RegExp(DEFAULT_FILTER_JS, "g")];
  return filters.map((source, i) => {
    const at = `${where}[${i}]`;
    if (source === KATIB_DEFAULT_FILTER) return new RegExp(DEFAULT_FILTER_JS, "g");
    let body = source.replaceAll("(?P<", "(?<");
    let flags = "g";
    if (body.startsWith("(?i)")) {
      body = body.slice(4);
      flags += "i";
    }
    let re: RegExp;
    try {
      re = new RegExp(body, flags);
    } catch (err) {
      throw new TuningError(
        "TUNING_SPEC_INVALID",
        `${at}: \`${source}\` is not a valid regular expression (${(err as Error).message}). Fix the expression.`,
      );
    }
    const groups = (new RegExp(`${body}|`, flags.replace("g", "")).exec("")?.length ?? 1) - 1;
    if (groups < 2) {
      throw new TuningError(
        "TUNING_SPEC_INVALID",
        `${at}: \`${source}\` has ${groups} group(s); a filter needs two, the metric name then its value, e.g. \`(\\w+)=(\\S+)\`.`,
      );
    }
    return re;
  });
}

/** The filters as shown in messages (Katib's default spelled out when none were given). */
export function filterSources(filters: readonly string[]): string[] {
  return filters.length === 0 ? [KATIB_DEFAULT_FILTER] : [...filters];
}

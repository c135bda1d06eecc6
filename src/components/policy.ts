/**
 * The promotion policy of `registerModel`: absolute thresholds on the new version's metrics
 * (`"roc_auc >= 0.90"`, `"p99_latency_ms <= 5"`) and "better than the current champion on
 * metric M by at least d". Parsing and evaluation are pure: the component fetches the
 * champion's metrics and hands them in.
 */
import { ComponentError } from "./errors.ts";

/** The comparison operators of a threshold. */
export type ThresholdOp = ">=" | ">" | "<=" | "<" | "==";

/** One absolute threshold, in object form. */
export interface ThresholdRule {
  metric: string;
  op: ThresholdOp;
  value: number;
}

/** "Better than the current champion on `metric` by at least `minDelta`". */
export interface CompareRule {
  metric: string;
  /** How much better the new version must be (default 0: at least as good). */
  minDelta?: number;
  /** `max` (default): higher is better; `min`: lower is better (latency, loss). */
  direction?: "max" | "min";
}

/** The policy as a pipeline passes it (a STRUCT parameter). */
export interface Policy {
  /** Absolute thresholds: `"roc_auc >= 0.9"` or `{ metric: "roc_auc", op: ">=", value: 0.9 }`. */
  thresholds?: Array<string | ThresholdRule>;
  compare?: CompareRule;
}

/** A threshold after parsing, with the text it is shown as. */
export interface Threshold extends ThresholdRule {
  text: string;
}

/** A policy after parsing: every field checked, defaults filled in. */
export interface ParsedPolicy {
  thresholds: Threshold[];
  compare?: Required<CompareRule> & { text: string };
}

/** The champion the new version is compared with. */
export interface Champion {
  version: string;
  metrics: Record<string, number>;
}

/** The outcome of one rule. */
export interface RuleResult {
  kind: "threshold" | "compare";
  /** The rule as written (`roc_auc >= 0.9`). */
  rule: string;
  metric: string;
  /** The new version's value of the metric. */
  value: number;
  /** The value the rule compares with (for a comparison: the champion's value plus the delta). */
  threshold?: number;
  passed: boolean;
  /** Why it passed or failed, in words. */
  note: string;
}

/** What the policy decided. */
export interface Decision {
  /** The policy passed: the version becomes champion. */
  promoted: boolean;
  /** An absolute threshold failed (the task fails). */
  thresholdFailed: boolean;
  results: RuleResult[];
  /** The rule that decided, in words. */
  decidedBy: string;
}

const OPS: readonly ThresholdOp[] = [">=", "<=", "==", ">", "<"];

/** The accepted forms, for error messages. */
export const POLICY_FORMS =
  'thresholds as "metric op number" (op one of >=, >, <=, <, ==; e.g. "roc_auc >= 0.9") or { metric, op, value }, ' +
  'and compare as { metric, minDelta?: number, direction?: "max" | "min" }';

const RULE_RE = /^\s*([^\s<>=!]+)\s*(>=|<=|==|>|<)\s*(\S+)\s*$/;

function invalid(where: string, what: string): never {
  throw new ComponentError("POLICY_INVALID", `registerModel: ${where}: ${what}; the policy accepts ${POLICY_FORMS}`);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function numberOf(text: string): number | undefined {
  if (text.trim() === "") return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function parseThreshold(raw: unknown, index: number): Threshold {
  const where = `policy.thresholds[${index}]`;
  if (typeof raw === "string") {
    const m = RULE_RE.exec(raw);
    const value = m ? numberOf(m[3]!) : undefined;
    if (!m || value === undefined) invalid(`${where} ${JSON.stringify(raw)}`, "is not a rule");
    return { metric: m[1]!, op: m[2] as ThresholdOp, value, text: `${m[1]} ${m[2]} ${value}` };
  }
  if (!isObj(raw)) invalid(where, `is ${raw === null ? "null" : typeof raw}, not a rule`);
  const extra = Object.keys(raw).filter((k) => k !== "metric" && k !== "op" && k !== "value");
  if (extra.length > 0) invalid(`${where}`, `unknown field ${extra.map((k) => JSON.stringify(k)).join(", ")}`);
  const { metric, op, value } = raw;
  if (typeof metric !== "string" || metric.trim() === "") invalid(`${where}.metric`, "must be a metric name");
  if (typeof op !== "string" || !OPS.includes(op as ThresholdOp)) {
    invalid(`${where}.op`, `${JSON.stringify(op)} is not an operator`);
  }
  const num = typeof value === "number" ? value : typeof value === "string" ? numberOf(value) : undefined;
  if (num === undefined || !Number.isFinite(num)) invalid(`${where}.value`, `${JSON.stringify(value)} is not a number`);
  return { metric, op: op as ThresholdOp, value: num, text: `${metric} ${op} ${num}` };
}

function parseCompare(raw: unknown): ParsedPolicy["compare"] {
  if (!isObj(raw)) invalid("policy.compare", "must be an object");
  const known = new Set(["metric", "minDelta", "min_delta", "direction"]);
  const extra = Object.keys(raw).filter((k) => !known.has(k));
  if (extra.length > 0) invalid("policy.compare", `unknown field ${extra.map((k) => JSON.stringify(k)).join(", ")}`);
  const { metric, direction = "max" } = raw;
  const delta = raw.minDelta ?? raw.min_delta ?? 0;
  if (typeof metric !== "string" || metric.trim() === "") invalid("policy.compare.metric", "must be a metric name");
  if (typeof delta !== "number" || !Number.isFinite(delta)) {
    invalid("policy.compare.minDelta", `${JSON.stringify(delta)} is not a number`);
  }
  if (direction !== "max" && direction !== "min") {
    invalid("policy.compare.direction", `${JSON.stringify(direction)} is neither "max" nor "min"`);
  }
  const better = direction === "max" ? "higher" : "lower";
  return {
    metric,
    minDelta: delta,
    direction,
    text: `${metric} ${better} than the champion's by at least ${delta}`,
  };
}

/**
 * Reads a policy as a pipeline passes it.
 *
 * @throws ComponentError `POLICY_INVALID` naming the rule and the accepted forms.
 */
export function parsePolicy(raw: unknown): ParsedPolicy {
  if (raw === undefined || raw === null) return { thresholds: [] };
  if (!isObj(raw)) invalid("policy", "must be an object with thresholds and/or compare");
  const extra = Object.keys(raw).filter((k) => k !== "thresholds" && k !== "compare");
  if (extra.length > 0) invalid("policy", `unknown field ${extra.map((k) => JSON.stringify(k)).join(", ")}`);
  const list = raw.thresholds ?? [];
  if (!Array.isArray(list)) invalid("policy.thresholds", "must be a list");
  const thresholds = list.map(parseThreshold);
  return raw.compare === undefined || raw.compare === null
    ? { thresholds }
    : { thresholds, compare: parseCompare(raw.compare) };
}

function holds(value: number, op: ThresholdOp, threshold: number): boolean {
  switch (op) {
    case ">=":
      return value >= threshold;
    case ">":
      return value > threshold;
    case "<=":
      return value <= threshold;
    case "<":
      return value < threshold;
    case "==":
      return value === threshold;
  }
}

/**
 * Two numbers as a message shows them: 6 significant digits, or every digit where that
 * would make different numbers look equal.
 */
export function showPair(a: number, b: number): [string, string] {
  const short = (n: number) => String(Number(n.toPrecision(6)));
  const [sa, sb] = [short(a), short(b)];
  return sa === sb && a !== b ? [String(a), String(b)] : [sa, sb];
}

function present(metrics: Record<string, number>): string {
  const names = Object.keys(metrics).sort();
  return names.length === 0 ? "none" : names.join(", ");
}

/**
 * The new version's value of a metric a rule names.
 *
 * @throws ComponentError `POLICY_METRIC_MISSING` naming the metric, the rule and the metrics present.
 */
export function metricFor(metrics: Record<string, number>, metric: string, rule: string): number {
  const value = metrics[metric];
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ComponentError(
      "POLICY_METRIC_MISSING",
      `registerModel: the policy rule "${rule}" needs metric "${metric}", which is not among the model's metrics (present: ${present(metrics)}); pass it in metrics or metric_values, or fix the rule's metric name`,
    );
  }
  return value;
}

/** Evaluates the absolute thresholds, in order. */
export function evaluateThresholds(policy: ParsedPolicy, metrics: Record<string, number>): RuleResult[] {
  return policy.thresholds.map((t) => {
    const value = metricFor(metrics, t.metric, t.text);
    const passed = holds(value, t.op, t.value);
    return {
      kind: "threshold",
      rule: t.text,
      metric: t.metric,
      value,
      threshold: t.value,
      passed,
      note: passed ? "holds" : `${t.metric} is ${showPair(value, t.value)[0]}, which is not ${t.op} ${t.value}`,
    };
  });
}

/** Evaluates the comparison with the champion (none yet: it passes). */
export function evaluateCompare(
  compare: NonNullable<ParsedPolicy["compare"]>,
  metrics: Record<string, number>,
  champion: Champion | undefined,
): RuleResult {
  const value = metricFor(metrics, compare.metric, compare.text);
  const base = { kind: "compare" as const, rule: compare.text, metric: compare.metric, value };
  if (!champion) return { ...base, passed: true, note: "no current champion" };
  const theirs = champion.metrics[compare.metric];
  if (typeof theirs !== "number" || !Number.isFinite(theirs)) {
    return {
      ...base,
      passed: false,
      note: `the champion (version ${champion.version}) has no recorded ${compare.metric} (its metrics: ${present(champion.metrics)}), so the new version cannot be shown better; move the champion alias by hand if it should be`,
    };
  }
  const threshold = compare.direction === "max" ? theirs + compare.minDelta : theirs - compare.minDelta;
  const passed = compare.direction === "max" ? value >= threshold : value <= threshold;
  const bound = compare.direction === "max" ? ">=" : "<=";
  const delta = compare.minDelta === 0 ? "" : ` ${compare.direction === "max" ? "+" : "-"} ${compare.minDelta}`;
  return {
    ...base,
    threshold,
    passed,
    note: `${passed ? "" : "not "}${bound} the champion's (version ${champion.version}) ${showPair(theirs, value)[0]}${delta}`,
  };
}

/**
 * Applies a policy: thresholds first (the first failing one decides, and the comparison is
 * not evaluated), then the comparison with the champion.
 */
export function decide(
  policy: ParsedPolicy,
  metrics: Record<string, number>,
  champion: Champion | undefined,
): Decision {
  const results = evaluateThresholds(policy, metrics);
  const failed = results.find((r) => !r.passed);
  if (failed) {
    return {
      promoted: false,
      thresholdFailed: true,
      results,
      decidedBy: `threshold "${failed.rule}" failed: ${failed.note}`,
    };
  }
  if (policy.compare) {
    const cmp = evaluateCompare(policy.compare, metrics, champion);
    results.push(cmp);
    return {
      promoted: cmp.passed,
      thresholdFailed: false,
      results,
      decidedBy: cmp.passed
        ? `comparison "${cmp.rule}" passed: ${cmp.note}`
        : `comparison "${cmp.rule}" failed: ${cmp.note}`,
    };
  }
  return {
    promoted: true,
    thresholdFailed: false,
    results,
    decidedBy: results.length > 0 ? "every threshold holds (the policy has no comparison)" : "the policy has no rules",
  };
}

/**
 * The one way a benchmark states a goal and says whether it met it. Each bench measures a
 * value and, where it has one, a baseline in the same run and the same unit, then calls
 * {@link report}, which judges the goal and prints one JSON line:
 *
 *   {"bench":"engine.node-chain","value":61.2,"unit":"ms","baseline":52.4,"ratio":1.17,"goal":"<= 1.25x","met":true}
 *
 * `bench/run.js` collects these lines from every bench and prints which goals are not met.
 *
 * A goal is `<op> <number><suffix> [unit]`, op one of `<=`, `<`, `>=`, `>`:
 *  - `x` compares the ratio value / baseline (`"<= 1.25x"`);
 *  - `%` compares the ratio as a percentage (`"<= 2 %"`);
 *  - anything else compares the value itself, in `unit` (`"<= 15 ms/task"`, `"< 300 MB"`);
 *    a unit written in the goal must be the measurement's unit.
 * `require` adds conditions that must also hold (`{ "1000 tasks succeeded": leaves === 1000 }`);
 * a check with no single number (`value` left out) is judged on them alone.
 */

import { WeftError } from "../src/ir/index.ts";

/** What a bench measured, against what, and the goal it must meet. */
export interface Measurement {
  /** `<bench>.<case>`, e.g. `engine.parallel-for`. */
  name: string;
  /** The measured number; left out for a check judged only on `require`. */
  value?: number;
  /** Unit of `value` and `baseline`. */
  unit?: string;
  /** The same quantity measured in the same run without the thing under test. */
  baseline?: number;
  /** The goal, e.g. `"<= 1.25x"`, `"<= 15 ms/task"`, `"<= 2 %"`, `"< 300 MB"`. */
  goal: string;
  /** Further conditions that must hold for the goal to be met, each named. */
  require?: Record<string, boolean>;
  /** Extra numbers to keep beside the verdict (not judged). */
  details?: Record<string, unknown>;
}

/** The JSON line {@link report} prints. */
export interface BenchResult {
  bench: string;
  value?: number;
  unit?: string;
  baseline?: number;
  ratio?: number;
  goal: string;
  met: boolean;
  /** Names of the `require` conditions that did not hold. */
  failed?: string[];
  details?: Record<string, unknown>;
}

/** A goal taken apart: compare `subject` with `target` using `op`. */
export interface Goal {
  op: "<=" | "<" | ">=" | ">";
  target: number;
  /** `ratio`: value / baseline; `percent`: the ratio x 100; `value`: the value itself. */
  subject: "ratio" | "percent" | "value";
  /** The unit written after the number, when comparing the value. */
  unit?: string;
}

/** Thrown for a goal the bench wrote wrongly: a bench bug, not a missed goal. */
export class GoalError extends WeftError {
  constructor(message: string) {
    super("BENCH_GOAL", message);
  }
}

const GOAL = /^\s*(<=|<|>=|>)\s*(-?\d+(?:\.\d+)?)\s*(x|%)?\s*(.*?)\s*$/;

/** Parses a goal string; throws {@link GoalError} with what to write instead. */
export function parseGoal(goal: string): Goal {
  const m = GOAL.exec(goal);
  if (!m) {
    throw new GoalError(`bench goal "${goal}" is not "<op> <number>[x|%] [unit]"; write e.g. "<= 1.25x" or "< 300 MB"`);
  }
  const [, op, num, suffix, unit] = m;
  const subject = suffix === "x" ? "ratio" : suffix === "%" ? "percent" : "value";
  if (subject !== "value" && unit) {
    throw new GoalError(`bench goal "${goal}": nothing may follow "${suffix}"; write e.g. "<= 1.25x"`);
  }
  return {
    op: op as Goal["op"],
    target: Number(num),
    subject,
    ...(subject === "value" && unit ? { unit } : {}),
  };
}

function compare(op: Goal["op"], a: number, b: number): boolean {
  switch (op) {
    case "<=":
      return a <= b;
    case "<":
      return a < b;
    case ">=":
      return a >= b;
    case ">":
      return a > b;
  }
}

function round(v: number): number {
  return Number(v.toPrecision(4));
}

/** Judges a measurement against its goal without printing. */
export function judge(m: Measurement): BenchResult {
  const failed = Object.entries(m.require ?? {})
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  const ratio = m.value !== undefined && m.baseline ? m.value / m.baseline : undefined;
  // keys in the order they are read: what, against what, the goal, the verdict
  const result: BenchResult = {
    bench: m.name,
    ...(m.value !== undefined ? { value: round(m.value) } : {}),
    ...(m.unit !== undefined ? { unit: m.unit } : {}),
    ...(m.baseline !== undefined ? { baseline: round(m.baseline) } : {}),
    ...(ratio !== undefined && Number.isFinite(ratio) ? { ratio: round(ratio) } : {}),
    goal: m.goal,
    met: false,
  };

  let goalMet: boolean;
  if (m.value === undefined) {
    if (!m.require || Object.keys(m.require).length === 0) {
      throw new GoalError(`bench ${m.name}: a check without a value needs at least one "require" condition`);
    }
    goalMet = true;
  } else {
    const goal = parseGoal(m.goal);
    if (goal.unit && m.unit && goal.unit !== m.unit) {
      throw new GoalError(`bench ${m.name}: goal "${m.goal}" is in ${goal.unit} but the value is in ${m.unit}`);
    }
    if (goal.subject !== "value" && m.baseline === undefined) {
      throw new GoalError(`bench ${m.name}: goal "${m.goal}" compares with the baseline, but no baseline was given`);
    }
    // a zero or missing baseline measurement gives no ratio: the goal is not met
    const r = ratio ?? Number.NaN;
    const subject = goal.subject === "value" ? m.value : goal.subject === "ratio" ? r : r * 100;
    goalMet = Number.isFinite(subject) && compare(goal.op, subject, goal.target);
  }
  result.met = goalMet && failed.length === 0;
  if (failed.length > 0) result.failed = failed;
  if (m.details) result.details = m.details;
  return result;
}

/** Judges `m` and prints its JSON line on stdout; returns the verdict. */
export function report(m: Measurement): BenchResult {
  const result = judge(m);
  console.log(JSON.stringify(result));
  return result;
}

/** Prints that the bench `name` could not run here, and why (not counted as a missed goal). */
export function skip(name: string, reason: string): void {
  console.log(JSON.stringify({ bench: name, skipped: reason }));
}

/**
 * CEL evaluation for trigger conditions and parameter expression selectors, with the
 * variables and functions KFP's driver provides (`inputs.parameter_values`, `int()`,
 * `parseJson()`, `string()`...). Uses `@bufbuild/cel`, a real CEL implementation.
 */
import { CelScalar, type CelValue, celFunc, isCelError, isCelList, isCelMap, isCelUint, run } from "@bufbuild/cel";
import type { JsonValue } from "../ir/spec.ts";
import { EngineError } from "./errors.ts";

type CelIn = string | number | boolean | null | bigint | CelIn[] | Map<string, CelIn>;

/** Converts a JSON value to a CEL input (objects become maps, numbers doubles). */
export function toCel(v: JsonValue): CelIn {
  if (Array.isArray(v)) return v.map(toCel);
  if (v !== null && typeof v === "object") {
    const m = new Map<string, CelIn>();
    for (const [k, x] of Object.entries(v)) m.set(k, toCel(x));
    return m;
  }
  return v;
}

/** Converts a CEL result back to JSON. */
export function fromCel(v: CelValue): JsonValue {
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean" || v === null) return v;
  if (isCelUint(v)) return Number(v.value);
  if (isCelList(v)) {
    const out: JsonValue[] = [];
    for (const x of v) out.push(fromCel(x));
    return out;
  }
  if (isCelMap(v)) {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of v.entries()) out[String(k)] = fromCel(x as CelValue);
    return out;
  }
  throw new EngineError("CONDITION_INVALID", `CEL produced a value Weft cannot convert to JSON (${String(v)})`);
}

const parseJson = celFunc("parseJson", [CelScalar.STRING], CelScalar.DYN, (s: string) => {
  return toCel(JSON.parse(s) as JsonValue);
});

/** KFP's extra CEL functions. */
const KFP_FUNCS = [parseJson];

function evaluate(expr: string, bindings: Record<string, CelIn>, what: string): CelValue {
  let result: ReturnType<typeof run>;
  try {
    result = run(expr, bindings as Parameters<typeof run>[1], { funcs: KFP_FUNCS });
  } catch (e) {
    throw new EngineError("CONDITION_INVALID", `${what} '${expr}' could not be evaluated: ${(e as Error).message}`);
  }
  if (isCelError(result)) {
    throw new EngineError(
      "CONDITION_INVALID",
      `${what} '${expr}' failed: ${result.message}. Check the expression and the values it reads.`,
    );
  }
  return result;
}

/**
 * Evaluates a trigger condition as KFP does: `inputs.parameter_values` maps each of the
 * task's input parameters to its JSON value.
 *
 * @example evaluateCondition("int(inputs.parameter_values['n']) > 5", { n: 7 }) // true
 */
export function evaluateCondition(expr: string, parameters: Record<string, JsonValue>, task: string): boolean {
  const pv = new Map<string, CelIn>();
  for (const [k, v] of Object.entries(parameters)) pv.set(k, toCel(v));
  const inputs = new Map<string, CelIn>([["parameter_values", pv]]);
  const out = evaluate(expr, { inputs }, `trigger condition of task '${task}'`);
  if (typeof out !== "boolean") {
    throw new EngineError(
      "CONDITION_INVALID",
      `trigger condition of task '${task}' ('${expr}') must be a boolean, got ${String(out)}`,
    );
  }
  return out;
}

/**
 * Applies a `parameterExpressionSelector` to a value, binding it as KFP's driver does:
 * `string_value` (always; JSON text for non-strings), `number_value`, `bool_value`,
 * `list_value`, `struct_value`.
 *
 * @example selectExpression('parseJson(string_value)["A_a"]', '{"A_a": "1"}', "t") // "1"
 */
export function selectExpression(expr: string, value: JsonValue, task: string): JsonValue {
  // KFP compiles selectors over loop items and structs as parseJson(string_value)[...],
  // so string_value is always bound (to the JSON text of non-string values).
  const bindings: Record<string, CelIn> = { string_value: typeof value === "string" ? value : JSON.stringify(value) };
  if (typeof value === "number") bindings.number_value = value;
  else if (typeof value === "boolean") bindings.bool_value = value;
  else if (Array.isArray(value)) bindings.list_value = toCel(value);
  else if (value !== null) bindings.struct_value = toCel(value);
  else bindings.null_value = null;
  return fromCel(evaluate(expr, bindings, `parameter expression of task '${task}'`));
}

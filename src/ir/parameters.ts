/**
 * Parameter values and their KFP types: typing a JSON value, checking a value against a
 * declared type (run parameters, constants), and coercing command-line text.
 */
import { IrError } from "./errors.ts";
import type { JsonValue, ParameterType } from "./spec.ts";

/**
 * The KFP parameter type of a JSON value: integers are `NUMBER_INTEGER`, other numbers
 * `NUMBER_DOUBLE`, strings `STRING`, booleans `BOOLEAN`, arrays `LIST`, objects and
 * `null` `STRUCT`.
 */
export function parameterTypeOfValue(value: JsonValue): ParameterType {
  if (typeof value === "string") return "STRING";
  if (typeof value === "boolean") return "BOOLEAN";
  if (typeof value === "number") return Number.isInteger(value) ? "NUMBER_INTEGER" : "NUMBER_DOUBLE";
  if (Array.isArray(value)) return "LIST";
  return "STRUCT";
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Checks `value` against a declared parameter type. Returns an error message (what was
 * expected and what was given), or `undefined` when the value fits. Integers fit
 * `NUMBER_DOUBLE`; `null` fits `STRUCT`; unspecified and task-status types accept anything.
 *
 * @example checkParameterValue("NUMBER_INTEGER", 1.5) // "expected an integer (NUMBER_INTEGER) but got 1.5"
 */
export function checkParameterValue(type: ParameterType, value: unknown): string | undefined {
  const fail = (what: string): string => `expected ${what} but got ${show(value)}`;
  switch (type) {
    case "NUMBER_INTEGER":
      return typeof value === "number" && Number.isInteger(value) ? undefined : fail("an integer (NUMBER_INTEGER)");
    case "NUMBER_DOUBLE":
      return typeof value === "number" && Number.isFinite(value) ? undefined : fail("a number (NUMBER_DOUBLE)");
    case "STRING":
      return typeof value === "string" ? undefined : fail("a string (STRING)");
    case "BOOLEAN":
      return typeof value === "boolean" ? undefined : fail("a boolean (BOOLEAN)");
    case "LIST":
      return Array.isArray(value) ? undefined : fail("a list (LIST)");
    case "STRUCT":
      return value !== undefined && typeof value === "object" && !Array.isArray(value)
        ? undefined
        : fail("an object (STRUCT)");
    default:
      return undefined;
  }
}

function parseJsonText(text: string, what: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw new IrError("IR_PARAMETER_VALUE", `${show(text)} is not valid JSON; expected ${what}`);
  }
}

/**
 * Converts command-line text (`--param k=v`) to a value of the declared type:
 * `NUMBER_INTEGER` and `NUMBER_DOUBLE` as numbers, `BOOLEAN` as `true`/`false`
 * (also `True`/`False`, `1`/`0`), `LIST` and `STRUCT` as JSON, `STRING` unchanged.
 *
 * @throws IrError `IR_PARAMETER_VALUE` saying what was expected
 * @example coerceParameterString("NUMBER_INTEGER", "42") // 42
 */
export function coerceParameterString(type: ParameterType, text: string): JsonValue {
  const bad = (what: string): IrError =>
    new IrError("IR_PARAMETER_VALUE", `${show(text)} is not ${what}; pass e.g. ${example(type)}`);
  switch (type) {
    case "NUMBER_INTEGER": {
      const t = text.trim();
      if (!/^[+-]?\d+$/.test(t)) throw bad("an integer");
      const n = Number(t);
      if (!Number.isSafeInteger(n)) throw bad("an integer within ±2^53");
      return n;
    }
    case "NUMBER_DOUBLE": {
      const t = text.trim();
      const n = Number(t);
      if (t === "" || !Number.isFinite(n)) throw bad("a number");
      return n;
    }
    case "BOOLEAN": {
      const t = text.trim().toLowerCase();
      if (t === "true" || t === "1") return true;
      if (t === "false" || t === "0") return false;
      throw bad("a boolean (true or false)");
    }
    case "LIST": {
      const v = parseJsonText(text, "a JSON list such as [1, 2]");
      if (!Array.isArray(v)) throw bad("a JSON list");
      return v;
    }
    case "STRUCT": {
      const v = parseJsonText(text, 'a JSON object such as {"k": 1}');
      if (v === null || typeof v !== "object" || Array.isArray(v)) throw bad("a JSON object");
      return v;
    }
    default:
      return text;
  }
}

function example(type: ParameterType): string {
  switch (type) {
    case "NUMBER_INTEGER":
      return "10";
    case "NUMBER_DOUBLE":
      return "0.5";
    case "BOOLEAN":
      return "true";
    case "LIST":
      return "[1, 2]";
    case "STRUCT":
      return '{"k": 1}';
    default:
      return "text";
  }
}

/**
 * Coerces parameter values as they arrive in an ExecutorInput (JSON, sometimes strings) to
 * the types a component declared, and checks output values before they are written.
 */
import { ExecutorError } from "./errors.ts";
import type { JsonValue, ParameterTypeName } from "./types.ts";

function typeError(what: string, name: string, type: ParameterTypeName, value: unknown, hint: string): ExecutorError {
  const shown = JSON.stringify(value) ?? String(value);
  return new ExecutorError(
    what === "input" ? "EXECUTOR_INPUT_TYPE" : "EXECUTOR_OUTPUT_TYPE",
    `${what} parameter "${name}" is declared ${type} but got ${shown.slice(0, 200)}; ${hint}.`,
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Converts an input parameter value to its declared type: numbers from numeric strings,
 * integers checked, booleans from `"true"`/`"false"`, LIST and STRUCT parsed from JSON text.
 *
 * @throws ExecutorError `EXECUTOR_INPUT_TYPE` naming the input when the value cannot be converted.
 */
export function coerceInputParameter(name: string, type: ParameterTypeName, value: unknown): unknown {
  switch (type) {
    case "STRING":
      if (typeof value === "string") return value;
      return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
    case "NUMBER_INTEGER":
    case "NUMBER_DOUBLE": {
      const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
      if (typeof n !== "number" || Number.isNaN(n)) {
        throw typeError("input", name, type, value, "pass a number");
      }
      if (type === "NUMBER_INTEGER" && !Number.isInteger(n)) {
        throw typeError("input", name, type, value, "pass a whole number");
      }
      return n;
    }
    case "BOOLEAN":
      if (typeof value === "boolean") return value;
      if (value === "true" || value === "True") return true;
      if (value === "false" || value === "False") return false;
      throw typeError("input", name, type, value, "pass true or false");
    case "LIST": {
      const v = typeof value === "string" ? parseJson(value) : value;
      if (!Array.isArray(v)) throw typeError("input", name, type, value, "pass a JSON array");
      return v;
    }
    case "STRUCT":
    case "TASK_FINAL_STATUS": {
      const v = typeof value === "string" ? parseJson(value) : value;
      if (typeof v !== "object" || v === null || Array.isArray(v)) {
        throw typeError("input", name, type, value, "pass a JSON object");
      }
      return v;
    }
  }
}

/**
 * Checks an output parameter value returned by a component against its declared type and
 * returns it as a JSON value.
 *
 * @throws ExecutorError `EXECUTOR_OUTPUT_TYPE` naming the output when the value does not fit.
 */
export function checkOutputParameter(name: string, type: ParameterTypeName, value: unknown): JsonValue {
  const fail = (hint: string) => typeError("output", name, type, value, hint);
  switch (type) {
    case "STRING":
      if (typeof value !== "string") throw fail("return a string");
      return value;
    case "NUMBER_INTEGER":
      if (typeof value !== "number" || !Number.isInteger(value)) throw fail("return a whole number");
      return value;
    case "NUMBER_DOUBLE":
      if (typeof value !== "number" || !Number.isFinite(value)) throw fail("return a finite number");
      return value;
    case "BOOLEAN":
      if (typeof value !== "boolean") throw fail("return true or false");
      return value;
    case "LIST":
      if (!Array.isArray(value)) throw fail("return an array");
      return JSON.parse(JSON.stringify(value)) as JsonValue;
    case "STRUCT":
    case "TASK_FINAL_STATUS":
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw fail("return a plain object");
      return JSON.parse(JSON.stringify(value)) as JsonValue;
  }
}

/** Serializes an output parameter for its `outputFile`, as KFP does: strings raw, others JSON. */
export function serializeParameter(value: JsonValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

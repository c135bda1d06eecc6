/**
 * Reading route parameters as MLflow's server does: a missing required field is
 * INVALID_PARAMETER_VALUE "Missing value for parameter 'x'", a wrong type names the field.
 * GET parameters arrive as strings, so numbers and booleans are also read from strings.
 */
import { MlflowError } from "./route.ts";

type Params = Record<string, unknown>;

function missing(name: string): MlflowError {
  return new MlflowError(
    "INVALID_PARAMETER_VALUE",
    `Missing value for parameter '${name}'. See the API docs for more information about request parameters.`,
  );
}

function badType(name: string, expected: string, value: unknown): MlflowError {
  return new MlflowError(
    "INVALID_PARAMETER_VALUE",
    `Invalid value ${JSON.stringify(value)} for parameter '${name}' supplied: expected ${expected}.`,
  );
}

/** An optional string parameter (the first of a repeated one). */
export function optString(params: Params, name: string): string | undefined {
  let v = params[name];
  if (Array.isArray(v)) v = v[0];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw badType(name, "a string", v);
  return v;
}

/** A required, non-empty string parameter. */
export function reqString(params: Params, name: string): string {
  const v = optString(params, name);
  if (v === undefined || v === "") throw missing(name);
  return v;
}

/** The run id of a tracking call: `run_id`, or the older `run_uuid`. */
export function runIdParam(params: Params): string {
  const v = optString(params, "run_id") || optString(params, "run_uuid");
  if (v === undefined || v === "") throw missing("run_id");
  return v;
}

/** An optional integer (a JSON number or a decimal string). */
export function optInt(params: Params, name: string): number | undefined {
  let v = params[name];
  if (Array.isArray(v)) v = v[0];
  if (v === undefined || v === null || v === "") return undefined;
  const n = typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isSafeInteger(n)) throw badType(name, "an integer", v);
  return n;
}

/** A required number (`NaN`, `Infinity` and `-Infinity` accepted as strings, as MLflow's JSON writes them). */
export function reqNumber(params: Params, name: string): number {
  const v = params[name];
  if (v === undefined || v === null || v === "") throw missing(name);
  return numberOf(name, v);
}

/** A number from JSON or a string. */
export function numberOf(name: string, v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    if (v === "NaN") return Number.NaN;
    if (v === "Infinity") return Number.POSITIVE_INFINITY;
    if (v === "-Infinity") return Number.NEGATIVE_INFINITY;
    if (v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  }
  throw badType(name, "a number", v);
}

/** A list of strings (a JSON array, or a repeated/single query parameter). */
export function stringList(params: Params, name: string): string[] {
  const v = params[name];
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  for (const s of list) if (typeof s !== "string") throw badType(name, "a list of strings", v);
  return list as string[];
}

/** A list of objects (`tags`, `metrics`, ...). */
export function objectList(params: Params, name: string): Params[] {
  const v = params[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((o) => typeof o !== "object" || o === null || Array.isArray(o))) {
    throw badType(name, "a list of objects", v);
  }
  return v as Params[];
}

/** A value that must be one of `values`. */
export function optEnum<T extends string>(params: Params, name: string, values: readonly T[]): T | undefined {
  const v = optString(params, name);
  if (v === undefined || v === "") return undefined;
  if (!values.includes(v as T)) throw badType(name, `one of ${values.join(", ")}`, v);
  return v as T;
}

const NAME = /^[\w\-. /]+$/;

/** Checks a metric, param or tag key as MLflow does (a name, never a path that climbs). */
export function checkKeyName(kind: "metric" | "param" | "tag", key: string): string {
  if (key === "" || !NAME.test(key) || key.split("/").includes("..") || key.startsWith("/") || key.length > 250) {
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `Invalid ${kind} name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/), may not start with '/' or contain '..', and are at most 250 characters.`,
    );
  }
  return key;
}

/** Drops undefined fields and empty arrays, as MLflow's protobuf JSON leaves them out. */
export function compactJson<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out as T;
}

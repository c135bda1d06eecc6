/**
 * Size limits of the API, declared once: request bodies, uploaded pipeline files, the
 * string fields of every message, run parameter values, tags and list responses. Generous
 * for real use, finite so that no request or list can exhaust the server's memory.
 */
import { ApiError, badRequest, GrpcCode } from "./errors.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

/** Maximum UTF-8 bytes of each kind of string field. */
export const FIELD_LIMITS = {
  /** `name`, `display_name` of pipelines, versions, experiments, runs and recurring runs. */
  name: 256,
  /** `description` of every resource. */
  description: 16 * KiB,
  /** ids and other short strings (`namespace`, `service_account`, states, cron expressions). */
  short: 1 * KiB,
  /** `package_url.pipeline_url`, `code_source_url`, `runtime_config.pipeline_root`. */
  url: 4 * KiB,
  /** One run parameter value, as JSON. */
  parameterValue: 1 * MiB,
} as const;

/** The kinds of bounded string field. */
export type FieldKind = keyof typeof FIELD_LIMITS;

/** Limits beyond single fields. */
export const SIZE_LIMITS = {
  /** A pipeline spec: an uploaded file, or an inline `pipeline_spec` as JSON. */
  pipelineSpec: 64 * MiB,
  /** A request body (room for a spec at its limit plus the rest of the message). */
  requestBody: 72 * MiB,
  /** Tags per pipeline or version, and bytes of each key and value (KFP's constraints). */
  tagCount: 20,
  tagText: 63,
  /** A page of a list response stops early at about this many bytes of JSON. */
  listPageBytes: 16 * MiB,
} as const;

/** Formats a byte count for messages: `16 KiB`, `64 MiB`, `256 bytes`. */
export function formatBytes(n: number): string {
  if (n >= MiB && n % MiB === 0) return `${n / MiB} MiB`;
  if (n >= KiB && n % KiB === 0) return `${n / KiB} KiB`;
  return `${n} bytes`;
}

/** The problem with a string of `kind`, or undefined when it is within its limit. */
export function stringProblem(value: string, kind: FieldKind): string | undefined {
  const limit = FIELD_LIMITS[kind];
  // UTF-8 takes at most 3 bytes per UTF-16 code unit: skip the count for short strings.
  if (value.length * 3 <= limit) return undefined;
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes <= limit) return undefined;
  return `is ${bytes} bytes long; the limit is ${formatBytes(limit)} (UTF-8); shorten it`;
}

/** Throws a 400 naming `field` when `value` is over the limit of `kind`. */
export function checkString(value: string | undefined, kind: FieldKind, field: string): void {
  if (value === undefined) return;
  const problem = stringProblem(value, kind);
  if (problem) throw badRequest(`${field}: ${problem}.`);
}

/** A 413 in the KFP error body: the request (or its uploaded file) is larger than `limit`. */
export function tooLarge(what: string, limit: number): ApiError {
  return new ApiError(
    "API_TOO_LARGE",
    GrpcCode.RESOURCE_EXHAUSTED,
    `${what} is larger than the limit of ${formatBytes(limit)}; send less (a pipeline spec may be at most ${formatBytes(SIZE_LIMITS.pipelineSpec)}).`,
  );
}

/** The limits in words, for `/docs`. */
export function limitsSummary(): string {
  const f = FIELD_LIMITS;
  const l = SIZE_LIMITS;
  return [
    `names and display names ${formatBytes(f.name)}`,
    `descriptions ${formatBytes(f.description)}`,
    `ids, namespaces and other short strings ${formatBytes(f.short)}`,
    `URLs and pipeline roots ${formatBytes(f.url)}`,
    `each run parameter value ${formatBytes(f.parameterValue)} as JSON`,
    `${l.tagCount} tags of up to ${l.tagText} characters per key and value`,
    `a pipeline spec (uploaded file or inline JSON) ${formatBytes(l.pipelineSpec)}`,
    `a request body ${formatBytes(l.requestBody)}`,
  ].join(", ");
}

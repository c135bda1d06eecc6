/**
 * The one canonical JSON of the engine: object keys sorted at every level, `undefined`
 * members left out (as `JSON.stringify` does), so equal values have equal text however
 * they were built: an SDK object in declaration order and the same object read back from
 * compiled YAML (whose keys are sorted) give the same text and the same digest.
 */
import { createHash } from "node:crypto";
import type { JsonValue } from "../ir/index.ts";

/** JSON with object keys sorted at every level; `undefined` members are omitted, `undefined` list items are `null`. */
export function canonicalJson(v: JsonValue | undefined): string {
  if (v === undefined) return "null";
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x as JsonValue | undefined)).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const members: string[] = [];
    for (const k of Object.keys(v).sort()) {
      const x = v[k] as JsonValue | undefined;
      if (x !== undefined) members.push(`${JSON.stringify(k)}:${canonicalJson(x)}`);
    }
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(v);
}

/** Hex sha256 of a text. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Hex sha256 of a value's canonical JSON. */
export function canonicalDigest(v: JsonValue | undefined): string {
  return sha256Hex(canonicalJson(v));
}

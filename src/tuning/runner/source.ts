/**
 * An experiment's recorded form: the serialisable parts of its spec (a function trial and
 * constraints as their source text) and the digest a resume compares.
 */
import { createHash } from "node:crypto";
import type { ExperimentSpec } from "../types.ts";
import type { ExperimentSource } from "./types.ts";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The spec as JSON: functions become their source text, `undefined` fields are left out. */
export function serialisableSpec(spec: ExperimentSpec): Record<string, Json> {
  const seen = new WeakSet<object>();
  const walk = (v: unknown): Json | undefined => {
    if (v === undefined) return undefined;
    if (typeof v === "function") return `function ${v.toString()}`;
    if (v === null || typeof v === "boolean" || typeof v === "string") return v;
    if (typeof v === "number") return Number.isFinite(v) ? v : String(v);
    if (typeof v !== "object") return String(v);
    if (seen.has(v)) return "[circular]";
    seen.add(v);
    if (Array.isArray(v)) return v.map((x) => walk(x) ?? null);
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) {
      const j = walk(x);
      if (j !== undefined) out[k] = j;
    }
    return out;
  };
  return walk(spec) as Record<string, Json>;
}

/** `sha256:<hex>` of a text. */
export function sha256(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

/**
 * The source a resume compares: the text given (what the file said), else the spec's
 * serialisable parts. Overrides that change the run (parallel trials, budget, seed) are
 * part of the spec, so they are part of the digest either way.
 */
export function experimentSource(spec: ExperimentSpec, text?: string): ExperimentSource {
  const json = JSON.stringify(serialisableSpec({ ...spec, file: undefined } as ExperimentSpec));
  const body = text === undefined ? json : `${text}\n--- spec ---\n${json}`;
  return { text: text ?? json, digest: sha256(body) };
}

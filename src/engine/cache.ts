/**
 * Execution caching. The key is a sha256 over the component (image, command, args, env,
 * output definitions), the input parameter values and the input artifacts' content
 * digests, plus `cacheKey` when set. Unlike KFP, which keys input artifacts by their
 * MLMD artifact ids, Weft keys them by content, so identical bytes hit across runs.
 * Every structured part is hashed over its canonical JSON (`canonical.ts`: keys sorted
 * at every level), so a pipeline run from its TypeScript source and from its compiled
 * YAML (whose keys are sorted) has the same key. Each part is kept so a miss can say
 * which one changed.
 */
import type { ContainerSpec, JsonValue, OutputDefinitions } from "../ir/index.ts";
import { canonicalDigest, canonicalJson, sha256Hex } from "./canonical.ts";
import type { NodeIO } from "./context.ts";

/** The fingerprint of one task execution. */
export interface Fingerprint {
  key: string;
  /** Identity of the component in its pipeline (pipeline name + component name), to find the closest entry. */
  componentDigest: string;
  parts: Record<string, string>;
}

/** Short values are kept verbatim (canonical JSON) so a miss can show old → new; long ones are hashed. */
function partOf(v: JsonValue): string {
  const s = canonicalJson(v);
  return s.length <= 80 ? s : `sha256:${sha256Hex(s)}`;
}

/** Computes the fingerprint of a container task. */
export function fingerprint(
  identity: string,
  container: ContainerSpec,
  outputs: OutputDefinitions | undefined,
  inputs: NodeIO,
  cacheKey?: string,
): Fingerprint {
  const parts: Record<string, string> = {
    image: container.image,
    command: canonicalDigest(container.command ?? []),
    args: canonicalDigest(container.args ?? []),
    env: canonicalDigest((container.env ?? []) as JsonValue),
    outputs: canonicalDigest((outputs ?? {}) as JsonValue),
  };
  for (const [k, v] of Object.entries(inputs.parameters)) parts[`param:${k}`] = partOf(v);
  for (const [k, list] of Object.entries(inputs.artifacts)) {
    parts[`artifact:${k}`] = list.map((a) => a.digest ?? `uri:${a.uri}`).join(",");
  }
  if (cacheKey) parts.cacheKey = cacheKey;
  // The parts as sorted [name, value] pairs: every value is a string, so this text is canonical.
  const sorted = Object.keys(parts)
    .sort()
    .map((k) => [k, parts[k]]);
  return { key: sha256Hex(JSON.stringify(sorted)), componentDigest: sha256Hex(identity), parts };
}

/** How a miss names each part of the component's definition. */
const COMPONENT_PARTS: Record<string, string> = {
  image: "component image",
  command: "component command",
  args: "component arguments",
  env: "component environment",
  outputs: "output definitions",
};

/**
 * The previous execution most like this one (fewest differing key parts), so a miss is
 * explained against its nearest neighbour rather than whatever ran last: a loop's
 * `kind=logreg` iteration compares with the last logreg run, not the last mlp one.
 */
export function nearestEntry<E extends { parts: Record<string, string> }>(
  candidates: readonly E[],
  current: Record<string, string>,
): E | undefined {
  let best: E | undefined;
  let bestDiff = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const keys = new Set([...Object.keys(c.parts), ...Object.keys(current)]);
    let diff = 0;
    for (const k of keys) if (c.parts[k] !== current[k]) diff++;
    // Candidates come newest first: a tie keeps the newer one.
    if (diff < bestDiff) {
      best = c;
      bestDiff = diff;
    }
  }
  return best;
}

/**
 * Says which parts of the key changed between a previous execution's parts and this one's.
 *
 * @example explainCacheMiss({ "param:rows": "200000" }, { "param:rows": "20000" })
 * // "input parameter 'rows' changed (200000 → 20000)"
 * @example explainCacheMiss({ image: "node:20", outputs: "1" }, { image: "node:22", outputs: "2" })
 * // "component image changed (node:20 → node:22); output definitions changed"
 */
export function explainCacheMiss(
  previous: Record<string, string> | undefined,
  current: Record<string, string>,
): string {
  if (!previous) return "no previous execution of this component";
  const reasons: string[] = [];
  for (const [k, what] of Object.entries(COMPONENT_PARTS)) {
    const before = previous[k];
    const after = current[k];
    if (before === after) continue;
    // The image is kept verbatim; the other parts are digests, which say nothing to a reader.
    reasons.push(
      k === "image" && before !== undefined && after !== undefined
        ? `${what} changed (${before} → ${after})`
        : `${what} changed`,
    );
  }
  const keys = new Set([...Object.keys(previous), ...Object.keys(current)]);
  for (const k of [...keys].sort()) {
    if (k in COMPONENT_PARTS || previous[k] === current[k]) continue;
    const [kind, name] = k.includes(":") ? [k.slice(0, k.indexOf(":")), k.slice(k.indexOf(":") + 1)] : [k, ""];
    const before = previous[k];
    const after = current[k];
    if (kind === "param") {
      if (before === undefined) reasons.push(`input parameter '${name}' added`);
      else if (after === undefined) reasons.push(`input parameter '${name}' removed`);
      else if (before.startsWith("sha256:") || after.startsWith("sha256:"))
        reasons.push(`input parameter '${name}' changed`);
      else reasons.push(`input parameter '${name}' changed (${show(before)} → ${show(after)})`);
    } else if (kind === "artifact") {
      reasons.push(
        before === undefined || after === undefined
          ? `input artifact '${name}' ${before === undefined ? "added" : "removed"}`
          : `input artifact '${name}' content changed`,
      );
    } else if (kind === "cacheKey") reasons.push("cache key changed");
  }
  return reasons.length > 0 ? reasons.join("; ") : "the previous entry expired (older than the maximum staleness)";
}

function show(part: string): string {
  try {
    const v = JSON.parse(part) as JsonValue;
    return typeof v === "string" ? v : part;
  } catch {
    return part;
  }
}

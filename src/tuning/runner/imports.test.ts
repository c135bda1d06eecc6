/**
 * The runner runs inside a task (the prebuilt `tune` component) with the memory journal:
 * its static imports never reach the store, the engine or the compiler (the store journal
 * and pipeline trials load them on use).
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const STATIC_IMPORT = /^\s*(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"/gm;

/** Every source file `file` reaches through static imports (type-only ones left out). */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(STATIC_IMPORT)) {
    const spec = m[1] as string;
    if (/^\s*(?:import|export)\s+type\s/.test(m[0])) continue;
    if (!spec.startsWith(".")) continue;
    staticClosure(join(dirname(file), spec), seen);
  }
  return seen;
}

describe("the runner's imports", () => {
  it("reach neither the store, the engine nor the compiler statically", () => {
    const files = [...staticClosure(join(ROOT, "src/tuning/runner/index.ts"))].map((f) => relative(ROOT, f));
    expect(files).toContain("src/tuning/runner/run-experiment.ts");
    expect(files.filter((f) => /^src\/(store|engine|compiler|server|cli)\//.test(f))).toEqual([]);
  });

  it("keep weft/tuning, the module's public face, off them too", () => {
    const files = [...staticClosure(join(ROOT, "src/tuning/index.ts"))].map((f) => relative(ROOT, f));
    expect(files).toContain("src/tuning/tune.ts");
    expect(files.filter((f) => /^src\/(store|engine|compiler|server|cli)\//.test(f))).toEqual([]);
  });

  it("load the store only from the store journal", () => {
    const files = [...staticClosure(join(ROOT, "src/tuning/runner/store-journal.ts"))].map((f) => relative(ROOT, f));
    expect(files.some((f) => f.startsWith("src/engine/owner.ts"))).toBe(true);
  });
});

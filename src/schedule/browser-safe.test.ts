import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/** The value imports of a file (type-only imports are erased and do not count). */
function valueImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?from\s+"([^"]+)";/gms)) {
    if (m[1]) out.push(m[1]);
  }
  return out;
}

/** Every file reachable from `entry` through value imports, and every package it loads. */
function closure(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const todo = [entry];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of valueImports(file)) {
      if (spec.startsWith(".")) todo.push(resolve(dirname(file), spec));
      else packages.add(spec);
    }
  }
  return { files: [...files].map((f) => relative(import.meta.dirname, f)).sort(), packages: [...packages] };
}

describe("the cron and trigger code the web UI imports", () => {
  it("loads no package, no Node built-in and no IR schema", () => {
    const { files, packages } = closure(resolve(import.meta.dirname, "trigger.ts"));
    expect(packages).toEqual([]);
    expect(files).toEqual(["../ir/units.ts", "../ir/weft-error.ts", "cron.ts", "errors.ts", "trigger.ts"]);
  });
});

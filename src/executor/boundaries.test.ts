import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The executor is bundled into every task, so it may import only its own files and node: builtins.
describe("executor module boundaries", () => {
  it("imports nothing but its own files and node: builtins", () => {
    const sources = readdirSync(import.meta.dirname).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
    expect(sources).toContain("index.ts");
    const foreign: string[] = [];
    let seen = 0;
    for (const file of sources) {
      const text = readFileSync(join(import.meta.dirname, file), "utf8");
      for (const match of text.matchAll(/^\s*(?:import|export)[^"']*?from\s+["']([^"']+)["']/gm)) {
        const specifier = match[1] as string;
        seen++;
        if (!/^\.\/[a-z0-9-]+\.ts$/.test(specifier) && !specifier.startsWith("node:")) {
          foreign.push(`${file}: ${specifier}`);
        }
      }
    }
    expect(seen).toBeGreaterThan(10);
    expect(foreign).toEqual([]);
  });
});

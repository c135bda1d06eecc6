/**
 * Run and task states are declared once, in `src/ir/states.ts`. Outside it, no source file
 * of `src/` or `ui/src/` lists two state literals together: not in an array (a `Set`, a
 * `z.enum`, an `includes` or a transition's from-list), not in a union type. Such a list
 * is a set of states, and every set the code needs is declared there, with a name; a
 * single comparison (`state === "FAILED"`) or a single literal in a union with a declared
 * type (`RuntimeState | "CACHED"`) uses the declared states and is fine. Tests, and the
 * store's and artifact store's contract suites (tests that other stores run), may write
 * the states they expect.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { RUNTIME_STATES, TASK_STATES } from "../src/ir/states.ts";

const ROOT = join(import.meta.dirname, "..");
const DECLARATION = "src/ir/states.ts";

const STATES = [...new Set<string>([...RUNTIME_STATES, ...TASK_STATES])];
const NAMES = STATES.join("|");
const LITERAL = `(?:"(?:${NAMES})"|'(?:${NAMES})'|\`(?:${NAMES})\`)`;
/** Two or more state literals with only commas or union bars (and white space) between them. */
const LISTED_TOGETHER = new RegExp(`${LITERAL}(?:\\s*[,|]\\s*${LITERAL})+`, "g");

function isTestFile(name: string): boolean {
  return /\.(test|test-d|e2e\.test)\.tsx?$/.test(name) || /^contract(-[a-z]+)?\.ts$/.test(name);
}

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sources(path, out);
    else if (/\.tsx?$/.test(entry.name) && !isTestFile(entry.name)) out.push(path);
  }
  return out;
}

/** `file:line: text` for each place where state literals are listed together. */
function statesListedTogether(text: string, file: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(LISTED_TOGETHER)) {
    const line = text.slice(0, m.index).split("\n").length;
    found.push(`${file}:${line}: ${m[0].replace(/\s+/g, " ")}`);
  }
  return found;
}

describe("run and task states", () => {
  it("are listed together only in src/ir/states.ts", () => {
    const files = [...sources(join(ROOT, "src")), ...sources(join(ROOT, "ui", "src"))];
    const found: string[] = [];
    for (const path of files) {
      const rel = relative(ROOT, path).split(sep).join("/");
      if (rel === DECLARATION) continue;
      found.push(...statesListedTogether(readFileSync(path, "utf8"), rel));
    }
    expect(
      found,
      `declare the set of states in ${DECLARATION} (with a name) and use it from there:\n${found.join("\n")}`,
    ).toEqual([]);
  });

  it("finds arrays, sets and union types of states, and leaves single comparisons alone", () => {
    const code = [
      'const A = new Set(["SUCCEEDED", "FAILED"]);',
      "type T =",
      '  | "PENDING"',
      '  | "RUNNING";',
      'if (["CANCELED", "PENDING"].includes(s)) f();',
      'const ok = s === "FAILED" || s === "CANCELED";',
      'const t = canceled ? "CANCELED" : "FAILED";',
      'type U = RuntimeState | "CACHED";',
      "const B = [`SUCCEEDED`, 'CACHED'];",
    ].join("\n");
    expect(statesListedTogether(code, "x.ts")).toEqual([
      'x.ts:1: "SUCCEEDED", "FAILED"',
      'x.ts:3: "PENDING" | "RUNNING"',
      'x.ts:5: "CANCELED", "PENDING"',
      "x.ts:9: `SUCCEEDED`, 'CACHED'",
    ]);
  });

  it("are declared in a leaf file that the web UI loads without any package", () => {
    const text = readFileSync(join(ROOT, DECLARATION), "utf8");
    expect(text).not.toMatch(/^\s*(import|export)\s[^;]*\sfrom\s/m);
  });
});

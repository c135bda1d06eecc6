/**
 * The file paths the documentation cites exist. Every path in backticks in `README.md`,
 * `docs/`, and the READMEs under `src/`, `ui/` and `examples/` that looks like a repository
 * path (a folder of the repository, or a name with a source or document extension) must
 * name a file or folder of the repository, and nothing may point outside it: a clone has
 * only the repository.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const TOP_LEVEL = ["src", "test", "ui", "docs", "bench", "examples", "bin", ".ci"];
const SKIPPED_DIRS = new Set(["node_modules", ".git", "dist", ".weft"]);
const FILE_EXTENSIONS = /\.(ts|tsx|js|mjs|cjs|md|css|html|sh)$/;

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

const FILES = walk(ROOT);
const BASENAMES = new Set(FILES.map((f) => f.slice(f.lastIndexOf(sep) + 1)));
const DOCS = FILES.filter((f) => {
  const rel = relative(ROOT, f).split(sep).join("/");
  return (
    rel === "README.md" ||
    (rel.startsWith("docs/") && rel.endsWith(".md")) ||
    (/^(src|ui|examples)\//.test(rel) && rel.endsWith("/README.md"))
  );
});

/** The backticked spans and link targets of a Markdown text that look like repository paths. */
function citedPaths(markdown: string): string[] {
  const spans = [...markdown.matchAll(/`([^`\n]+)`/g), ...markdown.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)];
  const out: string[] = [];
  for (const [, text = ""] of spans) {
    if (/[\s*{}$<>|]|:\/\/|^[/~@-]|^\.\/?$/.test(text)) continue;
    const first = text.split("/")[0] ?? "";
    const isFolder = text.endsWith("/");
    if (text.startsWith("../")) out.push(text);
    else if (text.includes("/") && (FILE_EXTENSIONS.test(text) || (isFolder && TOP_LEVEL.includes(first)))) {
      out.push(text);
    } else if (!text.includes("/") && FILE_EXTENSIONS.test(text) && !text.startsWith(".")) out.push(text);
  }
  return out;
}

/** Why a cited path does not resolve, or undefined when it names something in the repository. */
function problemOf(cited: string, docFile: string): string | undefined {
  const docDir = dirname(docFile);
  const bases = [ROOT, docDir, join(ROOT, "src"), join(docDir, "src")];
  const candidates = bases.map((b) => resolve(b, cited));
  const outside = (path: string): boolean => relative(ROOT, path).startsWith("..");
  if (cited.startsWith("../")) {
    const fromDoc = resolve(docDir, cited);
    if (!outside(fromDoc) && existsSync(fromDoc)) return undefined;
    if (outside(fromDoc) || outside(resolve(ROOT, cited))) {
      return "points outside the repository, which a clone does not have; describe it in words";
    }
  }
  if (!cited.includes("/")) return BASENAMES.has(cited) ? undefined : "no file of that name exists";
  return candidates.some((c) => !outside(c) && existsSync(c))
    ? undefined
    : "does not exist (from the repository root, the document's folder or src/)";
}

describe("paths cited in the documentation", () => {
  it("finds the documents and the paths they cite", () => {
    expect(DOCS.map((f) => relative(ROOT, f).split(sep).join("/"))).toEqual(
      expect.arrayContaining(["README.md", "docs/architecture.md", "src/engine/README.md", "src/cli/README.md"]),
    );
    expect(
      citedPaths("see `src/ir/spec.ts`, `ui/src/`, `kfp.ts`, [x](../y.md), not `a b`, `$HOME/x`, `logs/`"),
    ).toEqual(["src/ir/spec.ts", "ui/src/", "kfp.ts", "../y.md"]);
  });

  it("reports a missing file and a path outside the repository", () => {
    const doc = join(ROOT, "docs", "architecture.md");
    expect(problemOf("src/ir/spec.ts", doc)).toBeUndefined();
    expect(problemOf("ir/units.ts", doc)).toBeUndefined();
    expect(problemOf("src/cli/main.test.ts", doc)).toMatch(/does not exist/);
    expect(problemOf("nowhere.test.ts", doc)).toMatch(/no file of that name/);
    expect(problemOf("../shared/DESIGN.md", doc)).toMatch(/outside the repository/);
  });

  it.each(DOCS.map((f) => relative(ROOT, f)))("every path %s cites exists in the repository", (doc) => {
    const file = join(ROOT, doc);
    const problems = citedPaths(readFileSync(file, "utf8"))
      .map((cited) => ({ cited, problem: problemOf(cited, file) }))
      .filter((p) => p.problem !== undefined)
      .map((p) => `${doc}: \`${p.cited}\` ${p.problem}`);
    expect(problems).toEqual([]);
  });
});

/**
 * The examples of `docs/sdk.md` and the README compile. Each ```ts block is written to a
 * module of its own in a temporary project (`"type": "module"`), type-checked together
 * with the TypeScript compiler API (strict, NodeNext), with `weft` and its subpath exports
 * mapped to this repository's sources; then each block that exports a pipeline is
 * imported, compiled to IR (components bundled, as `weft compile` does) and validated.
 * A block fenced ```ts nocheck is left out.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { compilePipelineFile } from "../src/compiler/index.ts";
import { validatePipeline } from "../src/ir/index.ts";
import { isPipeline } from "../src/sdk/index.ts";

const ROOT = resolve(import.meta.dirname, "..");
const DOCS = ["docs/sdk.md", "README.md"];

/** `weft` and its subpath exports, as the package's users import them, mapped to the sources. */
const ENTRY_POINTS: Record<string, string> = {
  weft: "src/index.ts",
  "weft/client": "src/client/index.ts",
  "weft/compiler": "src/compiler/index.ts",
  "weft/executor": "src/executor/index.ts",
  "weft/serving-client": "src/serving/client/index.ts",
  "weft/tuning": "src/tuning/index.ts",
};

/** One ```ts block of a document. */
interface Example {
  doc: string;
  /** Line of the block's first code line in the document (1-based). */
  line: number;
  code: string;
}

/** The ```ts blocks of a Markdown text, except those marked `nocheck`. */
function examplesOf(doc: string, markdown: string): Example[] {
  const out: Example[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```ts(?:\s+(.*))?$/.exec(lines[i] ?? "");
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== "```") end++;
    if (end === lines.length) throw new Error(`${doc}:${i + 1}: the \`\`\`ts block is never closed`);
    if (!(open[1] ?? "").split(/\s+/).includes("nocheck")) {
      out.push({ doc, line: start + 1, code: `${lines.slice(start, end).join("\n")}\n` });
    }
    i = end;
  }
  return out;
}

/** The same code with `weft` imports pointing at the sources, for importing it at run time. */
function withSourceImports(code: string): string {
  return code.replace(/(from\s+|import\s*\(\s*)"(weft(?:\/[a-z-]+)?)"/g, (whole, head: string, spec: string) => {
    const target = ENTRY_POINTS[spec];
    return target ? `${head}${JSON.stringify(pathToFileURL(join(ROOT, target)).href)}` : whole;
  });
}

/** One program over the example modules and the entry points, compiled on first use. */
let program: ts.Program | undefined;
function programOf(files: readonly string[], dir: string): ts.Program {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2023.d.ts"],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    // the mapped sources import each other with `.ts` extensions
    allowImportingTsExtensions: true,
    types: ["node"],
    typeRoots: [join(ROOT, "node_modules", "@types")],
    baseUrl: dir,
    paths: Object.fromEntries(Object.entries(ENTRY_POINTS).map(([spec, file]) => [spec, [join(ROOT, file)]])),
  };
  program ??= ts.createProgram([...files, ...Object.values(ENTRY_POINTS).map((f) => join(ROOT, f))], options);
  return program;
}

/** Type errors of the example modules, as `doc:line: message` lines. */
function typeErrors(files: Map<string, Example>, dir: string): string[] {
  const out: string[] = [];
  const prog = programOf([...files.keys()], dir);
  for (const d of [
    ...prog.getOptionsDiagnostics(),
    ...prog.getGlobalDiagnostics(),
    ...[...files.keys()].flatMap((f) => {
      const source = prog.getSourceFile(f);
      return source ? [...prog.getSyntacticDiagnostics(source), ...prog.getSemanticDiagnostics(source)] : [];
    }),
  ]) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    const example = d.file ? files.get(resolve(d.file.fileName)) : undefined;
    if (d.file && example && d.start !== undefined) {
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      out.push(`${example.doc}:${example.line + line}: TS${d.code}: ${message}`);
    } else {
      out.push(`${d.file?.fileName ?? "(options)"}: TS${d.code}: ${message}`);
    }
  }
  return out;
}

/** Every name an entry point exports (values and types) that `docs/sdk.md` never names in code. */
function undocumentedExports(prog: ts.Program, reference: string): string[] {
  // the code of the reference: fenced blocks, then inline code spans of the prose
  const fenced = [...reference.matchAll(/^```[^\n]*\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  const prose = reference.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");
  const code = [...fenced, ...[...prose.matchAll(/`([^`]+)`/g)].map((m) => m[1])].join("\n");
  const checker = prog.getTypeChecker();
  const missing: string[] = [];
  for (const [spec, file] of Object.entries(ENTRY_POINTS)) {
    const source = prog.getSourceFile(join(ROOT, file));
    const symbol = source ? checker.getSymbolAtLocation(source) : undefined;
    if (!symbol) {
      missing.push(`${spec}: cannot read the exports of ${file}`);
      continue;
    }
    for (const { name } of checker.getExportsOfModule(symbol)) {
      if (!new RegExp(`\\b${name}\\b`).test(code)) missing.push(`${spec}: ${name}`);
    }
  }
  return missing;
}

/** A block that exports a pipeline (`export const x = pipeline(` or `export default pipeline(`). */
const EXPORTS_PIPELINE = /^export\s+(?:const\s+\w+\s*=|default)\s*pipeline\(/m;

const dir = mkdtempSync(join(tmpdir(), "weft-docs-examples-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const examples = DOCS.flatMap((doc) => examplesOf(doc, readFileSync(join(ROOT, doc), "utf8")));
const checked = new Map<string, Example>();
const runnable: Array<{ example: Example; file: string }> = [];
mkdirSync(join(dir, "check"));
mkdirSync(join(dir, "run"));
writeFileSync(join(dir, "check", "package.json"), '{ "type": "module" }\n');
writeFileSync(join(dir, "run", "package.json"), '{ "type": "module" }\n');
examples.forEach((example, i) => {
  const name = `${example.doc.replace(/[^A-Za-z0-9]+/g, "-")}-${example.line}-${i}.ts`;
  const file = join(dir, "check", name);
  writeFileSync(file, example.code);
  checked.set(file, example);
  if (EXPORTS_PIPELINE.test(example.code)) {
    const runFile = join(dir, "run", name);
    writeFileSync(runFile, withSourceImports(example.code));
    runnable.push({ example, file: runFile });
  }
});

describe("documentation examples", () => {
  it("finds the examples of the SDK reference and the README", () => {
    expect(examples.filter((e) => e.doc === "docs/sdk.md").length).toBeGreaterThan(20);
    expect(examples.some((e) => e.doc === "README.md")).toBe(true);
    expect(runnable.length).toBeGreaterThan(10);
  });

  it("reads blocks, their lines and the nocheck mark", () => {
    const md = "text\n```ts\nconst a = 1;\n```\n```ts nocheck\nbroken(\n```\n```sh\nls\n```\n";
    expect(examplesOf("x.md", md)).toEqual([{ doc: "x.md", line: 3, code: "const a = 1;\n" }]);
    expect(withSourceImports('import { pipeline } from "weft";')).toContain("/src/index.ts");
  });

  it("type-checks every example (strict)", () => {
    expect(typeErrors(checked, join(dir, "check"))).toEqual([]);
  });

  it("names every export of weft, weft/client, weft/compiler, weft/executor and weft/serving-client in the reference", () => {
    const reference = readFileSync(join(ROOT, "docs/sdk.md"), "utf8");
    const prog = programOf([...checked.keys()], join(dir, "check"));
    expect(undocumentedExports(prog, reference)).toEqual([]);
    expect(undocumentedExports(prog, "`component` and when, `pipeline`")).toContain("weft: when");
  });

  it.each(runnable.map((r) => [`${r.example.doc}:${r.example.line}`, r] as const))(
    "compiles the pipelines of %s to valid IR",
    async (_where, { example, file }) => {
      const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      const pipelines = Object.entries(mod).filter(([, v]) => isPipeline(v));
      expect(
        pipelines.map(([k]) => k),
        `${example.doc}:${example.line}: export the pipeline`,
      ).not.toEqual([]);
      for (const [exportName] of pipelines) {
        const pkg = await compilePipelineFile(file, { exportName });
        expect(validatePipeline(pkg), `${example.doc}:${example.line}: ${exportName}`).toEqual([]);
      }
    },
  );
});

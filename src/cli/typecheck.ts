/**
 * Type-checking a TypeScript pipeline before `weft run` and `weft compile` import it: the
 * program rooted at the pipeline file (only the files it reaches), with the options of the
 * nearest `tsconfig.json` or, without one, strict NodeNext defaults. The compiler API
 * (`typescript`, an optional peer dependency) is loaded only when the check cannot be
 * answered from the cache: a check that passed records the content digest of every file
 * involved under `$WEFT_HOME/typecheck/`, and an unchanged re-run reads that record only.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type * as TS from "typescript";
import { CliError } from "./errors.ts";

/** Extensions of the modules that are type-checked (`.js`, `.yaml` and `.json` are not). */
export const TYPECHECKED_EXTENSIONS = new Set([".ts", ".mts", ".cts"]);

/** The outcome of {@link typecheckPipeline}. */
export type TypecheckOutcome =
  | { status: "passed"; cached: boolean; files: number }
  | { status: "skipped"; reason: string };

/**
 * The record of a check that passed: the files involved, their content digests, and the
 * size and modification time each had when digested (a file whose size and time are
 * unchanged is not read again, as git's index does).
 */
interface CacheRecord {
  version: 2;
  typescript: string;
  files: Array<[path: string, digest: string, size: number, mtimeMs: number]>;
}

type TypeScript = typeof TS;

/** This copy of weft's modules (`src/` in a checkout, `dist/` installed): used, not checked. */
const WEFT_CODE = resolve(dirname(fileURLToPath(import.meta.url)), "..") + sep;

/** Options used when the pipeline has no tsconfig.json above it. */
const DEFAULT_OPTIONS = {
  strict: true,
  target: "ES2022",
  module: "NodeNext",
  moduleResolution: "NodeNext",
  // tsx runs `import "./x.ts"`, so the check accepts it too
  allowImportingTsExtensions: true,
  skipLibCheck: true,
  noEmit: true,
} as const;

function digestOf(file: string): string | undefined {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch {
    return undefined;
  }
}

/** The nearest `name` in `dir` or above it. */
function findUp(dir: string, name: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const candidate = join(d, name);
    if (statOf(candidate) !== undefined) return candidate;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * The TypeScript compiler: the pipeline project's own, else one installed beside weft;
 * undefined when neither is installed.
 */
function loadTypeScript(file: string): TypeScript | undefined {
  for (const from of [file, import.meta.url]) {
    try {
      return createRequire(from)("typescript") as TypeScript;
    } catch (error) {
      if ((error as { code?: string }).code !== "MODULE_NOT_FOUND") throw error;
    }
  }
  return undefined;
}

/** The version of the TypeScript that {@link loadTypeScript} would load, read without loading it. */
function typeScriptVersion(file: string): string | undefined {
  for (const from of [file, import.meta.url]) {
    try {
      const manifest = createRequire(from).resolve("typescript/package.json");
      return (JSON.parse(readFileSync(manifest, "utf8")) as { version?: string }).version ?? "unknown";
    } catch {
      // not installed there
    }
  }
  return undefined;
}

/** Where the record of `file`'s last passing check lives. */
function cacheFile(home: string, file: string, tsconfig: string | undefined): string {
  const key = createHash("sha256")
    .update(`${file}\0${tsconfig ?? ""}`)
    .digest("hex");
  return join(home, "typecheck", `${key.slice(0, 32)}.json`);
}

function readRecord(path: string): CacheRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(path, "utf8")) as CacheRecord;
    return record.version === 2 && Array.isArray(record.files) ? record : undefined;
  } catch {
    return undefined;
  }
}

/** The size and modification time of `file`, undefined when it is gone. */
function statOf(file: string): { size: number; mtimeMs: number } | undefined {
  try {
    const st = statSync(file);
    return { size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return undefined;
  }
}

/** True when every file the last passing check read still has the content it had then. */
function unchanged(record: CacheRecord, version: string): boolean {
  if (record.typescript !== version) return false;
  return record.files.every(([path, digest, size, mtimeMs]) => {
    const st = statOf(path);
    if (st === undefined) return false;
    return (st.size === size && st.mtimeMs === mtimeMs) || digestOf(path) === digest;
  });
}

function compilerOptions(ts: TypeScript, tsconfig: string | undefined, file: string): TS.CompilerOptions {
  const overrides: TS.CompilerOptions = { noEmit: true, incremental: false, composite: false };
  if (tsconfig === undefined) {
    const converted = ts.convertCompilerOptionsFromJson(DEFAULT_OPTIONS, dirname(file));
    // Node's types from the project, else from beside weft (a checkout has them)
    const typeRoots = [
      findUp(dirname(file), join("node_modules", "@types", "node", "package.json")),
      findUp(WEFT_CODE, join("node_modules", "@types", "node", "package.json")),
    ]
      .filter((f): f is string => f !== undefined)
      .map((f) => dirname(dirname(f)));
    // a checkout runs its sources: `weft` resolves to them, as bin/weft.js makes it at run time
    const conditions = basename(WEFT_CODE) === "src" ? { customConditions: ["weft-source"] } : {};
    return {
      ...converted.options,
      ...conditions,
      ...(typeRoots.length > 0 ? { typeRoots: [...new Set(typeRoots)] } : {}),
      ...overrides,
    };
  }
  const host: TS.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new CliError(
        "TYPECHECK_FAILED",
        `${tsconfig}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}; fix the tsconfig.json, or run with --no-typecheck`,
      );
    },
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, host);
  const errors = (parsed?.errors ?? []).filter(
    // a tsconfig whose `include` matches no file is still a valid source of options
    (d) => d.category === ts.DiagnosticCategory.Error && d.code !== 18003,
  );
  if (errors.length > 0) {
    throw new CliError(
      "TYPECHECK_FAILED",
      `${tsconfig}: ${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("; ")}; fix the tsconfig.json, or run with --no-typecheck`,
    );
  }
  return { ...(parsed?.options ?? {}), ...overrides };
}

/** `file:line:col message (TScode)`, the file relative to the working directory. */
function formatDiagnostic(ts: TypeScript, d: TS.Diagnostic): string {
  const text = `${ts.flattenDiagnosticMessageText(d.messageText, "\n")} (TS${d.code})`;
  if (d.file === undefined || d.start === undefined) return text;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  const rel = relative(process.cwd(), d.file.fileName);
  const where = rel.startsWith("..") ? d.file.fileName : rel;
  return `${where}:${line + 1}:${character + 1} ${text}`;
}

/** What to change for the errors that mean a wrong module format or a missing `weft`. */
function hints(errors: readonly TS.Diagnostic[], file: string): string[] {
  const out: string[] = [];
  // TS1479: a CommonJS file importing an ES module
  if (errors.some((d) => d.code === 1479)) {
    const manifest = findUp(dirname(file), "package.json");
    out.push(
      manifest === undefined
        ? `the pipeline is a CommonJS module: create ${join(dirname(file), "package.json")} with {"type": "module"}`
        : `the pipeline is a CommonJS module: add "type": "module" to ${manifest}`,
    );
  }
  // TS2307: cannot find module
  if (errors.some((d) => d.code === 2307 && /['"]weft(\/[^'"]*)?['"]/.test(String(d.messageText)))) {
    out.push("weft is not installed where the pipeline is: run `npm install weft` in its project");
  }
  return out;
}

/**
 * Type-checks the pipeline module `file`.
 *
 * @param home `$WEFT_HOME`; the record of a passing check is written under it.
 * @returns `passed` (with `cached` when the record answered it), or `skipped` when
 *   TypeScript is not installed.
 * @throws CliError `TYPECHECK_FAILED` (exit 2) listing each error as `file:line:col message`.
 */
export function typecheckPipeline(file: string, home: string): TypecheckOutcome {
  const path = resolve(file);
  const tsconfig = findUp(dirname(path), "tsconfig.json");
  const version = typeScriptVersion(path);
  if (version === undefined) {
    return {
      status: "skipped",
      reason: "TypeScript is not installed; run `npm install --save-dev typescript` to type-check pipelines",
    };
  }
  const record = cacheFile(resolve(home), path, tsconfig);
  const previous = readRecord(record);
  if (previous !== undefined && unchanged(previous, version)) {
    return { status: "passed", cached: true, files: previous.files.length };
  }
  const ts = loadTypeScript(path);
  if (ts === undefined) {
    return { status: "skipped", reason: "TypeScript did not load; reinstall it (`npm install --save-dev typescript`)" };
  }
  const options = compilerOptions(ts, tsconfig, path);
  const program = ts.createProgram({ rootNames: [path], options });
  // the user's own modules: not TypeScript's libraries, installed packages or weft itself
  const own = program
    .getSourceFiles()
    .filter(
      (sf) =>
        !sf.isDeclarationFile && !sf.fileName.includes("/node_modules/") && !resolve(sf.fileName).startsWith(WEFT_CODE),
    );
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...own.flatMap((sf) => [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]),
  ];
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    const lines = errors.slice(0, 50).map((d) => formatDiagnostic(ts, d));
    if (errors.length > lines.length) lines.push(`... and ${errors.length - lines.length} more`);
    lines.push(...hints(errors, path));
    throw new CliError(
      "TYPECHECK_FAILED",
      `${file}: ${errors.length} type error${errors.length === 1 ? "" : "s"}; fix them, or run with --no-typecheck\n${lines.join("\n")}`,
    );
  }
  const involved = program
    .getSourceFiles()
    .filter((sf) => !program.isSourceFileDefaultLibrary(sf))
    .map((sf) => sf.fileName);
  for (const extra of [tsconfig, findUp(dirname(path), "package.json")]) {
    if (extra !== undefined) involved.push(extra);
  }
  const files: CacheRecord["files"] = [];
  for (const f of new Set(involved.map((f) => resolve(f)))) {
    const st = statOf(f);
    const digest = digestOf(f);
    if (st !== undefined && digest !== undefined) files.push([f, digest, st.size, st.mtimeMs]);
  }
  try {
    mkdirSync(dirname(record), { recursive: true });
    const tmp = `${record}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 2, typescript: version, files } satisfies CacheRecord));
    renameSync(tmp, record);
  } catch {
    // the cache is an optimisation: a home that cannot be written only costs a re-check
  }
  return { status: "passed", cached: false, files: files.length };
}

/**
 * Compiling a TypeScript pipeline file: imports the module (through tsx) and compiles the
 * pipeline it exports.
 */
import { existsSync, readFileSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";
import type { PipelinePackage } from "../ir/index.ts";
import { isPipeline } from "../sdk/index.ts";
import { projectRootOf } from "./bundle.ts";
import { type AnyPipeline, type CompileOptions, compilePipeline } from "./compile.ts";
import { CompilerError } from "./errors.ts";

/** Options of {@link compilePipelineFile}. */
export interface CompileFileOptions extends CompileOptions {
  /** Which export is the pipeline; needed when the module exports several. */
  exportName?: string;
}

/**
 * The pipeline a module exports: the one named `exportName`, else the default export, else the only one.
 *
 * @throws CompilerError `COMPILE_NO_PIPELINE` or `COMPILE_AMBIGUOUS_PIPELINE`, listing the exported pipelines.
 */
export function pickPipeline(mod: Record<string, unknown>, file: string, exportName?: string): AnyPipeline {
  const pipelines = Object.entries(mod).filter(([, v]) => isPipeline(v)) as Array<[string, AnyPipeline]>;
  const names = pipelines.map(([k]) => k);
  if (exportName !== undefined) {
    const found = pipelines.find(([k]) => k === exportName);
    if (!found) {
      throw new CompilerError(
        "COMPILE_NO_PIPELINE",
        `${file}: export "${exportName}" is not a pipeline; exported pipelines: ${names.length ? names.join(", ") : "(none)"}`,
      );
    }
    return found[1];
  }
  if (pipelines.length === 0) {
    throw new CompilerError(
      "COMPILE_NO_PIPELINE",
      `${file}: exports no pipeline; export one made with pipeline({ name }, body), e.g. export const myPipeline = pipeline(...)`,
    );
  }
  const byDefault = pipelines.find(([k]) => k === "default");
  if (byDefault) return byDefault[1];
  if (pipelines.length > 1) {
    const unique = new Set(pipelines.map(([, p]) => p));
    if (unique.size > 1) {
      throw new CompilerError(
        "COMPILE_AMBIGUOUS_PIPELINE",
        `${file}: exports several pipelines (${names.join(", ")}); choose one with --export <name>, or export the main one as default`,
      );
    }
  }
  return (pipelines[0] as [string, AnyPipeline])[1];
}

/**
 * Imports a module with the loader that loaded the compiler, so the pipeline and the
 * compiler share one SDK instance; falls back to tsx when no TypeScript loader is active.
 */
async function importModule(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_UNKNOWN_FILE_EXTENSION") throw error;
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
}

/**
 * Imports a TypeScript pipeline module and compiles its pipeline.
 *
 * @example const pkg = await compilePipelineFile("examples/fraud-detection/pipeline.ts");
 * @throws CompilerError `COMPILE_FILE_NOT_FOUND`, `COMPILE_IMPORT_FAILED`, `COMPILE_NO_PIPELINE`,
 *   `COMPILE_AMBIGUOUS_PIPELINE`, or any error of {@link compilePipeline}.
 */
export async function compilePipelineFile(file: string, options: CompileFileOptions = {}): Promise<PipelinePackage> {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new CompilerError("COMPILE_FILE_NOT_FOUND", `${file}: no such file; check the path of the pipeline module`);
  }
  // Node 20 refuses such a module with a cycle error, Node 24 loads it as CommonJS with a
  // second copy of the SDK: either way it cannot work, so it is said before the import
  const commonJs = moduleFormatFailure(file, path);
  if (commonJs !== undefined) throw commonJs;
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(pathToFileURL(path).href);
  } catch (cause) {
    throw importFailure(file, path, cause);
  }
  const { exportName, ...rest } = options;
  const def = pickPipeline(mod, file, exportName);
  if (rest.bundle !== false) await checkExported(def);
  return compilePipeline(def, rest);
}

/** Node's errors for an ES module loaded as CommonJS (or the reverse). */
const MODULE_FORMAT_CODES = new Set(["ERR_REQUIRE_ESM", "ERR_REQUIRE_CYCLE_MODULE", "ERR_REQUIRE_ASYNC_MODULE"]);
const MODULE_FORMAT_MESSAGES = [
  /Cannot require\(\) ES Module/,
  /Cannot use import statement outside a module/,
  /require\(\) of ES Module/,
  /Unexpected token 'export'/,
];

/**
 * The error for a pipeline module that did not import, saying what to change when the
 * cause is known: a module loaded as CommonJS (no `"type": "module"`), or a package
 * (often `weft` itself) that is not installed where the module is.
 */
export function importFailure(file: string, path: string, cause: unknown): CompilerError {
  const message = cause instanceof Error ? cause.message : String(cause);
  const code = (cause as { code?: unknown } | undefined)?.code;
  const root = projectRootOf(path);
  const format = moduleFormatFailure(file, path, cause);
  if (format !== undefined) return format;
  const missing = code === "ERR_MODULE_NOT_FOUND" ? /Cannot find package '([^']+)'/.exec(message)?.[1] : undefined;
  if (missing !== undefined) {
    const name = missing.startsWith("@")
      ? missing.split("/").slice(0, 2).join("/")
      : (missing.split("/")[0] ?? missing);
    return new CompilerError(
      "COMPILE_PACKAGE_MISSING",
      `${file}: imports "${missing}", which is not installed in ${root}; run \`npm install ${name}\` there${name === "weft" ? " (the pipeline and the weft command must use the same installed weft)" : ""}`,
      { cause },
    );
  }
  return new CompilerError("COMPILE_IMPORT_FAILED", `${file}: importing the pipeline module failed: ${message}`, {
    cause,
  });
}

/** The package.json that makes a `.ts` pipeline CommonJS (one without `"type": "module"`), if one does. */
function commonJsPackage(path: string): string | undefined {
  if (extname(path).toLowerCase() !== ".ts") return undefined;
  const manifest = join(projectRootOf(path), "package.json");
  if (!existsSync(manifest)) return undefined;
  try {
    return (JSON.parse(readFileSync(manifest, "utf8")) as { type?: unknown }).type === "module" ? undefined : manifest;
  } catch {
    return undefined; // an unreadable package.json is for the import to report
  }
}

/**
 * `COMPILE_MODULE_FORMAT` for a TypeScript module that Node loads, or would load, as
 * CommonJS, saying what to change: before its import (no `cause`) when a package.json
 * without `"type": "module"` makes a `.ts` file CommonJS; after a failed import when Node's
 * error (`cause`) says an ES module was loaded as CommonJS. Otherwise undefined. `weft
 * serve --transformer` reports a transformer module the same way, with `what` naming it.
 */
export function moduleFormatFailure(
  file: string,
  path: string,
  cause?: unknown,
  what = "a pipeline module",
): CompilerError | undefined {
  let why: string;
  if (cause === undefined) {
    if (commonJsPackage(path) === undefined) return undefined;
    why = 'a .ts file in a package without "type": "module" is CommonJS';
  } else {
    const message = cause instanceof Error ? cause.message : String(cause);
    const code = (cause as { code?: unknown } | undefined)?.code;
    const format =
      (typeof code === "string" && MODULE_FORMAT_CODES.has(code)) ||
      MODULE_FORMAT_MESSAGES.some((re) => re.test(message));
    if (!format) return undefined;
    why = message.split(/\.\s/)[0] ?? message;
  }
  const manifest = join(projectRootOf(path), "package.json");
  const where = existsSync(manifest)
    ? `add "type": "module" to ${manifest}`
    : `create ${manifest} with {"type": "module"}`;
  return new CompilerError(
    "COMPILE_MODULE_FORMAT",
    `${file}: was loaded as CommonJS, but ${what} and weft are ES modules (${why}); ${where}, or rename the file to .mts`,
    cause === undefined ? {} : { cause },
  );
}

/** Function components of a pipeline and the pipelines it uses, with their defining modules. */
function functionComponents(
  def: AnyPipeline,
  seen = new Set<unknown>(),
): Array<{ name: string; file: string; value: unknown }> {
  if (seen.has(def)) return [];
  seen.add(def);
  const found: Array<{ name: string; file: string; value: unknown }> = [];
  for (const task of def.build().ctx.tasks.values()) {
    const impl = task.component.impl;
    if (impl.kind === "function" && impl.sourceFile)
      found.push({ name: task.component.name, file: impl.sourceFile, value: task.component });
    if (impl.kind === "graph" && isPipeline(impl.pipeline)) found.push(...functionComponents(impl.pipeline, seen));
  }
  return found;
}

/**
 * A task runs its component by finding it among its module's exports, so every function
 * component must be exported; says which is not, before anything is bundled.
 */
async function checkExported(def: AnyPipeline): Promise<void> {
  const modules = new Map<string, unknown[]>();
  for (const c of functionComponents(def)) {
    let exported = modules.get(c.file);
    if (!exported) {
      exported = Object.values(await importModule(pathToFileURL(c.file).href));
      modules.set(c.file, exported);
    }
    if (!exported.includes(c.value)) {
      throw new CompilerError(
        "COMPILE_NOT_EXPORTED",
        `component "${c.name}" is not exported by ${c.file}; export it (e.g. export const ${c.name.replace(/[^A-Za-z0-9_$]/g, "_")} = component({...})) so its task can find it`,
      );
    }
  }
}

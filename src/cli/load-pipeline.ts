/**
 * Turns the file given to `weft run` into a {@link PipelinePackage}: YAML/JSON IR is
 * loaded and validated, a TypeScript pipeline is type-checked (see `typecheck.ts`) and
 * compiled first.
 */
import { existsSync } from "node:fs";
import { extname, resolve } from "node:path";
import { loadPipelineFile, type PipelinePackage } from "../ir/index.ts";
import { CliError } from "./errors.ts";
import { ensureTypeScriptLoader } from "./ts-loader.ts";

const TS_EXTENSIONS = new Set([".ts", ".mts", ".js", ".mjs"]);
const IR_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/** Options of {@link loadPipeline}. */
export interface LoadPipelineOptions {
  /** For TypeScript pipelines: which export is the pipeline (default: the only one). */
  exportName?: string | undefined;
  /** Type-check a `.ts` pipeline before importing it (`weft run` and `weft compile`; default false). */
  typecheck?: boolean | undefined;
}

/**
 * Type-checks a `.ts`/`.mts`/`.cts` pipeline module before it is imported, caching a pass
 * under `$WEFT_HOME`; other files are not checked. Without TypeScript installed it prints
 * one line saying the check was skipped and how to enable it.
 *
 * @throws CliError `TYPECHECK_FAILED` (exit 2) with one `file:line:col message` line per error.
 */
export async function typecheckBeforeImport(file: string): Promise<void> {
  const { TYPECHECKED_EXTENSIONS, typecheckPipeline } = await import("./typecheck.ts");
  if (!TYPECHECKED_EXTENSIONS.has(extname(file).toLowerCase())) return;
  const { resolveHome } = await import("../store/index.ts");
  const outcome = typecheckPipeline(file, resolveHome().home);
  if (outcome.status === "skipped") {
    process.stderr.write(`weft: type-checking skipped: ${outcome.reason} (or pass --no-typecheck)\n`);
  }
}

/**
 * Loads or compiles `file`.
 *
 * @throws CliError `PIPELINE_FILE_NOT_FOUND`, `UNSUPPORTED_PIPELINE_FILE` or
 *   `TYPECHECK_FAILED`; errors of the IR loader or the compiler pass through (they name
 *   the file and field).
 */
export async function loadPipeline(file: string, options: LoadPipelineOptions = {}): Promise<PipelinePackage> {
  const { exportName } = options;
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new CliError("PIPELINE_FILE_NOT_FOUND", `pipeline file ${file} does not exist; check the path`);
  }
  const ext = extname(path).toLowerCase();
  if (IR_EXTENSIONS.has(ext)) return loadPipelineFile(path);
  if (TS_EXTENSIONS.has(ext)) {
    if (options.typecheck === true) await typecheckBeforeImport(file);
    // loaded on demand: the compiler (and esbuild) is only needed for TypeScript pipelines
    await ensureTypeScriptLoader();
    const { compilePipelineFile } = await import("../compiler/index.ts");
    return compilePipelineFile(path, exportName === undefined ? {} : { exportName });
  }
  throw new CliError(
    "UNSUPPORTED_PIPELINE_FILE",
    `${file}: weft run takes a TypeScript pipeline (.ts) or compiled IR (.yaml, .yml, .json), not "${ext || "no extension"}"`,
  );
}

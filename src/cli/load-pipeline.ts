/**
 * Turns the file given to `weft run` into a {@link PipelinePackage}: YAML/JSON IR is
 * loaded and validated, a TypeScript pipeline is compiled first.
 */
import { existsSync } from "node:fs";
import { extname, resolve } from "node:path";
import { loadPipelineFile, type PipelinePackage } from "../ir/index.ts";
import { CliError } from "./errors.ts";

const TS_EXTENSIONS = new Set([".ts", ".mts", ".js", ".mjs"]);
const IR_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/**
 * Loads or compiles `file`.
 *
 * @param exportName For TypeScript pipelines: which export is the pipeline (default: the only one).
 * @throws CliError `PIPELINE_FILE_NOT_FOUND` or `UNSUPPORTED_PIPELINE_FILE`; errors of the
 *   IR loader or the compiler pass through (they name the file and field).
 */
export async function loadPipeline(file: string, exportName?: string): Promise<PipelinePackage> {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new CliError("PIPELINE_FILE_NOT_FOUND", `pipeline file ${file} does not exist; check the path`);
  }
  const ext = extname(path).toLowerCase();
  if (IR_EXTENSIONS.has(ext)) return loadPipelineFile(path);
  if (TS_EXTENSIONS.has(ext)) {
    // loaded on demand: the compiler (and esbuild) is only needed for TypeScript pipelines
    const { compilePipelineFile } = await import("../compiler/index.ts");
    return compilePipelineFile(path, exportName === undefined ? {} : { exportName });
  }
  throw new CliError(
    "UNSUPPORTED_PIPELINE_FILE",
    `${file}: weft run takes a TypeScript pipeline (.ts) or compiled IR (.yaml, .yml, .json), not "${ext || "no extension"}"`,
  );
}

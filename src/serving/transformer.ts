/**
 * Loading a TypeScript transformer (`weft serve --transformer MODEL=FILE.ts`): a module
 * whose default export implements {@link Transformer} — `preprocess` turns the raw request
 * JSON into an inference request, `postprocess` (optional) turns the result into the
 * response JSON — as KServe's transformer does. The module is imported through tsx, so it
 * may import its own project's code (the feature code a pipeline trained with).
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ServingError } from "./errors.ts";
import type { Transformer } from "./types.ts";

const SHAPE =
  "export default { preprocess(payload, context) { return { inputs: [...] }; }, postprocess(result, context) { ... } }";

/**
 * Checks that a module's default export is a transformer: an object with a `preprocess`
 * function and, when present, a `postprocess` function.
 *
 * @throws ServingError `MODEL_INVALID` naming the file and what is missing.
 */
export function checkTransformer(value: unknown, file: string): Transformer {
  if (value === null || typeof value !== "object") {
    throw new ServingError(
      "MODEL_INVALID",
      `transformer ${file}: its default export is ${value === undefined ? "missing" : typeof value}, not a transformer; write ${SHAPE}`,
    );
  }
  const t = value as Record<string, unknown>;
  if (typeof t.preprocess !== "function") {
    throw new ServingError(
      "MODEL_INVALID",
      `transformer ${file}: its default export has no preprocess function; write ${SHAPE}`,
    );
  }
  if (t.postprocess !== undefined && typeof t.postprocess !== "function") {
    throw new ServingError(
      "MODEL_INVALID",
      `transformer ${file}: postprocess is ${typeof t.postprocess}, not a function; make it a function or leave it out`,
    );
  }
  return value as Transformer;
}

/** Imports a module: natively when a TypeScript loader is active (vitest, tsx), else through tsx. */
async function importModule(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_UNKNOWN_FILE_EXTENSION") throw error;
    const { tsImport } = await import("tsx/esm/api");
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
}

/**
 * Loads the transformer a module exports by default.
 *
 * @example const t = await loadTransformer("examples/fraud-detection/serving/transformer.ts");
 * @throws ServingError `MODEL_INVALID` when the file is missing, is loaded as CommonJS (outside
 *   a `"type": "module"` project: the message says what to change, as `weft run` says it for a
 *   pipeline), does not import (its own error is kept as the cause and quoted), or does not
 *   export a transformer.
 */
export async function loadTransformer(file: string): Promise<Transformer> {
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new ServingError(
      "MODEL_INVALID",
      `transformer ${file}: no such file; pass --transformer MODEL=FILE with the path of a .ts or .js module`,
    );
  }
  // A transformer is an ES module, as a pipeline module is: one that Node loads as CommonJS
  // (outside a "type": "module" project) is refused as `weft run` refuses such a pipeline.
  const { moduleFormatFailure } = await import("../compiler/compile-file.ts");
  const refuse = (format: Error): never => {
    throw new ServingError("MODEL_INVALID", `transformer ${format.message}`, { cause: format });
  };
  const commonJs = moduleFormatFailure(file, path, undefined, "a transformer module");
  if (commonJs !== undefined) refuse(commonJs);
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(pathToFileURL(path).href);
  } catch (cause) {
    const format = moduleFormatFailure(file, path, cause, "a transformer module");
    if (format !== undefined) refuse(format);
    const why = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
    throw new ServingError("MODEL_INVALID", `transformer ${file}: importing it failed: ${why}; fix the module`, {
      cause,
    });
  }
  return checkTransformer(mod.default, file);
}

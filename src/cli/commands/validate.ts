/**
 * `weft validate <files...>`: checks pipeline files (KFP IR as YAML or JSON, or a
 * TypeScript pipeline, which is compiled first) and reports every problem found.
 */
import { extname } from "node:path";
import type { Command } from "commander";
import {
  formatIssues,
  type IrIssue,
  loadPipelineFile,
  type PipelinePackage,
  validatePipeline,
  WeftError,
} from "../../ir/index.ts";

const TS_EXTENSIONS = new Set([".ts", ".mts", ".js", ".mjs"]);

/** The outcome of validating one file. */
export interface ValidateFileResult {
  file: string;
  ok: boolean;
  /** Issues as `file: path: message` lines (parse errors are one or more lines naming the file). */
  lines: string[];
}

async function load(file: string): Promise<PipelinePackage> {
  if (TS_EXTENSIONS.has(extname(file).toLowerCase())) {
    const { loadPipeline } = await import("../load-pipeline.ts");
    return loadPipeline(file);
  }
  return loadPipelineFile(file);
}

/** Loads and validates one file; parse and compile errors become result lines, not exceptions. */
export async function validateFile(file: string): Promise<ValidateFileResult> {
  let issues: IrIssue[];
  try {
    issues = validatePipeline(await load(file), { file });
  } catch (err) {
    if (!(err instanceof WeftError)) throw err;
    const lines = err.message.split("\n").map((l) => (l.startsWith(`${file}: `) ? l : `${file}: ${l}`));
    return { file, ok: false, lines };
  }
  if (issues.length === 0) return { file, ok: true, lines: [] };
  return { file, ok: false, lines: formatIssues(file, issues).split("\n") };
}

/**
 * Registers `weft validate <files...>`: prints `OK <file>` for each valid file and
 * `<file>: <path>: <message>` for each problem; the exit code is 1 when any file has one.
 */
export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("check pipeline files (KFP IR YAML/JSON or TypeScript) and report every problem")
    .argument("<files...>", "pipeline files to check")
    .action(async (files: string[]) => {
      let failed = false;
      for (const file of files) {
        const result = await validateFile(file);
        if (result.ok) {
          process.stdout.write(`OK ${file}\n`);
        } else {
          failed = true;
          process.stderr.write(`${result.lines.join("\n")}\n`);
        }
      }
      if (failed) process.exitCode = 1;
    });
}

/**
 * `weft compile pipeline.ts [--export name] [-o pipeline.yaml]`: compiles a TypeScript
 * pipeline to KFP IR YAML, on stdout or into a file.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { compilePipelineFile } from "../../compiler/index.ts";
import { serializePipeline } from "../../ir/index.ts";
import { typecheckBeforeImport } from "../load-pipeline.ts";
import { ensureTypeScriptLoader } from "../ts-loader.ts";

/** Options of `weft compile`. */
export interface CompileCommandOptions {
  export?: string;
  output?: string;
  /** False with `--no-typecheck`. */
  typecheck?: boolean;
}

/**
 * Type-checks (unless `typecheck` is false) and compiles `file` and returns the YAML;
 * writes it to `options.output` when given.
 *
 * @throws CliError `TYPECHECK_FAILED`, CompilerError (file not found, no or several
 *   pipelines exported, bad wiring) or SdkError.
 */
export async function compileCommand(file: string, options: CompileCommandOptions): Promise<string> {
  if (options.typecheck !== false && existsSync(file)) await typecheckBeforeImport(file);
  await ensureTypeScriptLoader();
  const pkg = await compilePipelineFile(file, options.export === undefined ? {} : { exportName: options.export });
  const yaml = serializePipeline(pkg);
  if (options.output !== undefined) {
    const out = resolve(options.output);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, yaml);
  }
  return yaml;
}

/** Registers `weft compile`. */
export function registerCompile(program: Command): void {
  program
    .command("compile")
    .description("compile a TypeScript pipeline to KFP pipeline YAML (IR)")
    .argument("<file>", "TypeScript module exporting the pipeline")
    .option("--export <name>", "the exported pipeline to compile (when the module exports several)")
    .option("-o, --output <file>", "write the YAML to this file instead of stdout")
    .option("--no-typecheck", "do not type-check the pipeline module first")
    .action(async (file: string, options: CompileCommandOptions) => {
      const yaml = await compileCommand(file, options);
      if (options.output === undefined) process.stdout.write(yaml);
      else process.stderr.write(`compiled ${file} to ${options.output}\n`);
    });
}

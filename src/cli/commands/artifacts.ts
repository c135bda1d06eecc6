/**
 * `weft artifacts get <uri-or-id> [-o path]`: copies an artifact out of the artifact
 * store, or prints it when it is small text and no `-o` is given. `weft artifacts list`:
 * artifacts by run, type and name, locally or (`--host`) from a server.
 */
import { cpSync, existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { artifactContentRoots, resolveInsideAny } from "../../artifacts/index.ts";
import type { ArtifactsListOptions } from "../artifact-views.ts";
import { withContext } from "../context.ts";
import { CliError, ExitCode } from "../errors.ts";
import { parsePositiveInt } from "../option-parsers.ts";
import { hostOf } from "../remote/connect.ts";
import { resolveArtifact } from "../resolve.ts";
import { artifactsList } from "./artifacts-list.ts";

/** Largest artifact `weft artifacts get` prints to the terminal. */
export const MAX_PRINT_BYTES = 64 * 1024;

/** Options of `weft artifacts get`. */
export interface ArtifactsGetOptions {
  output?: string;
  force?: boolean;
}

/** Prints or copies out the artifact; returns the exit code. */
export async function artifactsGet(ref: string, opts: ArtifactsGetOptions): Promise<number> {
  return withContext(({ store, artifacts }) => {
    const artifact = resolveArtifact(store, ref);
    // the home's store, or the pipeline root the run (or the run a cached task reused) chose
    const source = store.tasks.get(artifact.taskId)?.cache?.sourceRunId;
    const writers = [artifact.runId, ...(source ? [source] : [])].flatMap((id) => {
      const run = store.runs.get(id);
      return run ? [{ id, pipelineRoot: run.pipelineRoot }] : [];
    });
    const src = resolveInsideAny(artifactContentRoots(artifacts.root, writers), artifact.uri);
    if (!existsSync(src)) {
      throw new CliError(
        "ARTIFACT_NOT_FOUND",
        `artifact ${artifact.id} (${artifact.uri}) is recorded but its content is missing at ${src}; rerun the producing task with: weft runs retry ${artifact.runId}`,
        { exitCode: ExitCode.failed },
      );
    }
    const isDir = statSync(src).isDirectory();
    if (opts.output !== undefined) {
      const dest = resolve(opts.output);
      if (existsSync(dest) && !opts.force) {
        throw new CliError("OUTPUT_EXISTS", `${opts.output} already exists; choose another path or pass --force`);
      }
      cpSync(src, dest, { recursive: true, force: true });
      process.stderr.write(`copied ${artifact.uri} to ${dest}\n`);
      return ExitCode.ok;
    }
    if (!isDir) {
      const size = statSync(src).size;
      if (size <= MAX_PRINT_BYTES) {
        const buf = readFileSync(src);
        if (!buf.includes(0)) {
          process.stdout.write(buf);
          if (buf.length > 0 && buf[buf.length - 1] !== 0x0a) process.stdout.write("\n");
          return ExitCode.ok;
        }
      }
    }
    process.stdout.write(
      `${artifact.name} (${artifact.schemaTitle}) ${isDir ? "directory" : `${statSync(src).size} bytes`} at ${src}\n` +
        `copy it out with: weft artifacts get ${artifact.id} -o <path>\n`,
    );
    return ExitCode.ok;
  });
}

/** Registers `weft artifacts` on `program`. */
export function registerArtifactsCommand(program: Command): void {
  const artifacts = program.command("artifacts").description("artifacts produced by runs");
  artifacts
    .command("list")
    .description("list artifacts, newest first: name, type, run, producing task, size, created")
    .option("-r, --run <run>", "only artifacts of this run (id, id prefix or name)")
    .option("-t, --type <type>", "only artifacts of this type (system.Model, or Model)")
    .option("-n, --name <text>", "only artifacts whose name contains text")
    .option("-l, --limit <n>", "at most n artifacts", parsePositiveInt("--limit"), 50)
    .option("-o, --output <format>", "table (default) or json")
    .option("--json", "print JSON (as -o json)")
    .action(async (opts: ArtifactsListOptions) => {
      const host = hostOf(program);
      process.exitCode =
        host === undefined
          ? await artifactsList(opts)
          : await (await import("../remote/artifacts-list.ts")).remoteArtifactsList(host, opts);
    });
  artifacts
    .command("get")
    .description("copy an artifact out (-o) or print it if it is small text")
    .argument("<uri-or-id>", "the artifact's id or uri (see weft runs get <run> --json)")
    .option("-o, --output <path>", "where to copy the artifact (file or directory)")
    .option("-f, --force", "overwrite the output path if it exists")
    .action(async (ref: string, opts: ArtifactsGetOptions) => {
      process.exitCode = await artifactsGet(ref, opts);
    });
}

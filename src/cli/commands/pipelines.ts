/**
 * `weft pipelines list|versions|delete|delete-version`: the pipelines that `weft run`
 * registers (one version per distinct compiled spec) and the server's uploads.
 */
import type { Command } from "commander";
import { pipelinesDelete, pipelinesDeleteVersion, pipelinesList, pipelinesVersions } from "../catalog-actions.ts";
import { hostOf } from "../remote/connect.ts";

/** Registers `weft pipelines` on `program`. */
export function registerPipelinesCommand(program: Command): void {
  const pipelines = program.command("pipelines").description("pipelines and their versions");
  pipelines
    .command("list")
    .description("list pipelines, newest first")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      process.exitCode = await pipelinesList(hostOf(program), opts);
    });
  pipelines
    .command("versions")
    .description("list the versions of a pipeline, newest first")
    .argument("<pipeline>", "pipeline name or id")
    .option("--json", "print JSON")
    .action(async (ref: string, opts: { json?: boolean }) => {
      process.exitCode = await pipelinesVersions(hostOf(program), ref, opts);
    });
  pipelines
    .command("delete")
    .description("delete a pipeline; one with versions needs --cascade (runs keep their specs)")
    .argument("<pipeline>", "pipeline name or id")
    .option("--cascade", "also delete its versions")
    .action(async (ref: string, opts: { cascade?: boolean }) => {
      process.exitCode = await pipelinesDelete(hostOf(program), ref, opts);
    });
  pipelines
    .command("delete-version")
    .description("delete one version of a pipeline (runs that used it keep their spec)")
    .argument("<pipeline>", "pipeline name or id")
    .argument("<version>", "version name or id")
    .action(async (ref: string, version: string) => {
      process.exitCode = await pipelinesDeleteVersion(hostOf(program), ref, version);
    });
}

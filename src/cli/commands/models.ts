/**
 * `weft models list|get|versions|alias|stage|download|compare`: the model registry, in the
 * local store or (`--host`) on a server, through one presentation (`model-views.ts`) over
 * a {@link ModelSource}.
 */
import { userInfo } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { withContext } from "../context.ts";
import type { ModelSource } from "../model-source.ts";
import {
  type AliasOptions,
  aliasCommand,
  compareCommand,
  type DownloadOptions,
  downloadCommand,
  type ModelsOutputOptions,
  showModel,
  showModelList,
  showVersions,
  stageCommand,
} from "../model-views.ts";
import { parsePositiveInt } from "../option-parsers.ts";
import { hostOf } from "../remote/connect.ts";
import { storeModelSource } from "./models-store.ts";

/** Who moves an alias or a stage from this machine: the login name, when known. */
function localUser(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return process.env.USER || undefined;
  }
}

/** Runs `fn` over the registry `program` points at: the server of `--host`, else the local store. */
export async function withModelSource(program: Command, fn: (source: ModelSource) => Promise<number>): Promise<number> {
  const host = hostOf(program);
  if (host !== undefined) {
    const { withRemote } = await import("../remote/connect.ts");
    const { clientModelSource } = await import("../remote/models.ts");
    return withRemote(host, (remote) => fn(clientModelSource(remote)));
  }
  return withContext(({ store, home }) => {
    const user = localUser();
    return fn(storeModelSource(store, { artifactsRoot: join(home, "artifacts"), ...(user ? { user } : {}) }));
  });
}

/** Registers `weft models` on `program`. */
export function registerModelsCommand(program: Command): void {
  const models = program.command("models").description("the model registry: models, versions, aliases and stages");
  const run = (fn: (source: ModelSource) => Promise<number>) => async () => {
    process.exitCode = await withModelSource(program, fn);
  };
  models
    .command("list")
    .description("list registered models: name, latest version, aliases, updated")
    .option("--filter <filter>", "MLflow's filter grammar, e.g. \"name LIKE '%fraud%'\" or \"tags.team = 'risk'\"")
    .option("-l, --limit <n>", "at most n models", parsePositiveInt("--limit"), 100)
    .option("--json", "print JSON")
    .action((opts: ModelsOutputOptions & { filter?: string; limit: number }) => run((s) => showModelList(s, opts))());
  models
    .command("get")
    .description("a model with its versions, or one version (models:/NAME/3, models:/NAME@ALIAS, models:/NAME/STAGE)")
    .argument("<name-or-uri>", "a model name or a model URI")
    .option("--json", "print JSON")
    .action((ref: string, opts: ModelsOutputOptions) => run((s) => showModel(s, ref, opts))());
  models
    .command("versions")
    .description("the versions of a model, newest first, with status, stage, aliases and metrics side by side")
    .argument("<name>", "the model's name")
    .option("--filter <filter>", "MLflow's filter grammar, e.g. \"run_id = '...'\" or \"tags.k = 'v'\"")
    .option("--json", "print JSON")
    .action((name: string, opts: ModelsOutputOptions & { filter?: string }) =>
      run((s) => showVersions(s, name, opts))(),
    );
  models
    .command("alias")
    .description("point an alias at a version (prints from -> to), delete it, or show the alias history")
    .argument("<name>", "the model's name")
    .argument("[alias]", "the alias, e.g. champion")
    .argument("[version]", "the version the alias points at")
    .option("--delete", "remove the alias")
    .option("--history", "who moved the model's aliases (or this alias), when, from which version")
    .option("--json", "print JSON")
    .action((name: string, alias: string | undefined, version: string | undefined, opts: AliasOptions) =>
      run((s) => aliasCommand(s, name, alias, version, opts))(),
    );
  models
    .command("stage")
    .description("move a version to a stage: None, Staging, Production or Archived")
    .argument("<name>", "the model's name")
    .argument("<version>", "the version number")
    .argument("<stage>", "None, Staging, Production or Archived")
    .option("--archive-existing", "move the other versions in that stage to Archived")
    .option("--json", "print JSON")
    .action((name: string, version: string, stage: string, opts: ModelsOutputOptions & { archiveExisting?: boolean }) =>
      run((s) => stageCommand(s, name, version, stage, opts))(),
    );
  models
    .command("download")
    .description("copy a version's model file (or directory) out and check its digest against the registered one")
    .argument("<model-uri>", "models:/NAME/3, models:/NAME@ALIAS, models:/NAME/STAGE or a name (its latest version)")
    .option("-o, --output <path>", "where to write it (default: the source's file name, here)")
    .option("-f, --force", "replace the output path if it exists")
    .option("--json", "print JSON")
    .action((uri: string, opts: DownloadOptions) => run((s) => downloadCommand(s, uri, opts))());
  models
    .command("compare")
    .description("metrics side by side with their differences, and the format, signature and datasets that differ")
    .argument("<versions...>", "model URIs, or a name followed by versions (NAME 1 2, NAME @champion @challenger)")
    .option("--json", "print JSON")
    .action((refs: string[], opts: ModelsOutputOptions) => run((s) => compareCommand(s, refs, opts))());
}

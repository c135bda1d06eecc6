/**
 * The actions of `weft runs archive|unarchive|delete|edit`, `weft experiments
 * archive|unarchive|delete` and `weft pipelines list|versions|delete|delete-version`,
 * over a {@link Catalog}: the store of `$WEFT_HOME`, or a server in remote mode.
 */
import { type Catalog, storeCatalog } from "./catalog.ts";
import { withContext } from "./context.ts";
import { CliError, ExitCode } from "./errors.ts";
import { formatTime, renderTable } from "./format.ts";
import { parseTags } from "./params.ts";

/** Runs `fn` over the catalog of `host` (remote mode) or of `$WEFT_HOME`. */
export async function withCatalog<T>(host: string | undefined, fn: (catalog: Catalog) => Promise<T>): Promise<T> {
  if (host === undefined) return withContext(({ store }) => fn(storeCatalog(store)));
  const [{ withRemote }, { clientCatalog }] = await Promise.all([
    import("./remote/connect.ts"),
    import("./remote/catalog.ts"),
  ]);
  return withRemote(host, (remote) => fn(clientCatalog(remote)));
}

const out = (line: string) => process.stdout.write(`${line}\n`);

/** `weft runs archive|unarchive|delete <run...>`: each run in turn; stops at the first refusal. */
export async function runsStorage(
  host: string | undefined,
  action: "archive" | "unarchive" | "delete",
  refs: string[],
): Promise<number> {
  return withCatalog(host, async (catalog) => {
    for (const ref of refs) {
      const run = await catalog.resolveRun(ref);
      if (action === "archive") await catalog.archiveRun(run.id);
      else if (action === "unarchive") await catalog.unarchiveRun(run.id);
      else await catalog.deleteRun(run.id);
      out(`${action === "delete" ? "deleted" : `${action}d`} run ${run.id} (${run.displayName})`);
    }
    return ExitCode.ok;
  });
}

/** Options of `weft runs edit`. */
export interface RunsEditOptions {
  name?: string;
  description?: string;
  /** `key=value` pairs to set. */
  tag?: string[];
  /** Keys to remove. */
  untag?: string[];
  json?: boolean;
}

/** `weft runs edit <run>`: renames, describes and (un)tags a run. */
export async function runsEdit(host: string | undefined, ref: string, opts: RunsEditOptions): Promise<number> {
  const set = parseTags(opts.tag ?? []);
  const unset = opts.untag ?? [];
  if (opts.name === undefined && opts.description === undefined && Object.keys(set).length === 0 && !unset.length) {
    throw new CliError("BAD_OPTION", "weft runs edit: nothing to change; give --name, --description, --tag or --untag");
  }
  return withCatalog(host, async (catalog) => {
    const run = await catalog.resolveRun(ref);
    const tagsChanged = Object.keys(set).length > 0 || unset.length > 0;
    const tags = { ...run.tags, ...set };
    for (const key of unset) delete tags[key];
    const updated = await catalog.updateRun(run.id, {
      ...(opts.name !== undefined ? { displayName: opts.name } : {}),
      ...(opts.description !== undefined ? { description: opts.description } : {}),
      ...(tagsChanged ? { tags } : {}),
    });
    if (opts.json) {
      out(JSON.stringify(updated));
      return ExitCode.ok;
    }
    const tagText = Object.entries(updated.tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    out(`updated run ${updated.id} (${updated.displayName})`);
    if (updated.description) out(`  description ${updated.description}`);
    if (tagText) out(`  tags        ${tagText}`);
    return ExitCode.ok;
  });
}

/** `weft experiments archive|unarchive|delete <experiment>`. */
export async function experimentsStorage(
  host: string | undefined,
  action: "archive" | "unarchive" | "delete",
  ref: string,
  opts: { cascade?: boolean } = {},
): Promise<number> {
  return withCatalog(host, async (catalog) => {
    const e = await catalog.resolveExperiment(ref);
    if (action === "archive") {
      await catalog.archiveExperiment(e.id);
      out(`archived experiment ${e.name} (${e.id}) and its runs`);
    } else if (action === "unarchive") {
      await catalog.unarchiveExperiment(e.id);
      out(`unarchived experiment ${e.name} (${e.id}); its runs stay archived until unarchived one by one`);
    } else {
      await catalog.deleteExperiment(e.id, opts.cascade === true);
      out(`deleted experiment ${e.name} (${e.id})${opts.cascade ? " with its runs and recurring runs" : ""}`);
    }
    return ExitCode.ok;
  });
}

/** `weft pipelines list`. */
export async function pipelinesList(host: string | undefined, opts: { json?: boolean }): Promise<number> {
  return withCatalog(host, async (catalog) => {
    const pipelines = await catalog.listPipelines();
    if (opts.json) {
      out(JSON.stringify({ pipelines }));
      return ExitCode.ok;
    }
    if (pipelines.length === 0) {
      out(`no pipelines ${catalog.where}; weft run <pipeline> registers one`);
      return ExitCode.ok;
    }
    const rows = pipelines.map((p) => [p.id, p.name, formatTime(p.createdAt), p.description]);
    out(renderTable(["ID", "NAME", "CREATED", "DESCRIPTION"], rows));
    return ExitCode.ok;
  });
}

/** `weft pipelines versions <pipeline>`. */
export async function pipelinesVersions(
  host: string | undefined,
  ref: string,
  opts: { json?: boolean },
): Promise<number> {
  return withCatalog(host, async (catalog) => {
    const p = await catalog.resolvePipeline(ref);
    const versions = await catalog.listVersions(p.id);
    if (opts.json) {
      out(JSON.stringify({ pipeline: p, versions }));
      return ExitCode.ok;
    }
    const rows = versions.map((v) => [v.id, v.name, formatTime(v.createdAt), v.description]);
    out(renderTable(["VERSION ID", "NAME", "CREATED", "DESCRIPTION"], rows));
    return ExitCode.ok;
  });
}

/** `weft pipelines delete <pipeline> [--cascade]`. */
export async function pipelinesDelete(
  host: string | undefined,
  ref: string,
  opts: { cascade?: boolean },
): Promise<number> {
  return withCatalog(host, async (catalog) => {
    const p = await catalog.resolvePipeline(ref);
    if (!opts.cascade) {
      const n = (await catalog.listVersions(p.id)).length;
      if (n > 0) {
        throw new CliError(
          "BAD_OPTION",
          `pipeline ${p.name} (${p.id}) has ${n} version(s); delete them first (weft pipelines delete-version) or add --cascade; runs keep their specs either way`,
        );
      }
    }
    await catalog.deletePipeline(p.id, opts.cascade === true);
    out(`deleted pipeline ${p.name} (${p.id})${opts.cascade ? " with its versions" : ""}`);
    return ExitCode.ok;
  });
}

/** `weft pipelines delete-version <pipeline> <version>`: the version by id or name. */
export async function pipelinesDeleteVersion(
  host: string | undefined,
  ref: string,
  versionRef: string,
): Promise<number> {
  return withCatalog(host, async (catalog) => {
    const p = await catalog.resolvePipeline(ref);
    const versions = await catalog.listVersions(p.id);
    const v = versions.find((x) => x.id === versionRef) ?? versions.find((x) => x.name === versionRef);
    if (!v) {
      throw new CliError(
        "PIPELINE_NOT_FOUND",
        `pipeline ${p.name} has no version "${versionRef}"; list them with: weft pipelines versions ${p.name}`,
      );
    }
    await catalog.deleteVersion(p.id, v.id);
    out(`deleted version ${v.name} (${v.id}) of pipeline ${p.name}; runs that used it keep their spec`);
    return ExitCode.ok;
  });
}

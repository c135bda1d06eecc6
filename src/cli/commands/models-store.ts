/**
 * `weft models` over the local store: the store-backed {@link ModelSource}
 * (`store.models`); `model-views.ts` prints what it reads. A download copies the
 * artifact out of the home's artifact store (or the run's pipeline root) without
 * following links, and checks the copy's digest.
 */
import { existsSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { artifactContentRoots, resolveInside, resolveInsideAny } from "../../artifacts/index.ts";
import { fromStoredSignature, resolveModelUri } from "../../registry/index.ts";
import type { AliasMove, ModelVersion, RegisteredModel, Store } from "../../store/index.ts";
import { CliError, ExitCode } from "../errors.ts";
import {
  artifactHolding,
  copyModelContent,
  prepareDestination,
  safeMemberName,
  verifyDownload,
} from "../model-download.ts";
import {
  type AliasMoveView,
  aliasNotFound,
  describeRef,
  filterLiteral,
  type ModelSource,
  type ModelVersionView,
  type ModelView,
  modelNotFound,
  parseModelRef,
  versionNotFound,
  versionUri,
} from "../model-source.ts";

/** A registered model as the CLI shows it. */
export function modelFromStore(m: RegisteredModel, latestVersion: number | undefined): ModelView {
  const view: ModelView = { name: m.name, tags: { ...m.tags }, aliases: { ...m.aliases } };
  if (m.description) view.description = m.description;
  if (latestVersion !== undefined) view.latestVersion = latestVersion;
  view.createdAt = m.createdAt;
  view.updatedAt = m.updatedAt;
  return view;
}

/**
 * A version as the CLI shows it. `runId` is the Weft run: a version registered from a
 * task's own MLflow run records the task's id, which is read as the task's run.
 */
export function versionFromStore(v: ModelVersion, store?: Pick<Store, "runs" | "tasks">): ModelVersionView {
  const view: ModelVersionView = {
    name: v.name,
    version: v.version,
    status: v.status,
    stage: v.currentStage,
    aliases: [...v.aliases],
    tags: { ...v.tags },
    datasets: (v.datasets ?? []).map((d) => ({ ...d })),
    metrics: { ...(v.metrics ?? {}) },
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
  };
  if (v.statusMessage) view.statusMessage = v.statusMessage;
  if (v.description) view.description = v.description;
  if (v.source) view.source = v.source;
  if (v.digest) view.digest = v.digest;
  if (v.format) view.format = v.format;
  if (v.signature) {
    // named dimensions back in their places, as the server's routes send them
    view.signature = fromStoredSignature(v.signature);
  }
  if (v.runId) {
    view.runId = (store && !store.runs.get(v.runId) && store.tasks.get(v.runId)?.runId) || v.runId;
    const runName = store?.runs.get(view.runId)?.displayName;
    if (runName) view.runName = runName;
  }
  if (v.taskId) view.taskId = v.taskId;
  if (v.taskName) view.taskName = v.taskName;
  if (v.pipelineVersionId) view.pipelineVersionId = v.pipelineVersionId;
  if (v.userId) view.userId = v.userId;
  return view;
}

function moveFromStore(m: AliasMove): AliasMoveView {
  const view: AliasMoveView = { alias: m.alias, at: m.movedAt };
  if (m.fromVersion !== null) view.from = m.fromVersion;
  if (m.toVersion !== null) view.to = m.toVersion;
  if (m.movedBy) view.by = m.movedBy;
  return view;
}

/** The registry of the local store. */
export function storeModelSource(store: Store, opts: { artifactsRoot?: string; user?: string } = {}): ModelSource {
  const models = store.models;

  const source: ModelSource = {
    where: `in ${store.home}`,
    prefix: "weft",

    async listModels(request) {
      const page = badFilter(request.filter, () =>
        models.searchModels({
          maxResults: request.limit,
          orderBy: ["name ASC"],
          ...(request.filter ? { filter: request.filter } : {}),
        }),
      );
      return {
        items: page.items.map((m) => modelFromStore(m, latestOf(m.name))),
        more: page.nextPageToken !== undefined,
      };
    },

    async getModel(name) {
      return modelFromStore(model(name), latestOf(name));
    },

    async resolveVersion(uri) {
      const ref = parseModelRef(uri);
      try {
        return versionFromStore(resolveModelUri(store, uri), store);
      } catch (err) {
        if ((err as { code?: unknown }).code !== "NOT_FOUND") throw err;
        model(ref.name);
        throw ref.kind === "alias"
          ? aliasNotFound(source, ref.name, ref.alias)
          : versionNotFound(source, ref.name, describeRef(ref));
      }
    },

    async listVersions(name, request) {
      model(name);
      const filter = `name = ${filterLiteral(name)}${request.filter ? ` AND ${request.filter}` : ""}`;
      const out: ModelVersion[] = [];
      let pageToken: string | undefined;
      do {
        const page = badFilter(request.filter, () =>
          models.searchVersions({ filter, orderBy: ["version_number DESC"], ...(pageToken ? { pageToken } : {}) }),
        );
        out.push(...page.items);
        pageToken = page.nextPageToken;
      } while (pageToken);
      return out.map((v) => versionFromStore(v, store));
    },

    async setAlias(name, alias, version) {
      await source.resolveVersion(versionUri(name, version));
      const before = model(name).aliases[alias];
      input(() => models.setAlias(name, alias, version, opts.user));
      const last = lastMove(name, alias);
      return last && last.to === version
        ? last
        : { alias, ...(before !== undefined ? { from: before } : {}), to: version };
    },

    async deleteAlias(name, alias) {
      const before = model(name).aliases[alias];
      if (before === undefined) throw aliasNotFound(source, name, alias);
      input(() => models.deleteAlias(name, alias, opts.user));
      const last = lastMove(name, alias);
      return last && last.to === undefined ? last : { alias, from: before };
    },

    async aliasHistory(name, alias) {
      model(name);
      return models.aliasHistory(name, alias).map(moveFromStore);
    },

    async transitionStage(name, version, stage, archiveExisting) {
      await source.resolveVersion(versionUri(name, version));
      return versionFromStore(
        input(() =>
          models.transitionStage(name, version, stage, {
            archiveExistingVersions: archiveExisting,
            ...(opts.user ? { userId: opts.user } : {}),
          }),
        ),
        store,
      );
    },

    async download(v, dest, dl) {
      const src = await contentPath(v);
      prepareDestination(dest, dl.force === true);
      try {
        copyModelContent(src, dest, versionUri(v.name, v.version));
      } catch (err) {
        rmSync(dest, { recursive: true, force: true });
        throw err;
      }
      return verifyDownload(v, dest);
    },
  };

  function model(name: string): RegisteredModel {
    const m = models.getModel(name);
    if (!m) throw modelNotFound(source, name);
    return m;
  }

  function latestOf(name: string): number | undefined {
    const all = models.latestVersions(name);
    return all.length === 0 ? undefined : Math.max(...all.map((v) => v.version));
  }

  function lastMove(name: string, alias: string): AliasMoveView | undefined {
    const last = models.aliasHistory(name, alias).at(-1);
    return last ? moveFromStore(last) : undefined;
  }

  /**
   * Where the version's artifact is on this machine: inside the recorded artifact that
   * holds the source (in the home's artifact store or the run's pipeline root, no link on
   * the way), else the `file://` path itself when no artifact records it.
   */
  async function contentPath(v: ModelVersionView): Promise<string> {
    const label = versionUri(v.name, v.version);
    if (!v.source) {
      throw new CliError("MODEL_CONTENT_MISSING", `${label} records no source to download`, {
        exitCode: ExitCode.failed,
      });
    }
    const held = await artifactHolding(v.source, (uri) => store.artifacts.getByUri(uri));
    let path: string;
    if (held && opts.artifactsRoot !== undefined) {
      const { artifact, inside } = held;
      // the home's store, or the pipeline root the run (or the run a cached task reused) chose
      const reused = store.tasks.get(artifact.taskId)?.cache?.sourceRunId;
      const writers = [artifact.runId, ...(reused ? [reused] : [])].flatMap((id) => {
        const run = store.runs.get(id);
        return run ? [{ id, pipelineRoot: run.pipelineRoot }] : [];
      });
      const root = resolveInsideAny(artifactContentRoots(opts.artifactsRoot, writers), artifact.uri);
      path = inside.length === 0 ? root : resolveInside(root, inside.map((p) => safeMemberName(p, label)).join("/"));
    } else if (/^file:\/\//i.test(v.source)) {
      path = fileURLToPath(v.source);
    } else {
      throw new CliError(
        "MODEL_CONTENT_MISSING",
        `${label}: its source ${v.source} is not a file on this machine and no artifact of the store holds it; download it where it is stored`,
        { exitCode: ExitCode.failed },
      );
    }
    if (!existsSync(path)) {
      throw new CliError(
        "MODEL_CONTENT_MISSING",
        `${label}: its source ${v.source} is recorded but nothing is at ${path}${v.runId ? `; rerun the run that produced it (weft runs retry ${v.runId}) and register the new model` : ""}`,
        { exitCode: ExitCode.failed },
      );
    }
    return path;
  }

  return source;
}

/** A filter the store refused, as a usage error naming it. */
function badFilter<T>(filter: string | undefined, call: () => T): T {
  try {
    return call();
  } catch (err) {
    if (filter !== undefined && (err as { code?: unknown }).code === "INVALID_QUERY") {
      throw new CliError("BAD_OPTION", `--filter "${filter}" is refused: ${(err as Error).message}`);
    }
    throw err;
  }
}

/** A value the store refused (a bad alias or stage), as a usage error with the store's words. */
function input<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    if ((err as { code?: unknown }).code === "INVALID_INPUT") {
      throw new CliError("BAD_OPTION", (err as Error).message, { cause: err });
    }
    throw err;
  }
}

/**
 * Remote mode of `weft models`: the client-backed {@link ModelSource}. Models, versions,
 * aliases and stages go through MLflow's REST calls; what MLflow's messages do not carry
 * (digest, format, signature, lineage, metrics snapshot, alias history) comes from Weft's
 * model extension routes; a download goes through the server's artifact content route.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  type ApiAliasMove,
  type ApiModelVersionDetail,
  isNotFound,
  type MlflowModelVersion,
  type MlflowRegisteredModel,
  type MlflowTag,
} from "../../client/index.ts";
import { CliError, ExitCode } from "../errors.ts";
import {
  artifactHolding,
  prepareDestination,
  safeMemberName,
  streamMember,
  verifyDownload,
} from "../model-download.ts";
import {
  type AliasMoveView,
  aliasNotFound,
  type DownloadResult,
  describeRef,
  filterLiteral,
  type ModelListPage,
  type ModelSource,
  type ModelVersionView,
  type ModelView,
  modelNotFound,
  parseModelRef,
  type TensorSpecView,
  versionNotFound,
  versionUri,
} from "../model-source.ts";
import type { Remote } from "./connect.ts";

function tags(list: MlflowTag[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map((t) => [t.key, t.value]));
}

function num(v: string | number | null | undefined): number | undefined {
  if (v === null || v === undefined || v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function time(v: number | string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "number") return v;
  return /^\d+$/.test(v) ? Number(v) : Number.isFinite(Date.parse(v)) ? Date.parse(v) : undefined;
}

/** A registered model as the CLI shows it. */
export function modelFromMlflow(m: MlflowRegisteredModel): ModelView {
  const latest = (m.latest_versions ?? []).map((v) => Number(v.version)).filter(Number.isFinite);
  const view: ModelView = {
    name: m.name,
    tags: tags(m.tags),
    aliases: Object.fromEntries((m.aliases ?? []).map((a) => [a.alias, Number(a.version)])),
  };
  if (m.description) view.description = m.description;
  if (latest.length > 0) view.latestVersion = Math.max(...latest);
  if (m.creation_timestamp !== undefined) view.createdAt = Number(m.creation_timestamp);
  if (m.last_updated_timestamp !== undefined) view.updatedAt = Number(m.last_updated_timestamp);
  return view;
}

function tensors(list: TensorSpecView[] | undefined): TensorSpecView[] {
  return (list ?? []).map((t) => ({
    name: t.name,
    ...(t.dtype !== undefined ? { dtype: t.dtype } : {}),
    ...(t.shape !== undefined ? { shape: t.shape } : {}),
  }));
}

/** A version as the CLI shows it: MLflow's message with Weft's record of it. */
export function versionFromMlflow(v: MlflowModelVersion, d: ApiModelVersionDetail | undefined): ModelVersionView {
  const view: ModelVersionView = {
    name: v.name,
    version: Number(v.version),
    status: v.status ?? "READY",
    stage: v.current_stage ?? "None",
    aliases: [...(v.aliases ?? [])].sort(),
    tags: tags(v.tags),
    datasets: (d?.lineage?.datasets ?? []).map((x) => ({
      ...(x.name !== undefined ? { name: x.name } : {}),
      ...(x.uri !== undefined ? { uri: x.uri } : {}),
      ...(x.digest !== undefined ? { digest: x.digest } : {}),
      ...(x.task !== undefined ? { task: x.task } : {}),
    })),
    metrics: { ...(d?.metrics ?? {}) },
  };
  if (v.status_message) view.statusMessage = v.status_message;
  if (v.description) view.description = v.description;
  const source = d?.source ?? v.source;
  if (source) view.source = source;
  if (d?.digest) view.digest = d.digest;
  if (d?.format) view.format = d.format;
  if (d?.signature) {
    view.signature = { inputs: tensors(d.signature.inputs), outputs: tensors(d.signature.outputs) };
  }
  const runId = d?.lineage?.run?.run_id ?? d?.run_id ?? v.run_id;
  if (runId) view.runId = runId;
  const runName = d?.lineage?.run?.display_name;
  if (runName) view.runName = runName;
  const taskId = d?.lineage?.task?.task_id;
  const taskName = d?.lineage?.task?.name ?? d?.task_name;
  if (taskId) view.taskId = taskId;
  if (taskName) view.taskName = taskName;
  const pv = d?.lineage?.pipeline_version?.pipeline_version_id;
  if (pv) view.pipelineVersionId = pv;
  if (v.user_id) view.userId = v.user_id;
  if (v.creation_timestamp !== undefined) view.createdAt = Number(v.creation_timestamp);
  if (v.last_updated_timestamp !== undefined) view.updatedAt = Number(v.last_updated_timestamp);
  return view;
}

function moveFromApi(m: ApiAliasMove): AliasMoveView {
  const view: AliasMoveView = { alias: m.alias };
  const from = num(m.from_version);
  const to = num(m.to_version);
  const at = time(m.moved_at);
  if (from !== undefined) view.from = from;
  if (to !== undefined) view.to = to;
  if (m.moved_by) view.by = m.moved_by;
  if (at !== undefined) view.at = at;
  return view;
}

/** The registry of a server, read and changed through the typed client. */
export function clientModelSource(remote: Remote): ModelSource {
  const { host, client } = remote;
  const api = client.models;

  const source: ModelSource = {
    where: `on ${host}`,
    prefix: `weft --host ${host}`,

    async listModels(request): Promise<ModelListPage> {
      const page = await badFilter(request.filter, () =>
        api.searchModels({
          maxResults: request.limit,
          orderBy: ["name ASC"],
          ...(request.filter ? { filter: request.filter } : {}),
        }),
      );
      return { items: page.items.map(modelFromMlflow), more: page.nextPageToken !== undefined };
    },

    async getModel(name) {
      return modelFromMlflow(await model(name));
    },

    async resolveVersion(uri) {
      const ref = parseModelRef(uri);
      let v: MlflowModelVersion;
      if (ref.kind === "version") {
        v = await orMissing(api.getVersion(ref.name, String(ref.version)), async () => {
          await model(ref.name);
          return versionNotFound(source, ref.name, describeRef(ref));
        });
      } else if (ref.kind === "alias") {
        v = await orMissing(api.getVersionByAlias(ref.name, ref.alias), async () => {
          await model(ref.name);
          return aliasNotFound(source, ref.name, ref.alias);
        });
      } else {
        await model(ref.name);
        // newest first, a page at a time, until a version matches
        let picked: MlflowModelVersion | undefined;
        let pageToken: string | undefined;
        do {
          const page = await api.searchVersions({
            filter: `name = ${filterLiteral(ref.name)}`,
            orderBy: ["version_number DESC"],
            maxResults: ref.kind === "latest" ? 1 : 200,
            ...(pageToken ? { pageToken } : {}),
          });
          picked = page.items
            .filter((x) => ref.kind === "latest" || x.current_stage === ref.stage)
            .sort((a, b) => Number(b.version) - Number(a.version))[0];
          pageToken = ref.kind === "latest" ? undefined : page.nextPageToken;
        } while (!picked && pageToken);
        if (!picked) throw versionNotFound(source, ref.name, describeRef(ref));
        v = picked;
      }
      return versionFromMlflow(v, await detail(v.name, v.version));
    },

    async listVersions(name, request) {
      await model(name);
      const filter = `name = ${filterLiteral(name)}${request.filter ? ` AND ${request.filter}` : ""}`;
      const all = await badFilter(request.filter, () => api.allVersions(filter));
      all.sort((a, b) => Number(b.version) - Number(a.version));
      const out: ModelVersionView[] = [];
      for (const v of all) out.push(versionFromMlflow(v, await detail(v.name, v.version)));
      return out;
    },

    async setAlias(name, alias, version) {
      await source.resolveVersion(versionUri(name, version));
      const before = await current(name, alias);
      await api.setAlias(name, alias, String(version));
      const last = (await history(name, alias)).at(-1);
      if (last && last.to === version) return last;
      return { alias, ...(before !== undefined ? { from: before } : {}), to: version };
    },

    async deleteAlias(name, alias) {
      await model(name);
      const before = await current(name, alias);
      if (before === undefined) throw aliasNotFound(source, name, alias);
      await api.deleteAlias(name, alias);
      const last = (await history(name, alias)).at(-1);
      if (last && last.to === undefined) return last;
      return { alias, from: before };
    },

    async aliasHistory(name, alias) {
      await model(name);
      return history(name, alias);
    },

    async transitionStage(name, version, stage, archiveExisting) {
      await source.resolveVersion(versionUri(name, version));
      const v = await api.transitionStage(name, String(version), stage, archiveExisting);
      return versionFromMlflow(v, await detail(v.name, v.version));
    },

    async download(v, dest, opts): Promise<DownloadResult> {
      const label = versionUri(v.name, v.version);
      const { id, sub } = await artifactOf(v);
      const kind = await contentKind(id, sub);
      if (kind !== "file" && kind !== "directory") {
        throw new CliError(
          "MODEL_CONTENT_MISSING",
          `${label}: the server at ${host} has no content at ${v.source ?? id}; rerun the run that produced it${v.runId ? ` (weft --host ${host} runs retry ${v.runId})` : ""} or register another version`,
          { exitCode: ExitCode.failed },
        );
      }
      prepareDestination(dest, opts.force === true);
      try {
        if (kind === "file") await streamMember(dest, [], await api.artifacts.open(id, sub), label);
        else await fetchDirectory(id, dest, sub ? sub.split("/") : [], [], label);
      } catch (err) {
        // a partial copy is not left behind
        rmSync(dest, { recursive: true, force: true });
        throw err;
      }
      return verifyDownload(v, dest);
    },
  };

  async function model(name: string): Promise<MlflowRegisteredModel> {
    return orMissing(api.getModel(name), async () => modelNotFound(source, name));
  }

  async function detail(name: string, version: string): Promise<ApiModelVersionDetail | undefined> {
    try {
      return await api.versionDetail(name, version);
    } catch (err) {
      // an MLflow server without Weft's extensions: MLflow's message is all there is
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async function current(name: string, alias: string): Promise<number | undefined> {
    try {
      return Number((await api.getVersionByAlias(name, alias)).version);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async function history(name: string, alias?: string): Promise<AliasMoveView[]> {
    return (await api.aliasHistory(name, alias)).map(moveFromApi);
  }

  /**
   * The artifact that holds the version's source on the server, and the path of the source
   * inside it (empty when the source is the artifact itself): the source's URI, else the
   * nearest parent folder recorded as an artifact.
   */
  async function artifactOf(v: ModelVersionView): Promise<{ id: string; sub: string }> {
    // the server names the artifact that holds the source; the source lies in it or is it
    const named = (await detail(v.name, String(v.version)))?.artifact_id;
    if (typeof named === "string" && named !== "" && v.source) {
      const { uri } = await api.artifacts.info(named);
      const base = uri.replace(/\/+$/, "");
      if (v.source === uri || v.source === base) return { id: named, sub: "" };
      if (v.source.startsWith(`${base}/`)) {
        const inside = v.source
          .slice(base.length + 1)
          .replace(/\/+$/, "")
          .split("/");
        try {
          return { id: named, sub: inside.map((p) => decodeURIComponent(p)).join("/") };
        } catch {
          // not percent-encoded as the engine writes URIs: the parent walk below decides
        }
      }
    }
    const held = await artifactHolding(v.source, (uri) => api.artifacts.findByUri(uri));
    if (held) return { id: held.artifact.artifact_id, sub: held.inside.join("/") };
    throw new CliError(
      "MODEL_CONTENT_MISSING",
      `${versionUri(v.name, v.version)}: the server at ${host} records no artifact holding the version's source ${v.source ?? "(none)"}, so it cannot send it; download it where it is stored, or register a version made by a run on that server`,
      { exitCode: ExitCode.failed },
    );
  }

  /** Whether `sub` inside the artifact (or the artifact itself) is a file or a directory. */
  async function contentKind(id: string, sub: string): Promise<string | undefined> {
    if (sub === "") return (await api.artifacts.info(id)).content_kind;
    const parts = sub.split("/");
    const name = parts.pop() as string;
    try {
      const entry = (await api.artifacts.directory(id, parts.join("/"))).find((e) => e.name === name);
      return entry?.kind === "dir" ? "directory" : entry?.kind;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Writes the directory `from` of the artifact at `dest/rel`, member by member. */
  async function fetchDirectory(id: string, dest: string, from: string[], rel: string[], label: string): Promise<void> {
    mkdirSync(join(dest, ...rel), { recursive: true });
    for (const e of await api.artifacts.directory(id, [...from, ...rel].join("/"))) {
      const parts = [...rel, safeMemberName(e.name, label)];
      if (e.kind === "dir") await fetchDirectory(id, dest, from, parts, label);
      else if (e.kind === "file") {
        await streamMember(dest, parts, await api.artifacts.open(id, [...from, ...parts].join("/")), label);
      } else {
        throw new CliError(
          "MODEL_CONTENT_MISSING",
          `${label} holds ${parts.join("/")}, which is a ${e.kind === "link" ? "symbolic link" : "special file"}; links are never copied, so the download stops`,
          { exitCode: ExitCode.failed },
        );
      }
    }
  }

  return source;
}

async function orMissing<T>(call: Promise<T>, missing: () => Promise<CliError>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (isNotFound(err)) throw await missing();
    throw err;
  }
}

/** A filter the server refused, as a usage error naming it. */
async function badFilter<T>(filter: string | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const status = (err as { status?: number }).status;
    const body = (err as { body?: { message?: unknown } }).body;
    if (filter !== undefined && status === 400) {
      throw new CliError(
        "BAD_OPTION",
        `--filter "${filter}" is refused: ${typeof body?.message === "string" ? body.message : String(err)}`,
      );
    }
    throw err;
  }
}

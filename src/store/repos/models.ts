/**
 * The model registry: registered models, their numbered versions, tags, aliases (with the
 * history of every move) and MLflow's legacy stages. Every write is one IMMEDIATE
 * transaction, so processes sharing the store see each write whole.
 */
import type { z } from "zod";
import { AlreadyExistsError, CorruptDataError, InvalidInputError, NotFoundError } from "../errors.ts";
import {
  compileOrderBy,
  compileRegistryFilter,
  decodePageToken,
  encodePageToken,
  maxResultsOf,
  parseRegistryFilter,
  parseRegistryOrderBy,
  type RegistryEntity,
} from "../registry-filter.ts";
import { guardWrite, type SqlContext } from "../sql.ts";
import { decodeRow, encodePatch, encodeRow, insertSql, type RowOf } from "../table.ts";
import {
  MODEL_STAGES,
  MODEL_VERSION_STATUSES,
  MODEL_VERSIONS_TABLE,
  ModelDatasetsSchema,
  ModelMetricsSchema,
  ModelSignatureSchema,
  REGISTERED_MODELS_TABLE,
} from "../tables/index.ts";
import type {
  AliasMove,
  ModelRepository,
  ModelStage,
  ModelVersion,
  ModelVersionInput,
  ModelVersionPatch,
  ModelVersionStatus,
  RegisteredModel,
  RegisteredModelInput,
  RegistryPage,
  RegistrySearch,
  StageTransitionOptions,
} from "../types.ts";

type ModelRow = RowOf<typeof REGISTERED_MODELS_TABLE.columns>;
type VersionRow = RowOf<typeof MODEL_VERSIONS_TABLE.columns>;

/** The longest model name; names become parts of `models:/NAME/...` URIs. */
export const MAX_MODEL_NAME_LENGTH = 256;
/** The longest alias name (MLflow's limit). */
export const MAX_ALIAS_LENGTH = 255;
/** The longest tag key (MLflow's limit for registry tags). */
export const MAX_TAG_KEY_LENGTH = 250;

const INSERT_VERSION = insertSql(MODEL_VERSIONS_TABLE, [
  "name",
  "version",
  "description",
  "source",
  "digest",
  "format",
  "signature",
  "run_id",
  "run_link",
  "task_id",
  "task_name",
  "pipeline_version_id",
  "datasets",
  "metrics",
  "status",
  "status_message",
  "current_stage",
  "user_id",
  "created_at",
  "updated_at",
]);

/**
 * Checks a registered model name: 1 to 256 characters without `/`, `@` or control
 * characters. Throws `InvalidInputError` naming the field.
 */
export function checkModelName(name: unknown, field = "name"): string {
  if (typeof name !== "string" || name === "") {
    throw new InvalidInputError(`registered model: ${field} is required and must be a non-empty string`);
  }
  if (name.length > MAX_MODEL_NAME_LENGTH) {
    throw new InvalidInputError(
      `registered model: ${field} '${name.slice(0, 40)}...' is ${name.length} characters long; use at most ${MAX_MODEL_NAME_LENGTH}`,
    );
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  const bad = /[/@\u0000-\u001f\u007f]/.exec(name);
  if (bad) {
    const shown =
      bad[0] === "/" || bad[0] === "@"
        ? `'${bad[0]}'`
        : `control character U+${bad[0].charCodeAt(0).toString(16).padStart(4, "0")}`;
    throw new InvalidInputError(
      `registered model: ${field} '${name}' contains ${shown}; model names are parts of models:/NAME/VERSION and models:/NAME@ALIAS URIs, so choose a name without '/', '@' or control characters`,
    );
  }
  return name;
}

/**
 * Checks an alias name as MLflow does: letters, digits, `_` and `-`, at most 255
 * characters, not `latest` (any case) and not a version reference such as `v1` or `V12`.
 */
export function checkAliasName(alias: unknown): string {
  if (typeof alias !== "string" || alias === "") {
    throw new InvalidInputError("model alias: the alias name is required and must be a non-empty string");
  }
  if (!/^[\w-]+$/.test(alias)) {
    throw new InvalidInputError(
      `model alias '${alias}': alias names may only contain letters, digits, underscores (_) and dashes (-); choose another name`,
    );
  }
  if (alias.length > MAX_ALIAS_LENGTH) {
    throw new InvalidInputError(`model alias '${alias.slice(0, 40)}...': use at most ${MAX_ALIAS_LENGTH} characters`);
  }
  if (alias.toLowerCase() === "latest") {
    throw new InvalidInputError(
      "model alias 'latest': the name is reserved (models:/NAME/latest is the newest version); choose another alias",
    );
  }
  if (/^[vV]\d+$/.test(alias)) {
    throw new InvalidInputError(
      `model alias '${alias}': names of the form v<number> are reserved for version references; choose another alias`,
    );
  }
  return alias;
}

/** The canonical stage for any case of None, Staging, Production or Archived. */
export function canonicalStage(stage: unknown): ModelStage {
  const found = MODEL_STAGES.find((s) => typeof stage === "string" && s.toLowerCase() === stage.toLowerCase());
  if (found === undefined) {
    throw new InvalidInputError(`stage '${String(stage)}' is not a model stage; use one of ${MODEL_STAGES.join(", ")}`);
  }
  return found;
}

function checkVersionNumber(name: string, version: unknown): number {
  if (typeof version !== "number" || !Number.isSafeInteger(version) || version < 1) {
    throw new InvalidInputError(
      `model '${name}': version '${String(version)}' is not a version number; versions are integers from 1`,
    );
  }
  return version;
}

function checkTag(where: string, key: unknown, value: unknown): void {
  if (typeof key !== "string" || key === "") {
    throw new InvalidInputError(`${where}: a tag key is required and must be a non-empty string`);
  }
  if (key.length > MAX_TAG_KEY_LENGTH) {
    throw new InvalidInputError(
      `${where}: tag key '${key.slice(0, 40)}...' is longer than ${MAX_TAG_KEY_LENGTH} characters`,
    );
  }
  if (typeof value !== "string") {
    throw new InvalidInputError(`${where}: the value of tag '${key}' must be a string`);
  }
}

/** Checks a JSON field against its schema before it is written; throws `InvalidInputError` naming the field. */
function checkShape(where: string, field: string, schema: z.ZodType, value: unknown): void {
  if (value === undefined || value === null) return;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue && issue.path.length > 0 ? `${field}.${issue.path.join(".")}` : field;
    throw new InvalidInputError(
      `${where}: ${at}: ${issue?.message ?? "invalid"}; ${SHAPES[field] ?? "pass a valid value"}`,
    );
  }
}

const SHAPES: Record<string, string> = {
  signature: "a signature is {inputs: [{name, dtype, shape?}], outputs: [...]}",
  datasets: "datasets are [{name, uri, digest?, task?}]",
  metrics: "metrics are {name: number}",
};

function checkVersionShapes(where: string, v: { signature?: unknown; datasets?: unknown; metrics?: unknown }): void {
  checkShape(where, "signature", ModelSignatureSchema, v.signature);
  checkShape(where, "datasets", ModelDatasetsSchema, v.datasets);
  checkShape(where, "metrics", ModelMetricsSchema, v.metrics);
}

function checkStatus(where: string, status: unknown): void {
  if (!(MODEL_VERSION_STATUSES as readonly unknown[]).includes(status)) {
    throw new InvalidInputError(
      `${where}: status '${String(status)}' is not one of ${MODEL_VERSION_STATUSES.join(", ")}`,
    );
  }
}

/** A `NotFoundError` with a message that names what is missing and what to do. */
function notFound(entity: string, key: string, message: string): NotFoundError {
  const err = new NotFoundError(entity, key);
  err.message = message;
  return err;
}

function modelNotFound(name: string): NotFoundError {
  return notFound(
    "registered model",
    name,
    `registered model '${name}' was not found; check the name (search registered models to see what exists) or create it first`,
  );
}

function versionNotFound(name: string, version: number): NotFoundError {
  return notFound(
    "model version",
    `${name}/${version}`,
    `model '${name}' has no version ${version}; check the version number (search model versions with name = '${name}' to see what exists)`,
  );
}

/** A row's JSON column, parsed (its shape was checked when it was written). */
function parsed<T>(r: VersionRow, column: "signature" | "datasets" | "metrics", text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new CorruptDataError("model_versions", `${r.name}/${r.version}`, column, "not valid JSON", { cause: err });
  }
}

/**
 * A version from its row, field by field as `MODEL_VERSIONS_TABLE` declares them (NULL
 * leaves an optional field absent); written out because a search decodes a page of rows.
 */
function versionOf(r: VersionRow, tags: Record<string, string>, aliases: string[]): ModelVersion {
  const v: ModelVersion = {
    name: r.name,
    version: r.version,
    description: r.description,
    source: r.source,
    datasets: parsed(r, "datasets", r.datasets),
    metrics: parsed(r, "metrics", r.metrics),
    status: r.status as ModelVersionStatus,
    currentStage: r.current_stage as ModelStage,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    tags,
    aliases,
  };
  if (r.digest !== null) v.digest = r.digest;
  if (r.format !== null) v.format = r.format;
  if (r.signature !== null) v.signature = parsed(r, "signature", r.signature);
  if (r.run_id !== null) v.runId = r.run_id;
  if (r.run_link !== null) v.runLink = r.run_link;
  if (r.task_id !== null) v.taskId = r.task_id;
  if (r.task_name !== null) v.taskName = r.task_name;
  if (r.pipeline_version_id !== null) v.pipelineVersionId = r.pipeline_version_id;
  if (r.status_message !== null) v.statusMessage = r.status_message;
  if (r.user_id !== null) v.userId = r.user_id;
  return v;
}

/** The models repository over `ctx`. */
export function createModelRepository(ctx: SqlContext): ModelRepository {
  function tagsOfModels(names: string[]): Map<string, Record<string, string>> {
    const out = new Map<string, Record<string, string>>(names.map((n) => [n, {}]));
    if (names.length === 0) return out;
    const rows = ctx
      .stmt("SELECT t.name, t.key, t.value FROM json_each(?) j JOIN registered_model_tags t ON t.name = j.value")
      .all(JSON.stringify(names)) as { name: string; key: string; value: string }[];
    for (const r of rows) (out.get(r.name) as Record<string, string>)[r.key] = r.value;
    return out;
  }

  function aliasesOfModels(names: string[]): Map<string, Record<string, number>> {
    const out = new Map<string, Record<string, number>>(names.map((n) => [n, {}]));
    if (names.length === 0) return out;
    const rows = ctx
      .stmt(
        "SELECT a.name, a.alias, a.version FROM json_each(?) j JOIN registered_model_aliases a ON a.name = j.value ORDER BY a.alias",
      )
      .all(JSON.stringify(names)) as { name: string; alias: string; version: number }[];
    for (const r of rows) (out.get(r.name) as Record<string, number>)[r.alias] = r.version;
    return out;
  }

  function toModels(rows: ModelRow[]): RegisteredModel[] {
    const names = rows.map((r) => r.name);
    const tags = tagsOfModels(names);
    const aliases = aliasesOfModels(names);
    return rows.map((r) => ({
      ...decodeRow(REGISTERED_MODELS_TABLE, { ...r, id: r.name }),
      tags: tags.get(r.name) ?? {},
      aliases: aliases.get(r.name) ?? {},
    }));
  }

  function toVersions(rows: VersionRow[]): ModelVersion[] {
    if (rows.length === 0) return [];
    const keys = JSON.stringify(rows.map((r) => [r.name, r.version]));
    const key = (name: string, version: number) => `${version}\u0000${name}`;
    const tags = new Map<string, Record<string, string>>();
    const aliases = new Map<string, string[]>();
    for (const t of ctx
      .stmt(
        "SELECT t.name, t.version, t.key, t.value FROM json_each(?) j JOIN model_version_tags t ON t.name = json_extract(j.value, '$[0]') AND t.version = json_extract(j.value, '$[1]')",
      )
      .all(keys) as { name: string; version: number; key: string; value: string }[]) {
      const k = key(t.name, t.version);
      const own = tags.get(k) ?? {};
      own[t.key] = t.value;
      tags.set(k, own);
    }
    for (const a of ctx
      .stmt(
        "SELECT a.name, a.version, a.alias FROM json_each(?) j JOIN registered_model_aliases a ON a.name = json_extract(j.value, '$[0]') AND a.version = json_extract(j.value, '$[1]') ORDER BY a.alias",
      )
      .all(keys) as { name: string; version: number; alias: string }[]) {
      const k = key(a.name, a.version);
      aliases.set(k, [...(aliases.get(k) ?? []), a.alias]);
    }
    return rows.map((r) =>
      versionOf(r, tags.get(key(r.name, r.version)) ?? {}, aliases.get(key(r.name, r.version)) ?? []),
    );
  }

  function modelRow(name: string): ModelRow | undefined {
    return ctx.stmt("SELECT * FROM registered_models WHERE name = ?").get(name) as ModelRow | undefined;
  }

  function requireModel(name: string): ModelRow {
    const row = modelRow(name);
    if (row === undefined) throw modelNotFound(name);
    return row;
  }

  function versionRow(name: string, version: number): VersionRow | undefined {
    return ctx.stmt("SELECT * FROM model_versions WHERE name = ? AND version = ?").get(name, version) as
      | VersionRow
      | undefined;
  }

  function requireVersion(name: string, version: number): VersionRow {
    checkVersionNumber(name, version);
    const row = versionRow(name, version);
    if (row === undefined) {
      requireModel(name);
      throw versionNotFound(name, version);
    }
    return row;
  }

  function touchModel(name: string, at: number): void {
    ctx.stmt("UPDATE registered_models SET updated_at = max(updated_at, ?) WHERE name = ?").run(at, name);
  }

  function search<R>(
    entity: RegistryEntity,
    query: RegistrySearch | undefined,
    read: (rows: never[]) => R[],
  ): RegistryPage<R> {
    const clauses = parseRegistryFilter(query?.filter, entity);
    const terms = parseRegistryOrderBy(query?.orderBy, entity);
    const limit = maxResultsOf(query?.maxResults, entity);
    const offset = decodePageToken(query?.pageToken);
    const { where, params } = compileRegistryFilter(clauses, entity);
    const from = entity === "models" ? "registered_models m" : "model_versions v";
    const sql = `SELECT ${entity === "models" ? "m" : "v"}.* FROM ${from} WHERE ${where} ORDER BY ${compileOrderBy(terms, entity)} LIMIT ? OFFSET ?`;
    const rows = ctx.stmt(sql).all(...params, limit + 1, offset) as never[];
    const page: RegistryPage<R> = { items: read(rows.slice(0, limit)) };
    if (rows.length > limit) page.nextPageToken = encodePageToken(offset + limit);
    return page;
  }

  function recordMove(name: string, alias: string, from: number | null, to: number | null, by: string | undefined) {
    ctx
      .stmt(
        "INSERT INTO model_alias_history (name, alias, from_version, to_version, moved_by, moved_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(name, alias, from, to, by ?? null, Date.now());
  }

  const repo: ModelRepository = {
    createModel(input: RegisteredModelInput): RegisteredModel {
      const name = checkModelName(input?.name);
      const tags = input.tags ?? {};
      for (const [k, v] of Object.entries(tags)) checkTag(`registered model '${name}'`, k, v);
      const at = input.createdAt ?? Date.now();
      return ctx.tx(() => {
        guardWrite(ctx, { entity: "registered model", unique: `a registered model named '${name}'` }, () =>
          ctx
            .stmt(
              "INSERT INTO registered_models (name, description, user_id, last_version, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)",
            )
            .run(name, input.description ?? "", input.userId ?? null, at, at),
        );
        const put = ctx.stmt("INSERT INTO registered_model_tags (name, key, value) VALUES (?, ?, ?)");
        for (const [k, v] of Object.entries(tags)) put.run(name, k, v);
        return repo.getModel(name) as RegisteredModel;
      });
    },

    getModel(name: string): RegisteredModel | undefined {
      const row = modelRow(name);
      return row && toModels([row])[0];
    },

    renameModel(name: string, newName: string): RegisteredModel {
      checkModelName(newName, "new_name");
      return ctx.tx(() => {
        requireModel(name);
        if (newName === name) return repo.getModel(name) as RegisteredModel;
        if (modelRow(newName) !== undefined) {
          throw new AlreadyExistsError(
            `registered model '${name}' cannot be renamed to '${newName}': a registered model has that name; choose another name or delete that model first`,
          );
        }
        // ON UPDATE CASCADE carries versions, tags, aliases and alias history.
        ctx.stmt("UPDATE registered_models SET name = ?, updated_at = ? WHERE name = ?").run(newName, Date.now(), name);
        return repo.getModel(newName) as RegisteredModel;
      });
    },

    updateModel(name: string, patch: { description?: string }): RegisteredModel {
      return ctx.tx(() => {
        requireModel(name);
        if (patch.description !== undefined) {
          if (typeof patch.description !== "string") {
            throw new InvalidInputError(`registered model '${name}': description must be a string`);
          }
          ctx
            .stmt("UPDATE registered_models SET description = ?, updated_at = ? WHERE name = ?")
            .run(patch.description, Date.now(), name);
        }
        return repo.getModel(name) as RegisteredModel;
      });
    },

    deleteModel(name: string): void {
      ctx.tx(() => {
        requireModel(name);
        ctx.stmt("DELETE FROM registered_models WHERE name = ?").run(name);
      });
    },

    setModelTag(name: string, key: string, value: string): void {
      checkTag(`registered model '${name}'`, key, value);
      ctx.tx(() => {
        requireModel(name);
        ctx
          .stmt(
            "INSERT INTO registered_model_tags (name, key, value) VALUES (?, ?, ?) ON CONFLICT (name, key) DO UPDATE SET value = excluded.value",
          )
          .run(name, key, value);
      });
    },

    deleteModelTag(name: string, key: string): void {
      ctx.tx(() => {
        requireModel(name);
        // As in MLflow, deleting a tag that is not set does nothing.
        ctx.stmt("DELETE FROM registered_model_tags WHERE name = ? AND key = ?").run(name, key);
      });
    },

    searchModels(query?: RegistrySearch): RegistryPage<RegisteredModel> {
      return search("models", query, (rows: ModelRow[]) => toModels(rows));
    },

    createVersion(input: ModelVersionInput): ModelVersion {
      const name = input?.name;
      if (typeof name !== "string" || name === "") {
        throw new InvalidInputError("model version: name (the registered model) is required");
      }
      const where = `model '${name}' version`;
      const tags = input.tags ?? {};
      for (const [k, v] of Object.entries(tags)) checkTag(where, k, v);
      const status = input.status ?? "PENDING_REGISTRATION";
      checkStatus(where, status);
      checkVersionShapes(where, input);
      const at = input.createdAt ?? Date.now();
      return ctx.tx(() => {
        const model = requireModel(name);
        const version = model.last_version + 1;
        ctx
          .stmt("UPDATE registered_models SET last_version = ?, updated_at = max(updated_at, ?) WHERE name = ?")
          .run(version, at, name);
        const row = encodeRow(MODEL_VERSIONS_TABLE, {
          name,
          version,
          description: input.description ?? "",
          source: input.source ?? "",
          digest: input.digest,
          format: input.format,
          signature: input.signature,
          runId: input.runId,
          runLink: input.runLink,
          taskId: input.taskId,
          taskName: input.taskName,
          pipelineVersionId: input.pipelineVersionId,
          datasets: input.datasets ?? [],
          metrics: input.metrics ?? {},
          status,
          statusMessage: input.statusMessage,
          currentStage: "None",
          userId: input.userId,
          createdAt: at,
          updatedAt: at,
        });
        ctx.stmt(INSERT_VERSION).run(row);
        const put = ctx.stmt("INSERT INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, ?)");
        for (const [k, v] of Object.entries(tags)) put.run(name, version, k, v);
        return repo.getVersion(name, version) as ModelVersion;
      });
    },

    getVersion(name: string, version: number): ModelVersion | undefined {
      const row = versionRow(name, version);
      return row && toVersions([row])[0];
    },

    updateVersion(name: string, version: number, patch: ModelVersionPatch): ModelVersion {
      if (patch.status !== undefined) checkStatus(`model '${name}' version ${version}`, patch.status);
      checkVersionShapes(`model '${name}' version ${version}`, patch);
      return ctx.tx(() => {
        requireVersion(name, version);
        const set = encodePatch(MODEL_VERSIONS_TABLE, {
          description: patch.description,
          status: patch.status,
          statusMessage: patch.statusMessage,
          digest: patch.digest,
          format: patch.format,
          signature: patch.signature,
          datasets: patch.datasets,
          metrics: patch.metrics,
          taskId: patch.taskId,
          taskName: patch.taskName,
          pipelineVersionId: patch.pipelineVersionId,
        });
        const columns = Object.keys(set);
        if (columns.length > 0) {
          const at = Date.now();
          ctx
            .stmt(
              `UPDATE model_versions SET ${columns.map((c) => `${c} = @${c}`).join(", ")}, updated_at = @at WHERE name = @name AND version = @version`,
            )
            .run({ ...set, at, name, version });
        }
        return repo.getVersion(name, version) as ModelVersion;
      });
    },

    deleteVersion(name: string, version: number): void {
      ctx.tx(() => {
        requireVersion(name, version);
        const aliases = ctx
          .stmt("SELECT alias FROM registered_model_aliases WHERE name = ? AND version = ? ORDER BY alias")
          .all(name, version) as { alias: string }[];
        // The aliases go with the version (ON DELETE CASCADE); their history records it.
        for (const a of aliases) recordMove(name, a.alias, version, null, undefined);
        ctx.stmt("DELETE FROM model_versions WHERE name = ? AND version = ?").run(name, version);
        touchModel(name, Date.now());
      });
    },

    setVersionTag(name: string, version: number, key: string, value: string): void {
      checkTag(`model '${name}' version ${version}`, key, value);
      ctx.tx(() => {
        requireVersion(name, version);
        ctx
          .stmt(
            "INSERT INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, ?) ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value",
          )
          .run(name, version, key, value);
      });
    },

    deleteVersionTag(name: string, version: number, key: string): void {
      ctx.tx(() => {
        requireVersion(name, version);
        ctx.stmt("DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?").run(name, version, key);
      });
    },

    searchVersions(query?: RegistrySearch): RegistryPage<ModelVersion> {
      return search("versions", query, (rows: VersionRow[]) => toVersions(rows));
    },

    latestVersions(name: string, stages?: readonly string[]): ModelVersion[] {
      const wanted = stages === undefined || stages.length === 0 ? [...MODEL_STAGES] : stages.map(canonicalStage);
      requireModel(name);
      const rows = ctx
        .stmt(
          "SELECT v.* FROM model_versions v JOIN (SELECT current_stage, max(version) AS version FROM model_versions WHERE name = ? GROUP BY current_stage) l ON v.current_stage = l.current_stage AND v.version = l.version WHERE v.name = ?",
        )
        .all(name, name) as VersionRow[];
      const byStage = new Map(rows.map((r) => [r.current_stage, r]));
      const picked = MODEL_STAGES.filter((s) => wanted.includes(s)).flatMap((s) => byStage.get(s) ?? []);
      return toVersions(picked);
    },

    transitionStage(name: string, version: number, stage: string, options?: StageTransitionOptions): ModelVersion {
      const target = canonicalStage(stage);
      if (options?.archiveExistingVersions === true && target !== "Staging" && target !== "Production") {
        throw new InvalidInputError(
          `model '${name}' version ${version}: archive_existing_versions applies only to a transition to Staging or Production, not '${target}'; leave it false`,
        );
      }
      return ctx.tx(() => {
        requireVersion(name, version);
        const at = Date.now();
        ctx
          .stmt("UPDATE model_versions SET current_stage = ?, updated_at = ? WHERE name = ? AND version = ?")
          .run(target, at, name, version);
        if (options?.archiveExistingVersions === true) {
          ctx
            .stmt(
              "UPDATE model_versions SET current_stage = 'Archived', updated_at = ? WHERE name = ? AND current_stage = ? AND version != ?",
            )
            .run(at, name, target, version);
        }
        touchModel(name, at);
        return repo.getVersion(name, version) as ModelVersion;
      });
    },

    setAlias(name: string, alias: string, version: number, movedBy?: string): void {
      checkAliasName(alias);
      ctx.tx(() => {
        requireVersion(name, version);
        const current = ctx
          .stmt("SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?")
          .get(name, alias) as { version: number } | undefined;
        if (current?.version === version) return;
        ctx
          .stmt(
            "INSERT INTO registered_model_aliases (name, alias, version) VALUES (?, ?, ?) ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version",
          )
          .run(name, alias, version);
        recordMove(name, alias, current?.version ?? null, version, movedBy);
      });
    },

    deleteAlias(name: string, alias: string, movedBy?: string): void {
      ctx.tx(() => {
        requireModel(name);
        const current = ctx
          .stmt("SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?")
          .get(name, alias) as { version: number } | undefined;
        if (current === undefined) return;
        ctx.stmt("DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?").run(name, alias);
        recordMove(name, alias, current.version, null, movedBy);
      });
    },

    getByAlias(name: string, alias: string): ModelVersion {
      const row = ctx
        .stmt(
          "SELECT v.* FROM registered_model_aliases a JOIN model_versions v ON v.name = a.name AND v.version = a.version WHERE a.name = ? AND a.alias = ?",
        )
        .get(name, alias) as VersionRow | undefined;
      if (row === undefined) {
        requireModel(name);
        throw notFound(
          "model alias",
          alias,
          `registered model '${name}' has no alias '${alias}'; set it first (weft models alias) or check its name`,
        );
      }
      return toVersions([row])[0] as ModelVersion;
    },

    aliasHistory(name: string, alias?: string): AliasMove[] {
      requireModel(name);
      const rows = (
        alias === undefined
          ? ctx.stmt("SELECT * FROM model_alias_history WHERE name = ? ORDER BY seq").all(name)
          : ctx.stmt("SELECT * FROM model_alias_history WHERE name = ? AND alias = ? ORDER BY seq").all(name, alias)
      ) as {
        seq: number;
        name: string;
        alias: string;
        from_version: number | null;
        to_version: number | null;
        moved_by: string | null;
        moved_at: number;
      }[];
      return rows.map((r) => {
        const move: AliasMove = {
          seq: r.seq,
          name: r.name,
          alias: r.alias,
          fromVersion: r.from_version,
          toVersion: r.to_version,
          movedAt: r.moved_at,
        };
        if (r.moved_by !== null) move.movedBy = r.moved_by;
        return move;
      });
    },

    versionsOfRun(runId: string): ModelVersion[] {
      const rows = ctx
        .stmt("SELECT * FROM model_versions WHERE run_id = ? ORDER BY name, version")
        .all(runId) as VersionRow[];
      return toVersions(rows);
    },
  };
  return repo;
}

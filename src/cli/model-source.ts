/**
 * What `weft models ...` shows and changes, independent of where the registry is: a
 * {@link ModelSource} reads and moves models in the local store
 * (`commands/models-store.ts`) or on a server through the typed client
 * (`remote/models.ts`), and one presentation (`model-views.ts`) prints the same tables,
 * the same JSON and the same errors for both.
 */
import { type ModelUri, parseModelUri } from "../registry/index.ts";
import { CliError } from "./errors.ts";

/** One input or output of a model's signature. */
export interface TensorSpecView {
  name: string;
  dtype?: string;
  shape?: (number | string | null)[];
}

/** A dataset a version was trained on (the producing task's upstream Dataset artifacts). */
export interface DatasetView {
  name?: string;
  uri?: string;
  digest?: string;
  task?: string;
}

/** A registered model, as `models list` and `models get NAME` show it. */
export interface ModelView {
  name: string;
  description?: string;
  tags: Record<string, string>;
  /** The highest version number, when the model has versions. */
  latestVersion?: number;
  /** Alias to version. */
  aliases: Record<string, number>;
  createdAt?: number;
  updatedAt?: number;
}

/** A model version with what Weft recorded of it. */
export interface ModelVersionView {
  name: string;
  version: number;
  status: string;
  statusMessage?: string;
  stage: string;
  aliases: string[];
  description?: string;
  tags: Record<string, string>;
  /** The artifact URI as recorded. */
  source?: string;
  /** `sha256:...` of the artifact, as the engine digests it. */
  digest?: string;
  format?: string;
  signature?: { inputs: TensorSpecView[]; outputs: TensorSpecView[] };
  runId?: string;
  /** The run's display name, when the run is known. */
  runName?: string;
  taskId?: string;
  taskName?: string;
  pipelineVersionId?: string;
  datasets: DatasetView[];
  metrics: Record<string, number>;
  userId?: string;
  createdAt?: number;
  updatedAt?: number;
}

/** One move of an alias: `from` undefined when it was first set, `to` undefined when deleted. */
export interface AliasMoveView {
  alias: string;
  from?: number;
  to?: number;
  by?: string;
  at?: number;
}

/** A page of models, in name order. */
export interface ModelListPage {
  items: ModelView[];
  /** More models follow this page. */
  more: boolean;
}

/** What a download wrote. */
export interface DownloadResult {
  /** The absolute path written. */
  path: string;
  kind: "file" | "directory";
  /** The digest of what was written, equal to the recorded one when it was checked. */
  digest: string;
  /** False when the version has no recorded digest to check against. */
  checked: boolean;
}

/** Where the registry is: the local store or a server. */
export interface ModelSource {
  /** Where the models are, for messages: `in <home>` or `on <url>`. */
  readonly where: string;
  /** The `weft` command prefix that reaches the same registry (`weft` or `weft --host URL`). */
  readonly prefix: string;
  /**
   * Models in name order; `filter` in MLflow's grammar (`name LIKE '%fraud%'`, `tags.k = 'v'`).
   *
   * @throws CliError `BAD_OPTION` for a filter the registry refuses
   */
  listModels(request: { filter?: string; limit: number }): Promise<ModelListPage>;
  /** @throws CliError `MODEL_NOT_FOUND` */
  getModel(name: string): Promise<ModelView>;
  /**
   * The version a model URI (`models:/name/3`, `models:/name@alias`,
   * `models:/name/Stage`, `models:/name/latest`) names.
   *
   * @throws CliError `MODEL_NOT_FOUND`, `MODEL_VERSION_NOT_FOUND`, `BAD_MODEL_URI`
   */
  resolveVersion(uri: string): Promise<ModelVersionView>;
  /**
   * The versions of a model, newest first; `filter` narrows them in MLflow's grammar
   * (`run_id = '...'`, `tags.k = 'v'`), the model's name already fixed.
   *
   * @throws CliError `MODEL_NOT_FOUND`
   */
  listVersions(name: string, request: { filter?: string }): Promise<ModelVersionView[]>;
  /** Points `alias` at `version`; returns the move made. */
  setAlias(name: string, alias: string, version: number): Promise<AliasMoveView>;
  /** Removes `alias`; returns the move made. @throws CliError `MODEL_ALIAS_NOT_FOUND` */
  deleteAlias(name: string, alias: string): Promise<AliasMoveView>;
  /** The moves of the model's aliases, oldest first. */
  aliasHistory(name: string, alias?: string): Promise<AliasMoveView[]>;
  /**
   * Moves a version to a stage (`None`, `Staging`, `Production`, `Archived`); with
   * `archiveExisting`, the other versions in that stage go to `Archived`.
   */
  transitionStage(name: string, version: number, stage: string, archiveExisting: boolean): Promise<ModelVersionView>;
  /**
   * Copies the version's artifact to `dest` (a path that must not exist unless `force`)
   * and checks the digest of the copy against the recorded one.
   *
   * @throws CliError `MODEL_DIGEST_MISMATCH` (what was written is removed), `OUTPUT_EXISTS`
   */
  download(version: ModelVersionView, dest: string, opts: { force?: boolean }): Promise<DownloadResult>;
}

/** MLflow's stages, spelled as MLflow spells them. */
export const MODEL_STAGES = ["None", "Staging", "Production", "Archived"] as const;

/** The error for a model name that is not registered. */
export function modelNotFound(source: Pick<ModelSource, "where" | "prefix">, name: string): CliError {
  return new CliError(
    "MODEL_NOT_FOUND",
    `no registered model "${name}" ${source.where}; list the models with: ${source.prefix} models list`,
  );
}

/** The error for a version a model does not have. */
export function versionNotFound(source: Pick<ModelSource, "where" | "prefix">, name: string, what: string): CliError {
  return new CliError(
    "MODEL_VERSION_NOT_FOUND",
    `model "${name}" has no ${what} ${source.where}; list its versions with: ${source.prefix} models versions ${quoteArg(name)}`,
  );
}

/** The error for an alias a model does not have. */
export function aliasNotFound(source: Pick<ModelSource, "where" | "prefix">, name: string, alias: string): CliError {
  return new CliError(
    "MODEL_ALIAS_NOT_FOUND",
    `model "${name}" has no alias "${alias}" ${source.where}; see its aliases with: ${source.prefix} models get ${quoteArg(name)}, or set it with: ${source.prefix} models alias ${quoteArg(name)} ${quoteArg(alias)} VERSION`,
  );
}

/** `text` as a shell word (quoted when it holds anything but plain characters). */
export function quoteArg(text: string): string {
  return /^[\w.@:/%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** What a model URI names. */
export type ModelRef =
  | { name: string; kind: "version"; version: number }
  | { name: string; kind: "alias"; alias: string }
  | { name: string; kind: "stage"; stage: string }
  | { name: string; kind: "latest" };

/**
 * A model URI: `models:/name/3`, `models:/name@champion`, `models:/name/Production` (any
 * of MLflow's stages, any case) or `models:/name/latest`, read by the registry's
 * `parseModelUri` as everywhere a model URI is taken.
 *
 * @throws CliError `BAD_MODEL_URI` naming the URI and the forms it may take
 */
export function parseModelRef(uri: string): ModelRef {
  let parsed: ModelUri;
  try {
    parsed = parseModelUri(uri);
  } catch (err) {
    throw new CliError("BAD_MODEL_URI", (err as Error).message, { cause: err });
  }
  const { name } = parsed;
  if ("version" in parsed) return { name, kind: "version", version: parsed.version };
  if ("alias" in parsed) return { name, kind: "alias", alias: parsed.alias };
  if ("stage" in parsed) return { name, kind: "stage", stage: parsed.stage };
  return { name, kind: "latest" };
}

/** A string literal of MLflow's filter grammar (a quote inside is doubled). */
export function filterLiteral(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** The URI of one version. */
export function versionUri(name: string, version: number): string {
  return `models:/${name}/${version}`;
}

/** How a reference reads in messages: `version 3`, `alias "champion"`, `a version in stage Production`. */
export function describeRef(ref: ModelRef): string {
  switch (ref.kind) {
    case "version":
      return `version ${ref.version}`;
    case "alias":
      return `alias "${ref.alias}"`;
    case "stage":
      return `version in stage ${ref.stage}`;
    case "latest":
      return "versions";
  }
}

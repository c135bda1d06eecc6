/**
 * Where served models come from: a registry URI (`models:/NAME@ALIAS`, `/VERSION`,
 * `/STAGE`, `/latest`), a model file (an ONNX `.onnx`, a TensorFlow.js `model.json`, or a
 * folder holding one), or a Triton model repository folder (`<model>/config.pbtxt`,
 * `<model>/<version>/model.onnx`). Each becomes a {@link ModelSource}: the versions it has,
 * their files and configurations, and its version policy. The service loads what a source
 * serves and asks it again on `load`, when an alias moves, or for a version by number.
 */
import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { type ModelUri, parseModelUri, resolveModelUri } from "../registry/index.ts";
import { locateSource } from "../registry/lineage.ts";
import {
  InvalidInputError,
  type ModelVersion,
  NotFoundError,
  openStore,
  resolveHome,
  type Store,
} from "../store/index.ts";
import { ServingError } from "./errors.ts";
import type { PartialModelConfig } from "./pbtxt.ts";
import { inspectModel } from "./runtime/index.ts";
import {
  CONFIG_FILE,
  checkModelName,
  checkServedName,
  defaultModelName,
  isVersionFolder,
  listRepositoryModels,
  modelFileNames,
  readModelFolder,
  realInside,
  type TritonModelFolder,
} from "./triton-repo.ts";
import type { ModelConfig, TensorSpec, VersionPolicy } from "./types.ts";

/** What to serve, as `weft serve` and the repository extension's `load` name it. */
export interface SourceSpec {
  /**
   * A `models:/` URI; a model file (`.onnx`, a tfjs `model.json`, or a folder with one
   * `.onnx` or a `model.json`, or a Triton model folder with `config.pbtxt`); or, with
   * `repository`, a Triton model repository folder.
   */
  source: string;
  /**
   * The name the model is served under. Files: default the file's stem (`fraud.onnx` →
   * `fraud`; a `model.json` or `model.onnx`: its folder's name). URIs: default the
   * registered model's name. Not allowed with `repository` (the folders name the models).
   */
  name?: string;
  /** `source` is a Triton model repository: every model folder in it is a source. */
  repository?: boolean;
  /** With `repository`: only these models (default: all of them). */
  models?: string[];
}

/** One version a source can serve: its number, the model file and its configuration. */
export interface ModelVersionSource {
  /** The version as responses name it: the registry version number, or the version folder's number. */
  version: string;
  /** The model file to load (an `.onnx` file or a tfjs `model.json`), absolute. */
  file: string;
  /** The configuration of this version (its `name` is the served model name). */
  config: ModelConfig;
  /** Registry versions: the aliases pointing at it when it was read. */
  aliases?: string[];
}

/** Where a model is read from. */
export type SourceKind = "registry" | "file" | "repository";

/** A model the server can serve, and every version of it that its origin holds. */
export interface ModelSource {
  /** The served model name. */
  readonly name: string;
  readonly kind: SourceKind;
  /** What the user named: the URI, the file, or the repository folder and model (for messages). */
  readonly origin: string;
  /** The version policy the server applies (a URI's version, alias or stage is a `specific` policy). */
  readonly policy: VersionPolicy;
  /** Registry URIs with an alias (`models:/NAME@ALIAS`): the alias the primary follows. */
  readonly alias?: string;
  /** Every version the origin holds now, oldest first (read again on each call). */
  versions(): Promise<ModelVersionSource[]>;
  /**
   * The versions to serve now: the policy applied to {@link versions} (for a URI with an
   * alias, stage or `latest`: the one version it stands for now), oldest first. Throws
   * `ServingError` NOT_FOUND when none is there, MODEL_INVALID when a file cannot be served.
   */
  served(): Promise<ModelVersionSource[]>;
  /** One version by its number; throws `ServingError` NOT_FOUND naming the model and version. */
  version(version: string): Promise<ModelVersionSource>;
  /**
   * Registry sources: the version an alias of this model points at now (undefined when the
   * alias is not set). Other sources: undefined. Cheap enough to poll.
   */
  resolveAlias(alias: string): string | undefined;
  /** Releases what the source holds (the store it opened). */
  close(): void;
}

/** The runtime's reading of a model file's inputs and outputs (`runtime.inspectModel`). */
export type InspectModel = (
  file: string,
) => Promise<{ platform: ModelConfig["platform"]; inputs: TensorSpec[]; outputs: TensorSpec[] }>;

/** Options of {@link resolveSources}. */
export interface ResolveOptions {
  /** Weft's home (for `models:/` URIs); default `resolveHome().home`. */
  home?: string;
  /** An open store to read the registry from (left open); default: opened from `home` when a URI needs it. */
  store?: Store;
  /** Reads a model file's inputs and outputs (default: the runtime's `inspectModel`, remembered per file). */
  inspect?: InspectModel;
}

// ---------------------------------------------------------------------------------------

/** The batch size a model file without a `config.pbtxt` serves with, when its first dimensions are free. */
export const DEFAULT_MAX_BATCH_SIZE = 64;

/** Inspections by file, while the file's size and modification time stay (tfjs inspection loads the model). */
const inspected = new Map<string, { stamp: string; result: ReturnType<InspectModel> }>();

/** The runtime's `inspectModel`, remembered per file until the file changes. */
function inspectCached(file: string): ReturnType<InspectModel> {
  const st = statSync(file);
  const stamp = `${st.size}:${st.mtimeMs}`;
  const hit = inspected.get(file);
  if (hit && hit.stamp === stamp) return hit.result;
  const result = inspectModel(file);
  inspected.set(file, { stamp, result });
  result.catch(() => inspected.delete(file));
  if (inspected.size > 1000) inspected.delete(inspected.keys().next().value!);
  return result;
}

function describeShape(shape: number[]): string {
  return `[${shape.join(", ")}]`;
}

/**
 * A version's configuration: what `config.pbtxt` says (if there is one), the rest from the
 * model file, as Triton's auto-complete does. Without a config, a model whose every input
 * and output has a free first dimension batches (up to {@link DEFAULT_MAX_BATCH_SIZE} rows,
 * dynamic batching with no added delay). The config's inputs and outputs must match the
 * file's (names, datatypes, dimensions); the error names the file, the tensor and both shapes.
 */
export async function completeConfig(
  name: string,
  file: string,
  partial: PartialModelConfig | undefined,
  configFile: string | undefined,
  inspect: InspectModel = inspectCached,
): Promise<ModelConfig> {
  const model = await inspect(file);
  const where = configFile ?? file;
  if (partial?.platform !== undefined && partial.platform !== model.platform) {
    throw new ServingError(
      "MODEL_INVALID",
      `${where}: platform ${partial.platform} does not match the model file ${file} (${model.platform}); fix the platform`,
    );
  }
  const all = [...model.inputs, ...model.outputs];
  const freeBatch = all.length > 0 && all.every((t) => t.shape.length > 0 && t.shape[0] === -1);
  const maxBatchSize = partial?.maxBatchSize ?? (freeBatch ? DEFAULT_MAX_BATCH_SIZE : 0);
  const batched = maxBatchSize > 0;
  const strip = (t: TensorSpec): TensorSpec => ({ ...t, shape: batched ? t.shape.slice(1) : t.shape });
  if (batched) {
    for (const t of all) {
      if (t.shape.length === 0 || t.shape[0] !== -1) {
        throw new ServingError(
          "MODEL_INVALID",
          `${where}: max_batch_size ${maxBatchSize} needs a free first dimension on every input and output, but '${t.name}' of ${file} has shape ${describeShape(t.shape)}; set max_batch_size: 0`,
        );
      }
    }
  }
  const check = (given: TensorSpec[] | undefined, actual: TensorSpec[], which: "input" | "output"): TensorSpec[] => {
    const fromFile = actual.map(strip);
    if (given === undefined || given.length === 0) return fromFile;
    for (const g of given) {
      const a = fromFile.find((t) => t.name === g.name);
      const names = fromFile.map((t) => t.name).join(", ");
      if (!a) {
        throw new ServingError(
          "MODEL_INVALID",
          `${where}: ${which} '${g.name}' is not an ${which} of ${file} (it has ${names || "none"}); fix the name`,
        );
      }
      if (a.datatype !== g.datatype) {
        throw new ServingError(
          "MODEL_INVALID",
          `${where}: ${which} '${g.name}' is ${g.datatype} in the config but ${a.datatype} in ${file}; fix data_type`,
        );
      }
      const fits = a.shape.length === g.shape.length && a.shape.every((d, i) => d === -1 || d === g.shape[i]);
      if (!fits) {
        throw new ServingError(
          "MODEL_INVALID",
          `${where}: ${which} '${g.name}' has dims ${describeShape(g.shape)} in the config but ${describeShape(a.shape)} in ${file}${batched ? " (after the batch dimension)" : ""}; fix dims`,
        );
      }
    }
    if (which === "input") {
      const missing = fromFile.filter((a) => !given.some((g) => g.name === a.name));
      if (missing.length > 0) {
        throw new ServingError(
          "MODEL_INVALID",
          `${where}: the model ${file} also takes ${missing.map((t) => `'${t.name}'`).join(", ")}; list every input`,
        );
      }
    }
    return given;
  };
  const config: ModelConfig = {
    name,
    platform: model.platform,
    maxBatchSize,
    inputs: check(partial?.inputs, model.inputs, "input"),
    outputs: check(partial?.outputs, model.outputs, "output"),
    versionPolicy: partial?.versionPolicy ?? { kind: "latest", numVersions: 1 },
  };
  if (partial?.dynamicBatching) config.dynamicBatching = partial.dynamicBatching;
  else if (partial?.maxBatchSize === undefined && batched) {
    config.dynamicBatching = { preferredBatchSize: [], maxQueueDelayMicroseconds: 0 };
  }
  if (partial?.instanceCount !== undefined) config.instanceCount = partial.instanceCount;
  return config;
}

/** Applies a version policy to the versions there are (ascending); `what` names the model for messages. */
export function applyVersionPolicy<T extends { version: string }>(
  policy: VersionPolicy,
  versions: T[],
  what: string,
): T[] {
  if (versions.length === 0) {
    throw new ServingError(
      "NOT_FOUND",
      `${what} has no version to serve; add a version (for a repository: <model>/1/model.onnx)`,
    );
  }
  if (policy.kind === "all") return versions;
  if (policy.kind === "latest") return versions.slice(-policy.numVersions);
  const out: T[] = [];
  for (const v of policy.versions) {
    const found = versions.find((x) => x.version === String(v));
    if (!found) {
      throw new ServingError(
        "NOT_FOUND",
        `${what} has no version ${v}, which its version_policy names (it has ${versions.map((x) => x.version).join(", ")})`,
      );
    }
    out.push(found);
  }
  return out.sort((a, b) => Number(a.version) - Number(b.version));
}

/** Where a model file lies: the file to load and the Triton config beside it, if any. */
interface LocatedModel {
  file: string;
  partial?: PartialModelConfig;
  configFile?: string;
  /** The model folder's name, when the path was a Triton model folder or a one-model repository. */
  folderName?: string;
}

/**
 * The model at `path`: an `.onnx` file, a tfjs `model.json`, a folder with one `.onnx` or a
 * `model.json`, a Triton model folder (its highest version, or `version`), or a Triton
 * repository holding one model folder. `format` (the registry's) decides for a file with
 * another name. Throws `ServingError` naming `what` and the path.
 */
function locateModel(path: string, what: string, format?: string, root: string = path): LocatedModel {
  const real = (file: string): string => (root === path && file === path ? realpathSync(file) : realInside(root, file));
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch {
    throw new ServingError(
      "NOT_FOUND",
      `${what}: ${path} does not exist; check the path (or the registered version's source)`,
    );
  }
  if (st.isFile()) return { file: real(path) };
  if (!st.isDirectory()) throw new ServingError("MODEL_INVALID", `${what}: ${path} is neither a file nor a folder`);
  if (existsSync(join(path, CONFIG_FILE)) || readdirSync(path).some(isVersionFolder)) {
    const folder = readModelFolder(path, root);
    const last = folder.versions[folder.versions.length - 1];
    if (!last) {
      throw new ServingError(
        "NOT_FOUND",
        `${what}: the Triton model folder ${path} has no version folder with a model file; add ${join(path, "1", "model.onnx")}`,
      );
    }
    return {
      file: last.file,
      ...(folder.config ? { partial: folder.config } : {}),
      ...(folder.configFile ? { configFile: folder.configFile } : {}),
      folderName: basename(resolve(path)),
    };
  }
  const names = readdirSync(path).sort();
  const onnx = names.filter((n) => n.toLowerCase().endsWith(".onnx"));
  if (onnx.length === 1) return { file: real(join(path, onnx[0]!)) };
  if (names.includes("model.json") && (format === undefined || format.startsWith("tfjs") || onnx.length === 0)) {
    return { file: real(join(path, "model.json")) };
  }
  const models = names.filter((n) => existsSync(join(path, n, CONFIG_FILE)));
  if (models.length === 1) return locateModel(join(path, models[0]!), what, format, root);
  const why =
    models.length > 1
      ? `holds a Triton repository with models ${models.join(", ")}; serve it with --repository, or name one model's folder`
      : onnx.length > 1
        ? `holds ${onnx.length} .onnx files (${onnx.join(", ")}); name one of them`
        : "holds no .onnx file, model.json or Triton model folder";
  throw new ServingError("MODEL_INVALID", `${what}: ${path} ${why}`);
}

/** One open store shared by the registry sources of one {@link resolveSources} call; closed with the last of them when it opened it. */
class StoreHandle {
  private refs = 0;
  constructor(
    readonly store: Store,
    private readonly owned: boolean,
  ) {}
  acquire(): Store {
    this.refs++;
    return this.store;
  }
  release(): void {
    if (--this.refs === 0 && this.owned) this.store.close();
  }
}

/** A model file (or a folder holding one) served as version 1. */
class FileSource implements ModelSource {
  readonly kind = "file";
  readonly policy: VersionPolicy = { kind: "specific", versions: [1] };
  constructor(
    readonly name: string,
    readonly origin: string,
    private readonly inspect: InspectModel | undefined,
  ) {}
  async versions(): Promise<ModelVersionSource[]> {
    const loc = locateModel(this.origin, `model '${this.name}'`);
    const config = await completeConfig(this.name, loc.file, loc.partial, loc.configFile, this.inspect);
    config.versionPolicy = this.policy;
    return [{ version: "1", file: loc.file, config }];
  }
  served(): Promise<ModelVersionSource[]> {
    return this.versions();
  }
  async version(version: string): Promise<ModelVersionSource> {
    if (version !== "1") {
      throw new ServingError("NOT_FOUND", `model '${this.name}' (${this.origin}) has only version 1, not ${version}`);
    }
    return (await this.versions())[0]!;
  }
  resolveAlias(): string | undefined {
    return undefined;
  }
  close(): void {}
}

/** A model folder of a Triton repository (or a model folder named on its own). */
class RepositoryModelSource implements ModelSource {
  readonly kind = "repository";
  policy: VersionPolicy;
  private readonly dir: string;
  constructor(
    readonly name: string,
    /** The folder no file may lead outside of. */
    private readonly root: string,
    dir: string,
    private readonly inspect: InspectModel | undefined,
  ) {
    this.dir = resolve(dir);
    realInside(root, this.dir);
    this.policy = { kind: "latest", numVersions: 1 };
    try {
      this.policy = this.read().config?.versionPolicy ?? this.policy;
    } catch {
      // A model that cannot be read is still a source: asking it for versions says why.
    }
  }
  get origin(): string {
    return this.dir;
  }
  private read(): TritonModelFolder {
    if (!existsSync(this.dir)) {
      throw new ServingError("NOT_FOUND", `model '${this.name}': its folder ${this.dir} is gone from the repository`);
    }
    const folder = readModelFolder(this.dir, this.root);
    const declared = folder.config?.name;
    if (declared !== undefined && declared !== basename(this.dir)) {
      throw new ServingError(
        "MODEL_INVALID",
        `${folder.configFile}: name '${declared}' differs from the model folder's name '${basename(this.dir)}'; Triton requires them to match, so rename one`,
      );
    }
    return folder;
  }
  async versions(): Promise<ModelVersionSource[]> {
    const folder = this.read();
    this.policy = folder.config?.versionPolicy ?? { kind: "latest", numVersions: 1 };
    const out: ModelVersionSource[] = [];
    for (const v of folder.versions) {
      const config = await completeConfig(this.name, v.file, folder.config, folder.configFile, this.inspect);
      out.push({ version: v.version, file: v.file, config });
    }
    return out;
  }
  async served(): Promise<ModelVersionSource[]> {
    const all = await this.versions();
    if (all.length === 0) {
      const names = modelFileNames(this.read().config).join(" or ");
      throw new ServingError(
        "NOT_FOUND",
        `model '${this.name}' has no version to serve: no numbered folder of ${this.dir} holds ${names}; add ${join(this.dir, "1", names.split(" ")[0]!)}`,
      );
    }
    return applyVersionPolicy(this.policy, all, `model '${this.name}' (${this.dir})`);
  }
  async version(version: string): Promise<ModelVersionSource> {
    const all = await this.versions();
    const found = all.find((v) => v.version === version);
    if (!found) {
      throw new ServingError(
        "NOT_FOUND",
        `model '${this.name}' has no version ${version} in ${this.dir} (it has ${all.map((v) => v.version).join(", ") || "none"})`,
      );
    }
    return found;
  }
  resolveAlias(): string | undefined {
    return undefined;
  }
  close(): void {}
}

/** A registered model, by `models:/` URI. */
class RegistrySource implements ModelSource {
  readonly kind = "registry";
  readonly alias?: string;
  private readonly store: Store;
  private closed = false;
  constructor(
    readonly name: string,
    private readonly uri: ModelUri,
    private readonly handle: StoreHandle,
    private readonly inspect: InspectModel | undefined,
  ) {
    this.store = handle.acquire();
    if ("alias" in uri) this.alias = uri.alias;
  }
  get origin(): string {
    return this.uri.uri;
  }
  /** The version the URI stands for now (`specific` with none when it stands for nothing). */
  get policy(): VersionPolicy {
    if ("version" in this.uri) return { kind: "specific", versions: [this.uri.version] };
    try {
      return { kind: "specific", versions: [resolveModelUri(this.store, this.uri.uri).version] };
    } catch {
      return { kind: "specific", versions: [] };
    }
  }
  private async fromRecord(mv: ModelVersion): Promise<ModelVersionSource> {
    const what = `version ${mv.version} of registered model '${mv.name}'`;
    if (mv.status !== "READY") {
      throw new ServingError(
        "UNAVAILABLE",
        `${what} is ${mv.status}${mv.statusMessage ? ` (${mv.statusMessage})` : ""}; serve a READY version`,
      );
    }
    const path = locateSource(this.store, mv.source).path;
    if (path === undefined) {
      throw new ServingError(
        "MODEL_INVALID",
        `${what} has source '${mv.source}', which is not a local file; register the model file Weft wrote (a file:// artifact)`,
      );
    }
    const loc = locateModel(path, what, mv.format);
    const config = await completeConfig(this.name, loc.file, loc.partial, loc.configFile, this.inspect);
    config.versionPolicy = { kind: "specific", versions: [mv.version] };
    return { version: String(mv.version), file: loc.file, config, aliases: mv.aliases };
  }
  /** Throws `ServingError` NOT_FOUND unless the URI stands for a version now. */
  check(): ModelVersion {
    try {
      return resolveModelUri(this.store, this.uri.uri);
    } catch (err) {
      this.notFound(err);
    }
  }
  private notFound(err: unknown): never {
    if (err instanceof NotFoundError || err instanceof InvalidInputError) {
      throw new ServingError(err instanceof NotFoundError ? "NOT_FOUND" : "INVALID_ARGUMENT", err.message, {
        cause: err,
      });
    }
    throw err;
  }
  private records(): ModelVersion[] {
    const out: ModelVersion[] = [];
    // The registry's filter grammar doubles a quote inside quotes.
    const filter = `name = '${this.uri.name.replace(/'/g, "''")}'`;
    let pageToken: string | undefined;
    do {
      const page = this.store.models.searchVersions({ filter, maxResults: 1000, ...(pageToken ? { pageToken } : {}) });
      out.push(...page.items.filter((v) => v.name === this.uri.name));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return out.sort((a, b) => a.version - b.version);
  }
  async versions(): Promise<ModelVersionSource[]> {
    const out: ModelVersionSource[] = [];
    for (const mv of this.records()) {
      if (mv.status !== "READY") continue;
      try {
        out.push(await this.fromRecord(mv));
      } catch (err) {
        // A version whose file is gone or cannot be served is not offered; asking for it says why.
        if (!(err instanceof ServingError)) throw err;
      }
    }
    return out;
  }
  async served(): Promise<ModelVersionSource[]> {
    return [await this.fromRecord(this.check())];
  }
  async version(version: string): Promise<ModelVersionSource> {
    const n = Number(version);
    const mv = /^[1-9][0-9]*$/.test(version) ? this.store.models.getVersion(this.uri.name, n) : undefined;
    if (!mv) {
      throw new ServingError(
        "NOT_FOUND",
        `registered model '${this.uri.name}' has no version ${version}; see weft models versions ${this.uri.name}`,
      );
    }
    return this.fromRecord(mv);
  }
  resolveAlias(alias: string): string | undefined {
    try {
      return String(this.store.models.getByAlias(this.uri.name, alias).version);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handle.release();
  }
}

/** Whether a folder is a Triton model folder (a `config.pbtxt` or numbered version folders). */
function isModelFolder(dir: string): boolean {
  return existsSync(join(dir, CONFIG_FILE)) || readdirSync(dir).some(isVersionFolder);
}

/**
 * The sources the specs name, in order (a repository gives one per model folder, by
 * name). Registry URIs are resolved now (an unknown model, version or alias fails here);
 * files and configurations are read when the service asks a source for its versions.
 * Throws `ServingError`: INVALID_ARGUMENT for a malformed spec or two sources serving one
 * name, NOT_FOUND for what does not exist, MODEL_INVALID for what cannot be served.
 */
export async function resolveSources(specs: SourceSpec[], options: ResolveOptions = {}): Promise<ModelSource[]> {
  const out: ModelSource[] = [];
  let handle: StoreHandle | undefined;
  const storeHandle = (): StoreHandle => {
    if (!handle) handle = options.store ? new StoreHandle(options.store, false) : undefined;
    if (!handle) {
      const home = options.home ?? resolveHome().home;
      if (!existsSync(home)) {
        throw new ServingError(
          "NOT_FOUND",
          `Weft's home ${home} does not exist, so it has no registered models; set WEFT_HOME, or serve a model file`,
        );
      }
      handle = new StoreHandle(openStore(home), true);
    }
    return handle;
  };
  try {
    for (const spec of specs) {
      const src = spec.source;
      if (typeof src !== "string" || src === "") {
        throw new ServingError(
          "INVALID_ARGUMENT",
          "a model source is empty; give a models:/ URI, a model file or a folder",
        );
      }
      if (spec.name !== undefined) checkServedName(spec.name, src);
      if (src.startsWith("models:")) {
        if (spec.repository) {
          throw new ServingError(
            "INVALID_ARGUMENT",
            `${src} is a model URI, not a repository folder; drop --repository`,
          );
        }
        let uri: ModelUri;
        try {
          uri = parseModelUri(src);
        } catch (err) {
          throw new ServingError("INVALID_ARGUMENT", (err as Error).message, { cause: err });
        }
        const source = new RegistrySource(spec.name ?? uri.name, uri, storeHandle(), options.inspect);
        out.push(source);
        source.check();
        continue;
      }
      const path = resolve(src);
      if (!existsSync(path)) {
        throw new ServingError(
          "NOT_FOUND",
          `${src} does not exist; give a models:/ URI, an .onnx file, a tfjs model.json or a model folder`,
        );
      }
      const dir = statSync(path).isDirectory();
      if (spec.repository) {
        if (!dir) throw new ServingError("INVALID_ARGUMENT", `--repository ${src} is not a folder`);
        if (spec.name !== undefined) {
          throw new ServingError("INVALID_ARGUMENT", `--repository ${src}: the folders name the models; drop --name`);
        }
        const names = listRepositoryModels(path);
        for (const model of spec.models ?? names) {
          checkModelName(model, `model repository ${src}`);
          if (!names.includes(model)) {
            throw new ServingError(
              "NOT_FOUND",
              `model repository ${src} has no model '${model}' (it has ${names.join(", ") || "none"}); add ${join(src, model, "1", "model.onnx")}`,
            );
          }
          out.push(new RepositoryModelSource(model, path, join(path, model), options.inspect));
        }
        continue;
      }
      if (dir && isModelFolder(path)) {
        out.push(new RepositoryModelSource(spec.name ?? basename(path), path, path, options.inspect));
        continue;
      }
      const loc = locateModel(path, src);
      const name = spec.name ?? loc.folderName ?? defaultModelName(loc.file);
      out.push(new FileSource(name, path, options.inspect));
    }
    const seen = new Map<string, string>();
    for (const s of out) {
      const other = seen.get(s.name);
      if (other !== undefined) {
        throw new ServingError(
          "INVALID_ARGUMENT",
          `two sources serve model '${s.name}' (${other} and ${s.origin}); give one of them another --name`,
        );
      }
      seen.set(s.name, s.origin);
    }
    return out;
  } catch (err) {
    for (const s of out) s.close();
    throw err;
  }
}

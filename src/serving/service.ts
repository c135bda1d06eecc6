/**
 * The model service every protocol adapter calls (`ModelService`): per model a table of
 * loaded versions, each a runtime backend behind its batcher. Unversioned requests go to
 * the primary version (the highest one the version policy serves, or the one a registry
 * alias points at) unless the canary split sends them to the challenger; shadow mode
 * mirrors them to the challenger after answering and records its outputs.
 *
 * Versions change without failing requests: the service loads the new version while the
 * old one serves, switches routing in one step, then drains the old version's batcher and
 * only then closes its backend. Every change of a model (start, alias move, `load`,
 * `unload`) runs in that model's queue, one at a time.
 */

import { createScheduler } from "./batcher.ts";
import { type CanarySplit, canarySplit } from "./canary.ts";
import { ServingError } from "./errors.ts";
import { type ModelSource, type ModelVersionSource, resolveSources } from "./repository.ts";
import { loadBackend } from "./runtime/index.ts";
import { compareOutputs, ShadowLog, type ShadowRecord, type ShadowSummary } from "./shadow.ts";
import type {
  Backend,
  InferOptions,
  InferRequest,
  InferResult,
  ModelConfig,
  ModelMetadata,
  ModelService,
  Parameters,
  RepositoryIndexEntry,
  Scheduler,
  ServerMetadata,
  ServingObserver,
  ServingRole,
  Tensor,
  TensorSpec,
  Transformer,
} from "./types.ts";
import { validateInferRequest } from "./wire/index.ts";

/** A second version served beside the primary: a version number or a registry alias. */
export interface TargetOption {
  model: string;
  /** `3` (a version) or `challenger` (an alias the service follows). */
  target: string;
}

/** What {@link createModelService} takes besides the sources. */
export interface ModelServiceOptions {
  observer?: ServingObserver;
  /** Send `percent` of the model's unversioned requests to the target version. */
  canary?: TargetOption & { percent: number };
  /** Mirror the model's unversioned requests to the target after answering, and record its outputs. */
  shadow?: TargetOption & {
    /** The largest absolute difference that still counts as agreeing; default 1e-6. */
    tolerance?: number;
    /** Records kept in memory; default 1000. */
    capacity?: number;
  };
  /** Re-read registry aliases every `intervalMs` and follow their moves. */
  followAliases?: { intervalMs: number };
  /** Runtime sessions (worker threads) per version; default the model's `instance_group` count, else the cores. */
  workers?: number;
  transformers?: Record<string, Transformer>;
  /**
   * Turns the `uri` parameter of a repository `load` (`models:/fraud/3`, a model file or
   * folder) into a source for the model being loaded. Default: `resolveSources` over the
   * registry in `home`; `null` refuses such loads.
   */
  resolveSource?: ((spec: string, name: string) => Promise<ModelSource>) | null;
  /** Weft's home, for the registry URIs a `load` names; default `resolveHome()`'s. */
  home?: string;
  /** The server's name and version in its metadata; default `weft`, `0`. */
  server?: { name?: string; version?: string };
}

/** The model service with what only Weft's server adds: shadow records, alias refresh and a description. */
export interface WeftModelService extends ModelService {
  /** The shadow record of a model, oldest first (empty when it has no shadow). */
  shadowRecords(name: string): ShadowRecord[];
  shadowSummary(name: string): ShadowSummary | undefined;
  /** Re-reads every alias the service follows now, as the poll does; resolves when the moves are done. */
  refreshAliases(): Promise<void>;
  /** What is served: per model, its loaded versions and the version in each role. */
  describe(): ServedModel[];
}

/** One model as {@link WeftModelService.describe} tells it. */
export interface ServedModel {
  name: string;
  source: string;
  versions: string[];
  primary?: string;
  canary?: { version: string; percent: number };
  shadow?: string;
  state: RepositoryIndexEntry["state"];
  reason?: string;
}

/** The protocol extensions the server speaks: binary tensors, the repository's index/load/unload, Triton's config route. */
export const SERVER_EXTENSIONS = ["binary_tensor_data", "model_repository", "model_configuration"];

/** One loaded version: its runtime behind its batcher. */
interface Loaded {
  version: string;
  file: string;
  config: ModelConfig;
  backend: Backend;
  scheduler: Scheduler;
  /** Set once routing no longer sends requests here; its batcher drains, then the backend closes. */
  retired: boolean;
}

/** A model: where its versions come from and which are loaded in which role. */
interface Entry {
  name: string;
  source: ModelSource;
  /** Asked for at start (server readiness waits for these). */
  startup: boolean;
  loaded: Map<string, Loaded>;
  primary?: Loaded;
  canary?: { loaded: Loaded; split: CanarySplit };
  shadow?: { loaded: Loaded; log: ShadowLog };
  /** `load` named a version: the primary is that version rather than the policy's or the alias's. */
  pin?: string;
  /** Unloaded through the repository extension: nothing is loaded until the next `load`. */
  unloaded: boolean;
  state: RepositoryIndexEntry["state"];
  reason?: string;
  /** The model's changes, one at a time. */
  queue: Promise<void>;
  /** Changes waiting in the queue or running. */
  changes: number;
  /** The version the last move or load failed to load (its error is `reason`). */
  failedVersion?: string;
  /** The shadow record, kept across moves and unloads. */
  shadowLog?: ShadowLog;
  /** The alias targets (see `aliasKey`) whose move failed: the poll does not try them again. */
  failedKey?: string;
}

const VERSION_NUMBER = /^[0-9]+$/;

/** Versions in order: by number when both are numbers, else as text. */
function compareVersions(a: string, b: string): number {
  if (VERSION_NUMBER.test(a) && VERSION_NUMBER.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A spec as Triton's metadata shows it: the batch dimension first (`-1`) when the model batches. */
function withBatch(specs: TensorSpec[], maxBatchSize: number): TensorSpec[] {
  if (maxBatchSize <= 0) return specs;
  return specs.map((s) => ({ name: s.name, datatype: s.datatype, shape: [-1, ...s.shape] }));
}

/** Copies of the tensors' elements, for a second run after the first has handed its buffers to a worker. */
function copyTensors(tensors: Tensor[]): Tensor[] {
  return tensors.map((t) => ({
    ...t,
    shape: t.shape.slice(),
    data: Array.isArray(t.data) ? t.data.map((b) => b.slice()) : t.data.slice(),
  })) as Tensor[];
}

/**
 * Whether a loaded version is what the source says that version is now: the same file and
 * configuration. Two sources may both call their file version 1 (a `load` naming another
 * model file), and a repository's `config.pbtxt` may change; either is a new version to load.
 */
function sameVersion(loaded: Loaded, sv: ModelVersionSource): boolean {
  return loaded.file === sv.file && JSON.stringify(loaded.config) === JSON.stringify(sv.config);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The request's error as a `ServingError` (a runtime's own failure becomes `INTERNAL`, naming model and version). */
function asServingError(err: unknown, name: string, version: string): ServingError {
  if (err instanceof ServingError) return err;
  return new ServingError("INTERNAL", `model '${name}' version ${version} failed to run the request: ${message(err)}`, {
    cause: err,
  });
}

function shuttingDown(name: string): ServingError {
  return new ServingError("UNAVAILABLE", `the server is shutting down; model '${name}' is not loaded`);
}

/** Releases a source (the store it opened); a source that fails to close is not worth failing for. */
function closeSource(source: ModelSource): void {
  try {
    source.close();
  } catch {
    // nothing is lost: a source only reads
  }
}

/**
 * The model service over `sources`: every source's versions are loaded (as its version
 * policy or alias says) before it resolves; a source that cannot be loaded rejects it with
 * that source's error, after closing what was loaded. The service owns the sources: it
 * closes them when it closes or fails to start, and closes a source a `load` replaces.
 */
export async function createModelService(
  sources: ModelSource[],
  options: ModelServiceOptions = {},
): Promise<WeftModelService> {
  const observer = options.observer;
  const models = new Map<string, Entry>();
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const refuse = (err: ServingError): never => {
    for (const source of sources) closeSource(source);
    throw err;
  };
  for (const source of sources) {
    if (models.has(source.name)) {
      refuse(
        new ServingError(
          "INVALID_ARGUMENT",
          `two sources serve a model named '${source.name}'; give one of them another name (--name)`,
        ),
      );
    }
    models.set(source.name, {
      name: source.name,
      source,
      startup: true,
      loaded: new Map(),
      unloaded: false,
      state: "LOADING",
      queue: Promise.resolve(),
      changes: 0,
    });
  }
  for (const [role, opt] of [
    ["canary", options.canary],
    ["shadow", options.shadow],
  ] as const) {
    if (opt && !models.has(opt.model)) {
      refuse(
        new ServingError(
          "INVALID_ARGUMENT",
          `--${role} names model '${opt.model}', which is not served; serve it too, or name one of: ${[...models.keys()].join(", ")}`,
        ),
      );
    }
  }
  const resolveSource =
    options.resolveSource === undefined
      ? async (spec: string, name: string): Promise<ModelSource> => {
          // the sources' default inspection, remembered per file (a TensorFlow.js model is
          // loaded to be inspected, and a source is read again on every reconcile)
          const [found] = await resolveSources(
            [{ source: spec, name }],
            options.home !== undefined ? { home: options.home } : {},
          );
          return found!;
        }
      : options.resolveSource;
  let canarySplitOf: CanarySplit | undefined;
  try {
    canarySplitOf = options.canary ? canarySplit(options.canary.model, options.canary.percent) : undefined;
  } catch (err) {
    refuse(err as ServingError);
  }

  /** Runs `change` in the model's queue; the returned promise settles with it. */
  function enqueue<T>(entry: Entry, change: () => Promise<T>): Promise<T> {
    entry.changes++;
    const run = entry.queue.then(change);
    entry.queue = run.then(
      () => {
        entry.changes--;
      },
      () => {
        entry.changes--;
      },
    );
    return run;
  }

  /** The version an alias or version-number target stands for now. */
  async function resolveTarget(entry: Entry, target: string): Promise<string> {
    if (VERSION_NUMBER.test(target)) return target;
    if (entry.source.kind !== "registry") {
      throw new ServingError(
        "INVALID_ARGUMENT",
        `model '${entry.name}' is not served from the registry, so '${target}' cannot name an alias; give a version number`,
      );
    }
    const version = entry.source.resolveAlias(target);
    if (version === undefined) {
      throw new ServingError(
        "NOT_FOUND",
        `model '${entry.name}' has no alias '${target}'; set it with weft models alias, or name a version`,
      );
    }
    return version;
  }

  /** The versions the primary role serves, highest last. */
  async function primaryVersions(entry: Entry): Promise<ModelVersionSource[]> {
    if (entry.pin !== undefined) return [await versionOf(entry, await resolveTarget(entry, entry.pin))];
    // the alias's version, named in the index should the source refuse it
    if (entry.source.alias !== undefined) entry.failedVersion = entry.source.resolveAlias(entry.source.alias);
    const list = await entry.source.served();
    if (list.length === 0) {
      throw new ServingError(
        "NOT_FOUND",
        `model '${entry.name}' (${entry.source.origin}) has no version to serve; add one, or check its version policy`,
      );
    }
    return list.slice().sort((a, b) => compareVersions(a.version, b.version));
  }

  function versionOf(entry: Entry, version: string): Promise<ModelVersionSource> {
    entry.failedVersion = version;
    return entry.source.version(version);
  }

  async function loadVersion(entry: Entry, sv: ModelVersionSource): Promise<Loaded> {
    const backend = await loadBackend(sv.file, sv.config, {
      version: sv.version,
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
    });
    const scheduler = createScheduler(backend, sv.config, { model: entry.name, version: sv.version }, observer);
    return { version: sv.version, file: sv.file, config: sv.config, backend, scheduler, retired: false };
  }

  /** Stops routing to a version (already done by the caller), drains its batcher and closes its backend. */
  async function retire(loaded: Loaded): Promise<void> {
    loaded.retired = true;
    try {
      await loaded.scheduler.drain();
    } finally {
      await loaded.backend.close();
    }
  }

  /**
   * Brings the model to what its source, pin, canary and shadow say now: loads what is
   * missing while the current versions serve, switches routing in one step, then retires
   * the versions no role needs. On failure the model keeps what it served and the error is
   * recorded as its reason (and thrown).
   */
  async function reconcile(entry: Entry): Promise<void> {
    if (closed) throw shuttingDown(entry.name);
    if (entry.loaded.size === 0) entry.state = "LOADING";
    entry.failedVersion = undefined;
    try {
      const primaries = await primaryVersions(entry);
      const wanted = new Map<string, ModelVersionSource>(primaries.map((v) => [v.version, v]));
      const primaryVersion = primaries[primaries.length - 1]!.version;
      let canaryVersion: string | undefined;
      let shadowVersion: string | undefined;
      if (options.canary?.model === entry.name) {
        canaryVersion = await resolveTarget(entry, options.canary.target);
        if (!wanted.has(canaryVersion)) wanted.set(canaryVersion, await versionOf(entry, canaryVersion));
      }
      if (options.shadow?.model === entry.name) {
        shadowVersion = await resolveTarget(entry, options.shadow.target);
        if (!wanted.has(shadowVersion)) wanted.set(shadowVersion, await versionOf(entry, shadowVersion));
      }
      const fresh: Loaded[] = [];
      try {
        for (const sv of wanted.values()) {
          const current = entry.loaded.get(sv.version);
          if (current !== undefined && sameVersion(current, sv)) continue;
          entry.failedVersion = sv.version;
          fresh.push(await loadVersion(entry, sv));
        }
        entry.failedVersion = undefined;
      } catch (err) {
        await Promise.allSettled(fresh.map((l) => l.backend.close()));
        throw err;
      }
      if (closed) {
        await Promise.allSettled(fresh.map((l) => l.backend.close()));
        throw shuttingDown(entry.name);
      }
      // The switch: one synchronous step, so a request sees either the old table or the new one.
      const before = entry.loaded;
      const table = new Map<string, Loaded>();
      for (const v of wanted.keys()) table.set(v, fresh.find((l) => l.version === v) ?? before.get(v)!);
      entry.loaded = table;
      entry.primary = table.get(primaryVersion);
      entry.canary =
        canaryVersion !== undefined && canarySplitOf
          ? { loaded: table.get(canaryVersion)!, split: canarySplitOf }
          : undefined;
      if (shadowVersion !== undefined) {
        entry.shadowLog ??= new ShadowLog(entry.name, options.shadow?.capacity ?? 1000);
        entry.shadow = { loaded: table.get(shadowVersion)!, log: entry.shadowLog };
      } else entry.shadow = undefined;
      entry.state = "READY";
      entry.reason = undefined;
      entry.failedVersion = undefined;
      // a version that fails to close is gone from routing all the same: the move stands
      const gone = [...before.values()].filter((l) => table.get(l.version) !== l);
      await Promise.allSettled(gone.map(retire));
    } catch (err) {
      const e = err instanceof ServingError ? err : new ServingError("MODEL_INVALID", message(err), { cause: err });
      entry.reason = e.message;
      if (entry.loaded.size === 0) entry.state = "UNAVAILABLE";
      else entry.state = "READY";
      throw e;
    }
  }

  /** Unloads every version of the model: routing stops at once, then each version drains and closes. */
  async function unloadAll(entry: Entry, reason: string): Promise<void> {
    const before = [...entry.loaded.values()];
    entry.state = "UNLOADING";
    entry.loaded = new Map();
    entry.primary = undefined;
    entry.canary = undefined;
    entry.shadow = undefined;
    entry.failedVersion = undefined;
    await Promise.allSettled(before.map(retire));
    entry.state = "UNAVAILABLE";
    entry.reason = reason;
  }

  /** Whether the model's routing depends on an alias the registry may move. */
  function followsAlias(entry: Entry): boolean {
    if (entry.unloaded || entry.source.kind !== "registry") return false;
    const isAlias = (t: string | undefined) => t !== undefined && !VERSION_NUMBER.test(t);
    return (
      (entry.pin === undefined ? entry.source.alias !== undefined : isAlias(entry.pin)) ||
      (options.canary?.model === entry.name && isAlias(options.canary.target)) ||
      (options.shadow?.model === entry.name && isAlias(options.shadow.target))
    );
  }

  /** The versions the aliases the model follows point at now, as one key (undefined when one cannot be read). */
  function aliasKey(entry: Entry): string | undefined {
    const at = (target: string | undefined) =>
      target === undefined || VERSION_NUMBER.test(target) ? target : entry.source.resolveAlias(target);
    try {
      const primary =
        entry.pin !== undefined
          ? at(entry.pin)
          : entry.source.alias !== undefined
            ? at(entry.source.alias)
            : entry.primary?.version;
      const canary = options.canary?.model === entry.name ? at(options.canary.target) : undefined;
      const shadow = options.shadow?.model === entry.name ? at(options.shadow.target) : undefined;
      return `${primary}|${canary}|${shadow}`;
    } catch {
      return undefined;
    }
  }

  /** The versions in each role now, as {@link aliasKey} writes them. */
  function servedKey(entry: Entry): string {
    return `${entry.primary?.version}|${entry.canary?.loaded.version}|${entry.shadow?.loaded.version}`;
  }

  /**
   * Reads the aliases of every model that follows one and moves the models whose aliases
   * moved. An alias that points where a failed move already tried is not tried again until
   * it moves once more (or a `load` asks).
   */
  async function refreshAliases(): Promise<void> {
    const moves: Promise<unknown>[] = [];
    for (const entry of models.values()) {
      if (!followsAlias(entry)) continue;
      // a change already queued reads the aliases when it runs
      if (entry.changes > 0) {
        moves.push(entry.queue);
        continue;
      }
      const key = aliasKey(entry);
      if (key === servedKey(entry) || (key !== undefined && key === entry.failedKey)) continue;
      moves.push(
        enqueue(entry, async () => {
          try {
            await reconcile(entry);
            entry.failedKey = undefined;
          } catch {
            // the reason is recorded on the model; the versions it served keep serving
            entry.failedKey = key;
          }
        }),
      );
    }
    await Promise.all(moves);
  }

  function entryOf(name: string): Entry {
    const entry = models.get(name);
    if (entry === undefined) {
      throw new ServingError(
        "NOT_FOUND",
        `model '${name}' is not served here; served models: ${[...models.keys()].join(", ") || "none"} (GET /v2/repository/index)`,
      );
    }
    return entry;
  }

  function versionLoaded(entry: Entry, version: string): Loaded {
    const loaded = entry.loaded.get(version);
    if (loaded !== undefined) return loaded;
    if (entry.state === "LOADING" || entry.state === "UNLOADING") {
      throw new ServingError(
        "UNAVAILABLE",
        `model '${entry.name}' is ${entry.state.toLowerCase()}; retry once it is ready`,
      );
    }
    const served = [...entry.loaded.keys()];
    throw new ServingError(
      "NOT_FOUND",
      `model '${entry.name}' has no version ${version} loaded; ${
        served.length > 0
          ? `loaded versions: ${served.join(", ")}`
          : `it has none loaded${entry.reason ? ` (${entry.reason})` : ""}`
      }`,
    );
  }

  function primaryOf(entry: Entry): Loaded {
    if (entry.primary !== undefined) return entry.primary;
    const why = entry.unloaded ? "it was unloaded; load it (POST /v2/repository/models/NAME/load)" : entry.reason;
    throw new ServingError("UNAVAILABLE", `model '${entry.name}' is not ready${why ? `: ${why}` : ""}`);
  }

  function emit(
    model: string,
    version: string,
    role: ServingRole,
    started: number,
    requestId: string | undefined,
    timed: { queueSeconds: number; computeSeconds: number } | undefined,
    error?: ServingError,
  ): void {
    if (!observer?.infer) return;
    observer.infer({
      model,
      version,
      role,
      ok: error === undefined,
      ...(error !== undefined ? { error: error.code } : {}),
      ...(requestId !== undefined ? { requestId } : {}),
      queueSeconds: timed?.queueSeconds ?? 0,
      computeSeconds: timed?.computeSeconds ?? 0,
      totalSeconds: (performance.now() - started) / 1000,
    });
  }

  /** Runs the mirrored request on the shadow version and records what it answered. */
  function mirror(
    entry: Entry,
    inputs: Tensor[],
    outputNames: string[] | undefined,
    request: InferRequest,
    answer: InferResult,
  ): void {
    const shadow = entry.shadow;
    if (shadow === undefined || shadow.loaded.retired) return;
    const { loaded, log } = shadow;
    const started = performance.now();
    const tolerance = options.shadow?.tolerance ?? 1e-6;
    const record = (r: Omit<ShadowRecord, "time" | "model" | "primaryVersion" | "shadowVersion">) =>
      log.add({
        time: Date.now(),
        model: entry.name,
        ...(request.id !== undefined ? { requestId: request.id } : {}),
        primaryVersion: answer.modelVersion,
        shadowVersion: loaded.version,
        ...r,
      });
    let run: Promise<{ value: Tensor[]; queueSeconds: number; computeSeconds: number }>;
    try {
      validateInferRequest({ ...request, inputs }, loaded.config);
      run = loaded.scheduler.run(inputs, outputNames);
    } catch (err) {
      run = Promise.reject(err);
    }
    run.then(
      (timed) => {
        const maxAbsDiff = compareOutputs(answer.outputs, timed.value);
        record({ ok: true, outputs: timed.value, maxAbsDiff, agree: maxAbsDiff <= tolerance });
        emit(entry.name, loaded.version, "shadow", started, request.id, timed);
      },
      (err) => {
        const e = asServingError(err, entry.name, loaded.version);
        record({ ok: false, error: e.message });
        emit(entry.name, loaded.version, "shadow", started, request.id, undefined, e);
      },
    );
  }

  async function infer(
    name: string,
    version: string | undefined,
    request: InferRequest,
    inferOptions?: InferOptions,
  ): Promise<InferResult> {
    const started = performance.now();
    const entry = entryOf(name);
    let target: Loaded;
    let role: ServingRole = "primary";
    const pinned = version !== undefined && version !== "";
    try {
      if (pinned) target = versionLoaded(entry, version);
      else {
        target = primaryOf(entry);
        const canary = entry.canary;
        if (canary !== undefined && canary.loaded !== target && canary.split.pick(inferOptions?.routingKey)) {
          target = canary.loaded;
          role = "canary";
        }
      }
    } catch (err) {
      // a model served here counts the requests it could not take, under version "" (an unknown
      // name or version is not a label: it would be whatever a caller sends)
      emit(name, "", role, started, request.id, undefined, err as ServingError);
      throw err;
    }
    const outputNames = request.outputs?.map((o) => o.name);
    const shadow = !pinned && entry.shadow !== undefined && entry.shadow.loaded !== target ? entry.shadow : undefined;
    const shadowInputs = shadow !== undefined ? copyTensors(request.inputs) : undefined;
    let timed: Awaited<ReturnType<Scheduler["run"]>>;
    for (;;) {
      try {
        if (inferOptions?.signal?.aborted) {
          throw new ServingError("UNAVAILABLE", `request to model '${name}' was canceled before it ran`);
        }
        validateInferRequest(request, target.config);
        timed = await target.scheduler.run(request.inputs, outputNames);
        break;
      } catch (err) {
        // Routing moved on while this request was on its way to a retired version, whose batcher
        // refused it before taking its inputs: it runs on the version that replaced it (an
        // unversioned request only, and only when one did).
        if (!pinned && target.retired && err instanceof ServingError && err.code === "UNAVAILABLE") {
          const next = entry.primary;
          if (next !== undefined && next !== target && !next.retired) {
            target = next;
            role = "primary";
            continue;
          }
        }
        const e = asServingError(err, name, target.version);
        emit(name, target.version, role, started, request.id, undefined, e);
        throw e;
      }
    }
    const result: InferResult = { modelName: name, modelVersion: target.version, outputs: timed.value };
    if (request.id !== undefined) result.id = request.id;
    emit(name, target.version, role, started, request.id, timed);
    // the mirror runs once the answer is on its way
    if (shadow !== undefined && shadowInputs !== undefined) {
      setImmediate(mirror, entry, shadowInputs, outputNames, request, result);
    }
    return result;
  }

  function loadedFor(name: string, version: string | undefined): Loaded {
    const entry = entryOf(name);
    if (version !== undefined && version !== "") return versionLoaded(entry, version);
    if (entry.primary !== undefined) return entry.primary;
    throw new ServingError(
      "NOT_FOUND",
      `model '${name}' has no version loaded${entry.reason ? `: ${entry.reason}` : ""}; load it (POST /v2/repository/models/${name}/load)`,
    );
  }

  function paramString(parameters: Parameters | undefined, key: string): string | undefined {
    const v = parameters?.[key];
    if (v === undefined || v === "") return undefined;
    if (typeof v === "boolean") {
      throw new ServingError("INVALID_ARGUMENT", `load parameter '${key}' is ${v}; give a string`);
    }
    return String(v);
  }

  const service: WeftModelService = {
    serverMetadata(): ServerMetadata {
      return {
        name: options.server?.name ?? "weft",
        version: options.server?.version ?? "0",
        extensions: SERVER_EXTENSIONS,
      };
    },
    isLive: () => !closed,
    isReady(): boolean {
      if (closed) return false;
      for (const entry of models.values()) {
        if (entry.startup && !entry.unloaded && entry.primary === undefined) return false;
      }
      return true;
    },
    modelMetadata(name: string, version?: string): ModelMetadata {
      const entry = entryOf(name);
      const loaded = loadedFor(name, version);
      const { config } = loaded;
      return {
        name,
        versions: [...entry.loaded.keys()].sort(compareVersions),
        platform: config.platform,
        inputs: withBatch(config.inputs, config.maxBatchSize),
        outputs: withBatch(config.outputs, config.maxBatchSize),
      };
    },
    modelConfig: (name: string, version?: string) => loadedFor(name, version).config,
    modelReady(name: string, version?: string): boolean {
      const entry = models.get(name);
      if (entry === undefined) return false;
      const loaded = version !== undefined && version !== "" ? entry.loaded.get(version) : entry.primary;
      return loaded !== undefined && !loaded.retired;
    },
    infer,
    repositoryIndex(indexOptions?: { ready?: boolean }): RepositoryIndexEntry[] {
      const rows: RepositoryIndexEntry[] = [];
      for (const entry of models.values()) {
        const versions = [...entry.loaded.keys()].sort(compareVersions);
        for (const v of versions) rows.push({ name: entry.name, version: v, state: "READY" });
        if (indexOptions?.ready) continue;
        if (entry.state === "LOADING" || entry.state === "UNLOADING") {
          rows.push({ name: entry.name, state: entry.state });
        } else if (entry.failedVersion !== undefined && !entry.loaded.has(entry.failedVersion)) {
          // the version a move or load could not load, and why (the versions above keep serving)
          rows.push({
            name: entry.name,
            version: entry.failedVersion,
            state: "UNAVAILABLE",
            ...(entry.reason ? { reason: entry.reason } : {}),
          });
        } else if (versions.length === 0) {
          rows.push({ name: entry.name, state: "UNAVAILABLE", ...(entry.reason ? { reason: entry.reason } : {}) });
        }
      }
      return rows;
    },
    async load(name: string, parameters?: Parameters): Promise<void> {
      if (closed) throw shuttingDown(name);
      const uri = paramString(parameters, "uri") ?? paramString(parameters, "source");
      const version = paramString(parameters, "version");
      let entry = models.get(name);
      if (entry === undefined && uri === undefined) entryOf(name);
      let source: ModelSource | undefined;
      if (uri !== undefined) {
        if (resolveSource === null) {
          throw new ServingError(
            "INVALID_ARGUMENT",
            `load of model '${name}' names a source (${uri}), but this server cannot load new sources; serve it at start instead`,
          );
        }
        source = await resolveSource(uri, name);
        if (closed) {
          closeSource(source);
          throw shuttingDown(name);
        }
        // another load may have added the model meanwhile: this one queues behind it
        entry = models.get(name);
      }
      if (entry === undefined) {
        entry = {
          name,
          source: source!,
          startup: false,
          loaded: new Map(),
          unloaded: false,
          state: "LOADING",
          queue: Promise.resolve(),
          changes: 0,
        };
        models.set(name, entry);
      }
      const e = entry;
      await enqueue(e, async () => {
        const next = source ?? e.source;
        if (version !== undefined && !VERSION_NUMBER.test(version) && next.kind !== "registry") {
          throw new ServingError(
            "INVALID_ARGUMENT",
            `load of model '${name}': version '${version}' is not a version number; give one, as in {"version": "3"}`,
          );
        }
        const before = { source: e.source, pin: e.pin, unloaded: e.unloaded };
        e.source = next;
        // a load naming a version serves that one (a rollback, say); without, the source's policy or alias decides
        e.pin = version;
        e.unloaded = false;
        e.failedKey = undefined;
        try {
          await reconcile(e);
        } catch (err) {
          // a load that fails leaves the model as it was, serving what it served
          if (before.source !== undefined) {
            e.source = before.source;
            e.pin = before.pin;
            e.unloaded = before.unloaded;
          }
          if (source !== undefined && source !== e.source) closeSource(source);
          throw err;
        }
        if (before.source !== undefined && before.source !== e.source) closeSource(before.source);
      });
    },
    async unload(name: string, _parameters?: Parameters): Promise<void> {
      const entry = entryOf(name);
      await enqueue(entry, async () => {
        entry.unloaded = true;
        await unloadAll(entry, "unloaded through the repository extension; load it to serve it again");
      });
    },
    transformer: (name: string) => options.transformers?.[name],
    shadowRecords: (name: string) => entryOf(name).shadowLog?.records() ?? [],
    shadowSummary: (name: string) => entryOf(name).shadowLog?.summary(),
    refreshAliases,
    describe(): ServedModel[] {
      return [...models.values()].map((e) => ({
        name: e.name,
        source: e.source.origin,
        versions: [...e.loaded.keys()].sort(compareVersions),
        ...(e.primary ? { primary: e.primary.version } : {}),
        ...(e.canary ? { canary: { version: e.canary.loaded.version, percent: e.canary.split.percent } } : {}),
        ...(e.shadow ? { shadow: e.shadow.loaded.version } : {}),
        state: e.state,
        ...(e.reason ? { reason: e.reason } : {}),
      }));
    },
    async close(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      // from here, changes still queued do nothing and a load in progress releases what it loaded
      closed = true;
      const entries = [...models.values()];
      await Promise.allSettled(entries.map((e) => e.queue));
      await Promise.allSettled(entries.map((e) => unloadAll(e, "the server stopped")));
      for (const e of entries) closeSource(e.source);
    },
  };

  const started = await Promise.allSettled([...models.values()].map((e) => enqueue(e, () => reconcile(e))));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    await service.close();
    throw failed.reason;
  }
  if (options.followAliases) {
    const interval = options.followAliases.intervalMs;
    if (!(interval > 0)) {
      await service.close();
      throw new ServingError(
        "INVALID_ARGUMENT",
        `alias polling interval ${interval} ms: give a positive number of milliseconds`,
      );
    }
    timer = setInterval(() => {
      refreshAliases().catch(() => undefined);
    }, interval);
    timer.unref();
  }
  return service;
}

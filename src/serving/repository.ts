/**
 * Where served models come from: a registry URI (`models:/NAME@ALIAS`, `/VERSION`,
 * `/STAGE`, `/latest`), a model file (an ONNX `.onnx`, a TensorFlow.js `model.json`, or a
 * folder holding one), or a Triton model repository folder (`<model>/config.pbtxt`,
 * `<model>/<version>/model.onnx`). Each becomes a {@link ModelSource}: the versions it has,
 * their files and configurations, and its version policy. The service loads what a source
 * serves and asks it again on `load`, when an alias moves, or for a version by number.
 */
import type { Store } from "../store/index.ts";
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
  /**
   * Reads a model file's inputs and outputs when no `config.pbtxt` says them. Default:
   * the registry's signature readers (no runtime needed; tfjs outputs then have no shape).
   */
  inspect?: InspectModel;
}

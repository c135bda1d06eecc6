/**
 * The shapes every part of model serving shares: tensors and their datatypes, inference
 * requests and results in memory (the protocol adapters — REST, gRPC, KServe v1 — decode
 * their wire forms into these and encode results from them), model metadata and
 * configuration (Triton's `config.pbtxt` in memory), the backend a runtime implements and
 * the model service every protocol adapter calls. A leaf file: types and constants only.
 */

/** The Open Inference Protocol's tensor datatypes. */
export const DATATYPES = [
  "BOOL",
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
  "INT8",
  "INT16",
  "INT32",
  "INT64",
  "FP16",
  "FP32",
  "FP64",
  "BYTES",
] as const;

/** One of the protocol's tensor datatypes. */
export type Datatype = (typeof DATATYPES)[number];

/**
 * A tensor's elements in memory, row-major. By datatype: BOOL is a `Uint8Array` of 0/1,
 * UINT8..UINT32 and INT8..INT32 the matching typed arrays, UINT64/INT64 `BigUint64Array`
 * and `BigInt64Array`, FP16 a `Uint16Array` of IEEE half-precision bit patterns, FP32 a
 * `Float32Array`, FP64 a `Float64Array`, and BYTES an array of byte strings.
 */
export type TensorData =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array
  | Float32Array
  | Float64Array
  | Uint8Array[];

/** Request, response and tensor parameters, as the protocol's `parameters` objects carry them. */
export type Parameters = Record<string, string | number | boolean>;

/** A tensor: its name, datatype, shape and elements (the product of `shape` of them). */
export interface Tensor {
  name: string;
  datatype: Datatype;
  shape: number[];
  data: TensorData;
  parameters?: Parameters;
}

/** An output the caller asks for by name (with, say, `binary_data: true`). */
export interface RequestedOutput {
  name: string;
  parameters?: Parameters;
}

/** An inference request, decoded from whichever protocol carried it. */
export interface InferRequest {
  id?: string;
  parameters?: Parameters;
  inputs: Tensor[];
  /** The outputs to return; all of the model's outputs when absent. */
  outputs?: RequestedOutput[];
}

/** The result of one inference request. */
export interface InferResult {
  modelName: string;
  modelVersion: string;
  id?: string;
  parameters?: Parameters;
  outputs: Tensor[];
}

/** A model input or output as metadata and configuration describe it; `-1` is a variable dimension. */
export interface TensorSpec {
  name: string;
  datatype: Datatype;
  shape: number[];
}

/** Model metadata, as the protocol's model metadata route returns it. */
export interface ModelMetadata {
  name: string;
  versions: string[];
  /** Triton's platform names: `onnxruntime_onnx`, `tensorflow_js`. */
  platform: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** Which versions of a model are served, as Triton's `version_policy` says. */
export type VersionPolicy =
  | { kind: "latest"; numVersions: number }
  | { kind: "specific"; versions: number[] }
  | { kind: "all" };

/** Dynamic batching, as Triton's `dynamic_batching` block configures it. */
export interface DynamicBatching {
  /** Batch sizes to form when possible; empty means "as large as `maxBatchSize` allows". */
  preferredBatchSize: number[];
  /** How long a request may wait for others to join its batch. */
  maxQueueDelayMicroseconds: number;
}

/** A model's configuration: Triton's `config.pbtxt` in memory. */
export interface ModelConfig {
  name: string;
  platform: "onnxruntime_onnx" | "tensorflow_js";
  /**
   * 0: the model has no batch dimension and requests are never merged. N > 0: the first
   * dimension of every input and output is the batch, not written in `inputs`/`outputs`
   * (as in Triton), and at most N rows run at once.
   */
  maxBatchSize: number;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Absent: every request runs on its own. */
  dynamicBatching?: DynamicBatching;
  versionPolicy: VersionPolicy;
  /** Runtime sessions (ONNX Runtime worker threads) per version; default: the machine's cores. */
  instanceCount?: number;
}

/**
 * One loaded model version in a runtime. Inputs reach it checked against its specs (names,
 * datatypes, shapes); it returns the named outputs, or all when `outputNames` is absent.
 */
export interface Backend {
  readonly platform: ModelConfig["platform"];
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];
  run(inputs: Tensor[], outputNames?: string[]): Promise<Tensor[]>;
  /** Releases the sessions and threads; later `run` calls reject. */
  close(): Promise<void>;
}

/** Options of one inference call. */
export interface InferOptions {
  /** Sticky traffic split: requests with the same key go to the same version. */
  routingKey?: string;
  signal?: AbortSignal;
}

/** One entry of the model repository index (the repository extension's `index`). */
export interface RepositoryIndexEntry {
  name: string;
  version?: string;
  state: "READY" | "UNAVAILABLE" | "LOADING" | "UNLOADING";
  reason?: string;
}

/** What the server says about itself. */
export interface ServerMetadata {
  name: string;
  version: string;
  extensions: string[];
}

/**
 * The model service behind every protocol adapter: REST, KServe v1 and gRPC call only
 * this. Errors it throws are `ServingError`s that carry the protocol status.
 */
export interface ModelService {
  serverMetadata(): ServerMetadata;
  /** Server live: the process answers. */
  isLive(): boolean;
  /** Server ready: every model it was asked to serve at start is ready. */
  isReady(): boolean;
  /** Metadata of a model, or of one version of it; throws NOT_FOUND. */
  modelMetadata(name: string, version?: string): ModelMetadata;
  /** The model's configuration (its served version's, or that version's); throws NOT_FOUND. */
  modelConfig(name: string, version?: string): ModelConfig;
  /** Whether the model (or that version) is loaded and can infer. */
  modelReady(name: string, version?: string): boolean;
  infer(name: string, version: string | undefined, request: InferRequest, options?: InferOptions): Promise<InferResult>;
  repositoryIndex(options?: { ready?: boolean }): RepositoryIndexEntry[];
  load(name: string, parameters?: Parameters): Promise<void>;
  unload(name: string, parameters?: Parameters): Promise<void>;
  /** The transformer in front of a model, if it has one. */
  transformer(name: string): Transformer | undefined;
  /** Stops following aliases, drains every version and closes the runtimes. */
  close(): Promise<void>;
}

/** What a transformer is told about the request it transforms. */
export interface TransformContext {
  modelName: string;
  /** `v1`: KServe's `:predict` body; `v2`: an Open Inference Protocol `infer` body. */
  protocol: "v1" | "v2";
  /** Request headers, lower-cased names. */
  headers: Record<string, string | undefined>;
}

/**
 * A TypeScript transformer in front of a model, as KServe's transformer: `preprocess` turns
 * the raw request JSON into an inference request, `postprocess` turns the result into the
 * response JSON (the protocol's own encoding of the result when absent).
 */
export interface Transformer {
  preprocess(payload: unknown, context: TransformContext): InferRequest | Promise<InferRequest>;
  postprocess?(result: InferResult, context: TransformContext): unknown;
}

/** Which role a version played for one request. */
export type ServingRole = "primary" | "canary" | "shadow";

/** One inference request, finished (for metrics and the request log). */
export interface InferEvent {
  model: string;
  version: string;
  role: ServingRole;
  ok: boolean;
  /** The protocol error code or message when `ok` is false. */
  error?: string;
  requestId?: string;
  /** Waiting in the batch queue. */
  queueSeconds: number;
  /** The runtime call that ran this request (shared by its batch). */
  computeSeconds: number;
  /** From the service receiving the request to its result. */
  totalSeconds: number;
}

/** One runtime call formed by the batcher. */
export interface BatchEvent {
  model: string;
  version: string;
  /** Rows in the call (the batch dimension's size). */
  size: number;
  /** Requests merged into it. */
  requests: number;
}

/** Receives what the service and its batchers do; metrics and the request log implement it. */
export interface ServingObserver {
  infer?(event: InferEvent): void;
  batch?(event: BatchEvent): void;
}

/** A result with the time it spent queued and computing, and the size of the batch it ran in. */
export interface Timed<T> {
  value: T;
  queueSeconds: number;
  computeSeconds: number;
  batchSize: number;
}

/** A backend behind its dynamic batcher (or run directly when the model does not batch). */
export interface Scheduler {
  run(inputs: Tensor[], outputNames?: string[]): Promise<Timed<Tensor[]>>;
  /** Requests accepted and not yet answered. */
  readonly pending: number;
  /** Resolves once every accepted request is answered; new requests are refused after it starts. */
  drain(): Promise<void>;
}

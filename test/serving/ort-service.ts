/**
 * A small {@link ModelService} over real ONNX Runtime sessions, for the protocol adapters'
 * tests: one version ("1") per model, run in this thread, no batching. It checks what the
 * adapters must not let through to a model (unknown model or version, input names and
 * datatypes) and records repository calls and routing keys, so a test can see what reached
 * the service. The real service (`src/serving/service.ts`) is tested on its own.
 */
import { ServingError } from "../../src/serving/errors.ts";
import type {
  InferOptions,
  InferRequest,
  InferResult,
  ModelConfig,
  ModelMetadata,
  ModelService,
  Parameters,
  RepositoryIndexEntry,
  Tensor,
  TensorData,
} from "../../src/serving/types.ts";
import { datatypeOf, keepFloat16AsUint16, ORT_TYPE } from "../../src/serving/wire/dtypes.ts";

type Ort = typeof import("onnxruntime-node");
type Session = import("onnxruntime-node").InferenceSession;

/** What a test can inspect and steer. */
export interface OrtTestService extends ModelService {
  /** `load`/`unload` calls, in order. */
  readonly repositoryCalls: { call: "load" | "unload"; name: string; parameters?: Parameters }[];
  /** The options of every `infer` call, in order. */
  readonly inferOptions: (InferOptions | undefined)[];
  /** When set, `infer` calls it first (to fail, or to wait for the caller's cancellation). */
  beforeInfer?: (name: string, options: InferOptions | undefined) => Promise<void> | void;
  ready: boolean;
}

/** A service over `models` (name → model file and config), sessions opened now. */
export async function createOrtTestService(
  models: Record<string, { file: string; config: ModelConfig }>,
): Promise<OrtTestService> {
  const ort: Ort = await import("onnxruntime-node");
  keepFloat16AsUint16(ort);
  const sessions = new Map<string, { session: Session; config: ModelConfig }>();
  for (const [name, { file, config }] of Object.entries(models)) {
    sessions.set(name, { session: await ort.InferenceSession.create(file), config });
  }

  const find = (name: string, version?: string) => {
    const model = sessions.get(name);
    if (model === undefined) {
      throw new ServingError(
        "NOT_FOUND",
        `model ${JSON.stringify(name)} is not served: ask for one of ${[...sessions.keys()].join(", ")}`,
      );
    }
    if (version !== undefined && version !== "1") {
      throw new ServingError(
        "NOT_FOUND",
        `model ${JSON.stringify(name)} has no version ${JSON.stringify(version)}: it serves version 1`,
      );
    }
    return model;
  };
  const batchShape = (config: ModelConfig, shape: number[]) => (config.maxBatchSize > 0 ? [-1, ...shape] : shape);

  const toOrt = (t: Tensor) =>
    t.datatype === "BYTES"
      ? new ort.Tensor(
          "string",
          (t.data as Uint8Array[]).map((b) => Buffer.from(b).toString("utf8")),
          t.shape,
        )
      : new ort.Tensor(ORT_TYPE[t.datatype] as "float32", t.data as Float32Array, t.shape);
  const fromOrt = (name: string, value: import("onnxruntime-node").Tensor): Tensor => {
    const datatype = datatypeOf(value.type)!;
    const data: TensorData =
      datatype === "BYTES"
        ? (value.data as string[]).map((s) => new Uint8Array(Buffer.from(s, "utf8")))
        : (value.data as TensorData);
    return { name, datatype, shape: [...value.dims], data };
  };

  const service: OrtTestService = {
    repositoryCalls: [],
    inferOptions: [],
    ready: true,
    serverMetadata: () => ({ name: "weft", version: "0.1.0", extensions: ["model_repository", "binary_tensor_data"] }),
    isLive: () => true,
    isReady: () => service.ready,
    modelMetadata(name, version): ModelMetadata {
      const { config } = find(name, version);
      return {
        name,
        versions: ["1"],
        platform: config.platform,
        inputs: config.inputs.map((s) => ({ ...s, shape: batchShape(config, s.shape) })),
        outputs: config.outputs.map((s) => ({ ...s, shape: batchShape(config, s.shape) })),
      };
    },
    modelConfig: (name, version) => find(name, version).config,
    modelReady(name, version) {
      try {
        find(name, version);
        return true;
      } catch {
        return false;
      }
    },
    async infer(name, version, request: InferRequest, options): Promise<InferResult> {
      service.inferOptions.push(options);
      const { session, config } = find(name, version);
      await service.beforeInfer?.(name, options);
      const feeds: Record<string, import("onnxruntime-node").Tensor> = {};
      for (const input of request.inputs) {
        const spec = config.inputs.find((s) => s.name === input.name);
        if (spec === undefined) {
          throw new ServingError(
            "INVALID_ARGUMENT",
            `model ${name} has no input ${JSON.stringify(input.name)}: its inputs are ${config.inputs.map((s) => s.name).join(", ")}`,
          );
        }
        if (spec.datatype !== input.datatype) {
          throw new ServingError(
            "INVALID_ARGUMENT",
            `input ${JSON.stringify(input.name)} of model ${name} is ${input.datatype}; expected ${spec.datatype}`,
          );
        }
        feeds[input.name] = toOrt(input);
      }
      const names = request.outputs?.map((o) => o.name) ?? config.outputs.map((o) => o.name);
      for (const n of names) {
        if (!config.outputs.some((o) => o.name === n)) {
          throw new ServingError("INVALID_ARGUMENT", `model ${name} has no output ${JSON.stringify(n)}`);
        }
      }
      const results = await session.run(feeds, names);
      const result: InferResult = {
        modelName: name,
        modelVersion: "1",
        outputs: names.map((n) => fromOrt(n, results[n]!)),
      };
      if (request.id !== undefined) result.id = request.id;
      return result;
    },
    repositoryIndex(options): RepositoryIndexEntry[] {
      const entries: RepositoryIndexEntry[] = [...sessions.keys()].map((name) => ({
        name,
        version: "1",
        state: "READY",
      }));
      if (options?.ready !== true) entries.push({ name: "retired", state: "UNAVAILABLE", reason: "unloaded" });
      return entries;
    },
    async load(name, parameters) {
      if (name === "broken")
        throw new ServingError("MODEL_INVALID", "model broken: its model.onnx is not an ONNX model");
      service.repositoryCalls.push(
        parameters === undefined ? { call: "load", name } : { call: "load", name, parameters },
      );
    },
    async unload(name, parameters) {
      find(name);
      service.repositoryCalls.push(
        parameters === undefined ? { call: "unload", name } : { call: "unload", name, parameters },
      );
    },
    transformer: () => undefined,
    async close() {
      for (const { session } of sessions.values()) await session.release();
    },
  };
  return service;
}

/**
 * Model runtimes: `inspectModel(file)` reads what a model file takes and gives (ONNX from
 * the file's own graph, without loading ONNX Runtime; TensorFlow.js layers models as
 * TensorFlow.js loads them), and `loadBackend(file, config)` loads one model version as a
 * `Backend` after checking the configuration against the model (every configured input and
 * output exists with that datatype and compatible dims, and a batching model's first
 * dimension is variable).
 *
 * Platforms: `onnxruntime_onnx` (ONNX Runtime sessions in worker threads, `workers` of them:
 * `options.workers`, else the config's `instanceCount`, else the machine's cores) and
 * `tensorflow_js` (layers `model.json`). The backend's specs are the model's own, batch
 * dimension included (`-1` for a variable dimension).
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { readOnnxSignature } from "../../registry/onnx-signature.ts";
import { ServingError } from "../errors.ts";
import type { Backend, ModelConfig, TensorSpec } from "../types.ts";
import { datatypeOf, describeSpec, specDim } from "./datatypes.ts";
import { loadOnnxBackend } from "./onnx.ts";
import { inspectTfjs, loadTfjsBackend } from "./tfjs.ts";

export { handOver } from "./onnx.ts";

/** What a model file takes and gives. */
export interface ModelInspection {
  platform: ModelConfig["platform"];
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

function platformOf(file: string): ModelConfig["platform"] {
  return file.toLowerCase().endsWith(".json") ? "tensorflow_js" : "onnxruntime_onnx";
}

function inspectOnnx(file: string): ModelInspection {
  let sig: ReturnType<typeof readOnnxSignature>;
  try {
    sig = readOnnxSignature(file);
  } catch (cause) {
    throw new ServingError("MODEL_INVALID", (cause as Error).message.replace("Register", "Serve"), { cause });
  }
  const spec = (role: string) => (t: { name: string; dtype: string; shape: (number | string)[] }) => {
    const datatype = datatypeOf(t.dtype);
    if (!datatype)
      throw new ServingError(
        "MODEL_INVALID",
        `${file}: ${role} ${t.name} is ${t.dtype}, which the inference protocol cannot carry; export it as another type`,
      );
    return { name: t.name, datatype, shape: t.shape.map(specDim) };
  };
  return {
    platform: "onnxruntime_onnx",
    inputs: sig.inputs.map(spec("input")),
    outputs: sig.outputs.map(spec("output")),
  };
}

/** The platform, inputs and outputs of an `.onnx` file or a TensorFlow.js layers `model.json`. */
export async function inspectModel(file: string): Promise<ModelInspection> {
  if (!existsSync(file)) throw new ServingError("MODEL_INVALID", `${file}: no such model file; check the path`);
  if (platformOf(file) === "tensorflow_js") return { platform: "tensorflow_js", ...(await inspectTfjs(file)) };
  return inspectOnnx(file);
}

/**
 * Checks a configuration against the model's own specs: every configured input and output
 * exists with the same datatype and fitting dims (the config's dims leave out the batch
 * dimension when `maxBatchSize > 0`), and batching needs a variable first dimension.
 */
export function checkConfig(file: string, config: ModelConfig, model: { inputs: TensorSpec[]; outputs: TensorSpec[] }) {
  const batching = config.maxBatchSize > 0;
  const check = (role: "input" | "output", configured: TensorSpec[], actual: TensorSpec[]) => {
    for (const c of configured) {
      const m = actual.find((a) => a.name === c.name);
      if (!m)
        throw new ServingError(
          "MODEL_INVALID",
          `${file}: config of model ${config.name} names ${role} ${c.name}, which the model does not have ` +
            `(it has ${actual.map((a) => a.name).join(", ") || "none"}); fix the name in config.pbtxt`,
        );
      if (m.datatype !== c.datatype)
        throw new ServingError(
          "MODEL_INVALID",
          `${file}: config of model ${config.name} says ${role} ${c.name} is ${c.datatype}, the model has ${m.datatype}; ` +
            "fix data_type in config.pbtxt",
        );
      const dims = batching ? m.shape.slice(1) : m.shape;
      const fits =
        dims.length === c.shape.length && dims.every((d, i) => d === -1 || c.shape[i] === -1 || d === c.shape[i]);
      if (!fits)
        throw new ServingError(
          "MODEL_INVALID",
          `${file}: config of model ${config.name} gives ${role} ${c.name} dims [${c.shape.join(", ")}], the model has ` +
            `${describeSpec(m)}${batching ? " (the first dimension is the batch, left out of dims when max_batch_size > 0)" : ""}; ` +
            "fix dims in config.pbtxt",
        );
    }
  };
  check("input", config.inputs, model.inputs);
  check("output", config.outputs, model.outputs);
  if (batching) {
    for (const m of [...model.inputs, ...model.outputs]) {
      if (m.shape.length === 0 || m.shape[0] !== -1)
        throw new ServingError(
          "MODEL_INVALID",
          `${file}: model ${config.name} has max_batch_size ${config.maxBatchSize} but ${describeSpec(m)} has no ` +
            "variable first (batch) dimension; set max_batch_size: 0 or export the model with a dynamic batch dimension",
        );
    }
  }
}

const concurrencyOf = new WeakMap<Backend, number>();

/** How many calls a backend runs at once (its worker threads; 1 for TensorFlow.js). */
export function backendConcurrency(backend: Backend): number {
  return concurrencyOf.get(backend) ?? 1;
}

/** Options of `loadBackend`. */
export interface LoadBackendOptions {
  /** ONNX Runtime worker threads; default the config's `instanceCount`, else the machine's cores. */
  workers?: number;
  /** The version, for messages. */
  version?: string;
}

/** Loads one model version: checks its config against the model, then starts its runtime. */
export async function loadBackend(
  file: string,
  config: ModelConfig,
  options: LoadBackendOptions = {},
): Promise<Backend> {
  const label = `model ${config.name}${options.version !== undefined ? ` version ${options.version}` : ""}`;
  if (!existsSync(file)) throw new ServingError("MODEL_INVALID", `${file}: no such model file; check the path`);
  const platform = platformOf(file);
  if (platform !== config.platform)
    throw new ServingError(
      "MODEL_INVALID",
      `${file}: model ${config.name} is configured for platform ${config.platform} but the file is a ` +
        `${platform === "tensorflow_js" ? "TensorFlow.js model.json" : "ONNX model"}; fix platform in config.pbtxt`,
    );
  if (platform === "tensorflow_js") {
    const backend = await loadTfjsBackend(file, { label });
    try {
      checkConfig(file, config, backend);
    } catch (e) {
      await backend.close();
      throw e;
    }
    concurrencyOf.set(backend, 1);
    return backend;
  }
  const specs = inspectOnnx(file);
  checkConfig(file, config, specs);
  const workers = Math.max(1, Math.floor(options.workers ?? config.instanceCount ?? availableParallelism()));
  const backend = await loadOnnxBackend(file, specs, { workers, label });
  concurrencyOf.set(backend, workers);
  return backend;
}

/**
 * The TensorFlow.js backend: a layers model (`model.json` with its weight files beside it,
 * as `model.save()` writes them) run with `@tensorflow/tfjs`'s CPU backend on the main
 * thread (its kernels are plain JavaScript and yield between calls). Inputs and outputs are
 * named after the model's input and output layers. `@tensorflow/tfjs` is an optional peer,
 * imported when such a model is loaded.
 */
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { ServingError } from "../errors.ts";
import type { Backend, Datatype, Tensor, TensorData, TensorSpec } from "../types.ts";

type Tf = typeof import("@tensorflow/tfjs");
type LayersModel = import("@tensorflow/tfjs").LayersModel;

let tfPromise: Promise<Tf> | undefined;

/** Imports `@tensorflow/tfjs` once, in production mode (no Node.js backend advice on the console). */
export function importTfjs(file: string): Promise<Tf> {
  tfPromise ??= import("@tensorflow/tfjs").then((tf) => {
    tf.enableProdMode();
    return tf;
  });
  return tfPromise.catch((cause) => {
    tfPromise = undefined;
    throw new ServingError(
      "MODEL_INVALID",
      `serving ${file} needs @tensorflow/tfjs: run npm install @tensorflow/tfjs (${(cause as Error).message})`,
      { cause },
    );
  });
}

const TF_DATATYPE: Record<string, Datatype> = { float32: "FP32", int32: "INT32", bool: "BOOL", string: "BYTES" };
const TF_DTYPE: Partial<Record<Datatype, "float32" | "int32" | "bool" | "string">> = {
  FP32: "float32",
  INT32: "int32",
  BOOL: "bool",
  BYTES: "string",
};

interface WeightsGroup {
  paths: string[];
  weights: unknown[];
}

/** Reads a layers `model.json` and its weight files (which must lie in its folder). */
async function loadLayersModel(
  tf: Tf,
  file: string,
): Promise<{ model: LayersModel; names: { inputs: string[]; outputs: string[] } }> {
  const root = dirname(resolve(file));
  let doc: { modelTopology?: unknown; weightsManifest?: WeightsGroup[]; format?: string };
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new ServingError(
      "MODEL_INVALID",
      `${file}: not a readable model.json (${(cause as Error).message}); serve the model.json that model.save() wrote`,
      { cause },
    );
  }
  if (!doc || typeof doc !== "object" || !doc.modelTopology)
    throw new ServingError(
      "MODEL_INVALID",
      `${file}: no modelTopology; serve a TensorFlow.js layers model.json (as model.save() writes it)`,
    );
  if (doc.format === "graph-model")
    throw new ServingError(
      "MODEL_INVALID",
      `${file}: a TensorFlow.js graph model; only layers models are served (or export the model to ONNX)`,
    );
  const weightSpecs: unknown[] = [];
  const parts: Buffer[] = [];
  for (const group of doc.weightsManifest ?? []) {
    for (const p of group.paths ?? []) {
      const path = resolve(root, p);
      const rel = relative(root, path);
      if (rel.startsWith("..") || resolve(root, rel) !== path)
        throw new ServingError("MODEL_INVALID", `${file}: weight file ${p} lies outside the model's folder`);
      try {
        parts.push(readFileSync(path));
      } catch (cause) {
        throw new ServingError(
          "MODEL_INVALID",
          `${file}: weight file ${p} cannot be read (${(cause as Error).message}); keep it beside model.json`,
          { cause },
        );
      }
    }
    weightSpecs.push(...(group.weights ?? []));
  }
  const weights = Buffer.concat(parts);
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  try {
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: doc.modelTopology as object,
        weightSpecs: weightSpecs as never,
        weightData,
      }),
    );
    return { model, names: topologyNames(doc.modelTopology) };
  } catch (cause) {
    throw new ServingError(
      "MODEL_INVALID",
      `${file}: TensorFlow.js cannot load the model (${(cause as Error).message}); serve a layers model.json`,
      { cause },
    );
  }
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : undefined;

/**
 * Input and output names as the file writes them (TensorFlow.js renames layers whose names
 * are already taken in the process, so the loaded model's names are not stable): a
 * functional model's `input_layers` / `output_layers`, a Sequential model's
 * `<first layer>_input` and its last layer (Keras' names).
 */
function topologyNames(topology: unknown): { inputs: string[]; outputs: string[] } {
  const top = obj(topology);
  const model = obj(top?.model_config) ?? top;
  const config = obj(model?.config);
  const layers = (Array.isArray(config?.layers) ? config.layers : Array.isArray(model?.config) ? model.config : [])
    .map(obj)
    .filter((l): l is Json => l !== undefined);
  const layerName = (l: Json | undefined) => {
    const name = obj(l?.config)?.name ?? l?.name;
    return typeof name === "string" ? name : "";
  };
  const refs = (v: unknown) =>
    Array.isArray(v) ? v.map((r) => (Array.isArray(r) && typeof r[0] === "string" ? r[0] : "")) : [];
  const inputs = refs(config?.input_layers ?? config?.inputLayers);
  const outputs = refs(config?.output_layers ?? config?.outputLayers);
  return {
    inputs: inputs.length > 0 ? inputs : layers.length > 0 ? [`${layerName(layers[0])}_input`] : [],
    outputs: outputs.length > 0 ? outputs : layers.length > 0 ? [layerName(layers[layers.length - 1])] : [],
  };
}

function specsOf(model: LayersModel, names: { inputs: string[]; outputs: string[] }) {
  const spec = (
    name: string | undefined,
    t: { name: string; shape: (number | null)[]; dtype: string },
  ): TensorSpec => ({
    name: name || t.name,
    datatype: TF_DATATYPE[t.dtype] ?? "FP32",
    shape: t.shape.map((d) => (d === null ? -1 : d)),
  });
  return {
    inputs: model.inputs.map((t, i) => spec(names.inputs[i], t)),
    outputs: model.outputs.map((t, i) => spec(names.outputs[i], t)),
  };
}

/** The inputs and outputs of a layers `model.json`, as TensorFlow.js loads it. */
export async function inspectTfjs(file: string): Promise<{ inputs: TensorSpec[]; outputs: TensorSpec[] }> {
  const tf = await importTfjs(file);
  const { model, names } = await loadLayersModel(tf, file);
  try {
    return specsOf(model, names);
  } finally {
    model.dispose();
  }
}

/** Loads a layers model as a backend. */
export async function loadTfjsBackend(file: string, options: { label: string }): Promise<Backend> {
  const tf = await importTfjs(file);
  const loaded = await loadLayersModel(tf, file);
  let model: LayersModel | undefined = loaded.model;
  const { inputs, outputs } = specsOf(loaded.model, loaded.names);
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  return {
    platform: "tensorflow_js",
    inputs,
    outputs,
    async run(given, outputNames) {
      const m = model;
      if (!m) throw new ServingError("UNAVAILABLE", `${options.label} is unloaded; retry`);
      const byName = new Map(given.map((t) => [t.name, t]));
      const xs = inputs.map((spec) => {
        const t = byName.get(spec.name);
        if (!t) throw new ServingError("INVALID_ARGUMENT", `${options.label}: input ${spec.name} is missing`);
        const dtype = TF_DTYPE[t.datatype];
        if (!dtype)
          throw new ServingError(
            "INVALID_ARGUMENT",
            `${options.label}: input ${t.name} is ${t.datatype}; TensorFlow.js takes ${spec.datatype}`,
          );
        const values =
          t.datatype === "BYTES" ? (t.data as Uint8Array[]).map((b) => decoder.decode(b)) : (t.data as Float32Array);
        return tf.tensor(values, t.shape, dtype);
      });
      let ys: import("@tensorflow/tfjs").Tensor[] = [];
      try {
        const y = m.predict(xs.length === 1 ? xs[0]! : xs);
        ys = Array.isArray(y) ? y : [y];
        const wanted = outputNames ?? outputs.map((o) => o.name);
        const result: Tensor[] = [];
        for (const name of wanted) {
          const at = outputs.findIndex((o) => o.name === name);
          if (at < 0) throw new ServingError("INVALID_ARGUMENT", `${options.label}: no output named ${name}`);
          const y = ys[at]!;
          const datatype = TF_DATATYPE[y.dtype] ?? "FP32";
          const values = await y.data();
          const data: TensorData =
            datatype === "BYTES"
              ? (values as unknown as Uint8Array[]).map((v) => (typeof v === "string" ? encoder.encode(v) : v))
              : (values as Float32Array);
          result.push({ name, datatype, shape: y.shape, data });
        }
        return result;
      } catch (e) {
        if (e instanceof ServingError) throw e;
        throw new ServingError(
          "INTERNAL",
          `${options.label}: TensorFlow.js failed running the request: ${(e as Error).message}`,
        );
      } finally {
        tf.dispose(xs);
        tf.dispose(ys);
      }
    },
    async close() {
      model?.dispose();
      model = undefined;
    },
  };
}

/**
 * What `deployModel` writes for a cluster: a Triton model repository (`<name>/config.pbtxt`
 * with the model's inputs, outputs and dynamic batching, and `<name>/<version>/model.onnx`)
 * and a KServe `InferenceService` manifest that serves it with the Triton runtime.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ComponentError } from "./errors.ts";
import type { OnnxInfo, OnnxTensorInfo } from "./onnx-info.ts";

/** The Triton configuration deployModel writes. */
export interface TritonModelConfig {
  name: string;
  /** 0: no batch dimension. */
  maxBatchSize: number;
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
  /** Dynamic batching's queue delay; absent: no `dynamic_batching` block. */
  maxQueueDelayMicroseconds?: number;
}

/** Triton model names: the folder name of the model in the repository. */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * Checks a served model name (a folder of the Triton repository, a path segment of the
 * protocol's routes).
 *
 * @throws ComponentError `DEPLOY_INVALID_INPUT`.
 */
export function checkServedName(name: string): string {
  if (!MODEL_NAME.test(name) || name.includes("..")) {
    throw new ComponentError(
      "DEPLOY_INVALID_INPUT",
      `deployModel: served_name ${JSON.stringify(name)} cannot name a served model; use letters, digits, "-", "_" or "." (at most 128, starting with a letter or digit)`,
    );
  }
  return name;
}

/**
 * The Triton configuration of an ONNX model: when the first dimension of every input and
 * output is variable it is the batch dimension (left out of `dims`, as Triton writes it)
 * and requests are batched up to `maxBatchSize`; otherwise the model does not batch.
 */
export function tritonConfigOf(
  name: string,
  info: OnnxInfo,
  options: { maxBatchSize: number; maxQueueDelayMicroseconds: number },
): TritonModelConfig {
  const all = [...info.inputs, ...info.outputs];
  const batched = options.maxBatchSize > 0 && all.every((t) => t.dims.length > 0 && t.dims[0] === -1);
  const strip = (t: OnnxTensorInfo) => (batched ? { ...t, dims: t.dims.slice(1) } : t);
  return {
    name,
    maxBatchSize: batched ? options.maxBatchSize : 0,
    inputs: info.inputs.map(strip),
    outputs: info.outputs.map(strip),
    ...(batched ? { maxQueueDelayMicroseconds: options.maxQueueDelayMicroseconds } : {}),
  };
}

function tensorBlock(kind: "input" | "output", tensors: OnnxTensorInfo[]): string[] {
  const lines = [`${kind} [`];
  tensors.forEach((t, i) => {
    // a scalar (per row, once the batch dimension is left out): Triton takes no empty dims,
    // and writes it as dims [1] reshaped to []
    const scalar = t.dims.length === 0;
    lines.push(
      "  {",
      `    name: ${JSON.stringify(t.name)}`,
      `    data_type: ${t.dataType}`,
      `    dims: [ ${scalar ? "1" : t.dims.join(", ")} ]`,
      ...(scalar ? ["    reshape: { shape: [ ] }"] : []),
      i === tensors.length - 1 ? "  }" : "  },",
    );
  });
  lines.push("]");
  return lines;
}

/** `config.pbtxt` in Triton's text format. */
export function writeConfigPbtxt(config: TritonModelConfig): string {
  const lines = [
    `name: ${JSON.stringify(config.name)}`,
    `platform: "onnxruntime_onnx"`,
    `max_batch_size: ${config.maxBatchSize}`,
    ...tensorBlock("input", config.inputs),
    ...tensorBlock("output", config.outputs),
    "instance_group [ { count: 1, kind: KIND_CPU } ]",
  ];
  if (config.maxQueueDelayMicroseconds !== undefined) {
    lines.push(`dynamic_batching { max_queue_delay_microseconds: ${config.maxQueueDelayMicroseconds} }`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Writes `<dir>/<name>/config.pbtxt` and `<dir>/<name>/<version>/model.onnx`; returns the
 * files written.
 */
export function writeTritonRepository(
  dir: string,
  config: TritonModelConfig,
  version: string,
  modelFile: string,
): string[] {
  checkServedName(config.name);
  if (!/^[1-9][0-9]{0,17}$/.test(version)) {
    throw new ComponentError(
      "DEPLOY_INVALID_INPUT",
      `deployModel: version ${JSON.stringify(version)} cannot name a Triton version folder; versions are positive integers`,
    );
  }
  const modelDir = join(dir, config.name);
  mkdirSync(join(modelDir, version), { recursive: true });
  const pbtxt = join(modelDir, "config.pbtxt");
  const onnx = join(modelDir, version, "model.onnx");
  writeFileSync(pbtxt, writeConfigPbtxt(config));
  copyFileSync(modelFile, onnx);
  return [pbtxt, onnx];
}

/** Kubernetes names: lowercase DNS-1123 labels. */
export function kubernetesName(name: string): string {
  const out = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return out === "" ? "model" : out;
}

/** What the InferenceService manifest says. */
export interface ManifestOptions {
  /** The InferenceService's name (made a DNS-1123 label). */
  name: string;
  /** Where the cluster reads the Triton repository (`s3://...`, `gs://...`, `pvc://...`). */
  storageUri: string;
  namespace?: string;
  /** The model URI deployed, recorded as an annotation. */
  modelUri?: string;
  /** The version deployed, recorded as an annotation. */
  version?: string;
}

/** YAML scalars as JSON strings (valid YAML, and nothing in them can be misread). */
const q = (s: string) => JSON.stringify(s);

/**
 * A KServe `InferenceService` (serving.kserve.io/v1beta1) that serves the Triton repository
 * at `storageUri` with KServe's Triton runtime over the Open Inference Protocol (v2).
 */
export function inferenceServiceManifest(options: ManifestOptions): string {
  const annotations: string[] = [];
  if (options.modelUri) annotations.push(`    weft.dev/model-uri: ${q(options.modelUri)}`);
  if (options.version) annotations.push(`    weft.dev/model-version: ${q(options.version)}`);
  return [
    "apiVersion: serving.kserve.io/v1beta1",
    "kind: InferenceService",
    "metadata:",
    `  name: ${q(kubernetesName(options.name))}`,
    ...(options.namespace ? [`  namespace: ${q(kubernetesName(options.namespace))}`] : []),
    ...(annotations.length > 0 ? ["  annotations:", ...annotations] : []),
    "spec:",
    "  predictor:",
    "    model:",
    "      modelFormat:",
    "        name: onnx",
    "      runtime: kserve-tritonserver",
    "      protocolVersion: v2",
    `      storageUri: ${q(options.storageUri)}`,
    "",
  ].join("\n");
}

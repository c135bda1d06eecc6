/**
 * A model configuration as Triton's `GET /v2/models/<m>/config` answers it: the protobuf
 * `ModelConfig` in its JSON form (`max_batch_size`, `input`/`output` with `data_type`
 * `TYPE_FP32` etc. and `dims`, `dynamic_batching`, `version_policy`, `instance_group`).
 */
import { tritonDataType } from "../pbtxt.ts";
import type { ModelConfig, TensorSpec } from "../types.ts";

function tensor(spec: TensorSpec): Record<string, unknown> {
  return { name: spec.name, data_type: tritonDataType(spec.datatype), dims: spec.shape };
}

/** The JSON form of a model configuration, as Triton's config route returns it. */
export function configJson(config: ModelConfig): Record<string, unknown> {
  const policy = config.versionPolicy;
  const out: Record<string, unknown> = {
    name: config.name,
    platform: config.platform,
    backend: config.platform === "onnxruntime_onnx" ? "onnxruntime" : "tensorflow_js",
    max_batch_size: config.maxBatchSize,
    input: config.inputs.map(tensor),
    output: config.outputs.map(tensor),
    version_policy:
      policy.kind === "latest"
        ? { latest: { num_versions: policy.numVersions } }
        : policy.kind === "specific"
          ? { specific: { versions: policy.versions } }
          : { all: {} },
  };
  if (config.dynamicBatching !== undefined) {
    out.dynamic_batching = {
      preferred_batch_size: config.dynamicBatching.preferredBatchSize,
      max_queue_delay_microseconds: config.dynamicBatching.maxQueueDelayMicroseconds,
    };
  }
  if (config.instanceCount !== undefined) out.instance_group = [{ count: config.instanceCount, kind: "KIND_CPU" }];
  return out;
}

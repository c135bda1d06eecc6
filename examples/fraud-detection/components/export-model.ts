/** `export`: the best model as ONNX, checked in onnxruntime-node, plus a Triton model repository. */
import { writeFileSync } from "node:fs";
import { artifact, component, param } from "weft";
import { readSplit } from "../lib/dataset-io.ts";
import { readModel } from "../lib/model.ts";
import { buildOnnxModel, checkOnnxAgainstReference, TRITON_MODEL_NAME, writeTritonRepository } from "../lib/onnx.ts";

/**
 * Builds the ONNX graph with onnx-proto, checks it against the tfjs predictions on test
 * rows (max |difference| <= 1e-5), and writes `fraud_detection/config.pbtxt` and
 * `fraud_detection/1/model.onnx` under the Triton repository artifact.
 */
export const exportModel = component({
  name: "export",
  description: "Exports the best model to ONNX (checked in onnxruntime-node) and a Triton model repository.",
  packages: ["onnxruntime-node@1.30.0", "onnx-proto@8.0.1"],
  inputs: { best_model: artifact.Model, test: artifact.Dataset },
  outputs: { onnx_model: artifact.Model, triton_repository: artifact.Artifact, max_abs_diff: param.float() },
  async run({ best_model, test }, { onnx_model, triton_repository }) {
    const model = readModel(best_model.path);
    const bytes = await buildOnnxModel(model);
    const split = readSplit(test.path);
    const diff = await checkOnnxAgainstReference(model, bytes, split.features);
    writeFileSync(onnx_model.path, bytes);
    onnx_model.framework = "onnx";
    Object.assign(onnx_model.metadata, {
      kind: model.kind,
      opset: 13,
      input: "features",
      output: "fraud_probability",
      features: model.featureNames.length,
      max_abs_diff_vs_tfjs: diff,
    });
    const files = writeTritonRepository(triton_repository.path, bytes, model.featureNames.length);
    triton_repository.metadata.model_name = TRITON_MODEL_NAME;
    console.log(`export: ${model.kind} -> ONNX (${bytes.length} bytes), max |onnx - tfjs| = ${diff.toExponential(2)}`);
    console.log(`export: Triton repository ${files.join(", ")}`);
    return { max_abs_diff: diff };
  },
});

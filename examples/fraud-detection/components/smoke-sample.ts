/** `smoke-sample`: test rows and the pipeline's own predictions for them, as deployModel's smoke test. */
import { writeFileSync } from "node:fs";
import { artifact, component, param } from "weft";
import { readSplit } from "../lib/dataset-io.ts";
import { FraudPipelineError } from "../lib/errors.ts";
import { readModel } from "../lib/model.ts";
import { ONNX_INPUT, ONNX_OUTPUT } from "../lib/onnx.ts";

/**
 * Writes the first `rows` test rows as an Open Inference Protocol request and, as the
 * expected outputs, the training framework's predictions for them (which the export step
 * checked the ONNX model against, within 1e-5): a served model must answer the same.
 */
export const smokeSample = component({
  name: "smoke_sample",
  description: "Test rows and the trained model's predictions for them, as the smoke test of a deployment.",
  inputs: { best_model: artifact.Model, test: artifact.Dataset, rows: param.int({ default: 16 }) },
  outputs: { smoke_test: artifact.Artifact },
  run({ best_model, test, rows }, { smoke_test }) {
    const model = readModel(best_model.path);
    const reference = model.reference?.predictions ?? [];
    const width = model.featureNames.length;
    const split = readSplit(test.path);
    const n = Math.min(rows, reference.length, split.header.rows);
    if (n < 1) {
      throw new FraudPipelineError(
        "FRAUD_MODEL_FORMAT",
        "smoke-sample: the model has no reference predictions or the test split no rows; train it with the train component",
      );
    }
    const smoke = {
      inputs: [
        {
          name: ONNX_INPUT,
          datatype: "FP32",
          shape: [n, width],
          data: Array.from(split.features.subarray(0, n * width)),
        },
      ],
      expected: { [ONNX_OUTPUT]: reference.slice(0, n) },
      tolerance: 1e-4,
    };
    writeFileSync(smoke_test.path, JSON.stringify(smoke));
    Object.assign(smoke_test.metadata, { rows: n, input: ONNX_INPUT, output: ONNX_OUTPUT, tolerance: 1e-4 });
  },
});

/** `explain`: sampling Shapley values of the exported ONNX model for test rows, ranked in Markdown. */
import { readFileSync, writeFileSync } from "node:fs";
import { artifact, component, param } from "weft";
import { readSplit } from "../lib/dataset-io.ts";
import { loadOnnx } from "../lib/onnx.ts";
import { permutationShap, shapMarkdown } from "../lib/shap.ts";

/** Explains the exported model with permutation-sampling SHAP on frauds and legitimate test rows. */
export const explain = component({
  name: "explain",
  description: "Permutation-sampling Shapley values of the exported ONNX model for a sample of test rows.",
  packages: ["onnxruntime-node@1.30.0"],
  inputs: {
    onnx_model: artifact.Model,
    test: artifact.Dataset,
    sample_rows: param.int({ default: 64 }),
    permutations: param.int({ default: 16 }),
    seed: param.int({ default: 42 }),
  },
  outputs: { shap_report: artifact.Markdown, top_feature: param.string() },
  async run({ onnx_model, test, sample_rows, permutations, seed }, { shap_report }) {
    const split = readSplit(test.path);
    const width = split.header.featureNames.length;
    const scorer = await loadOnnx(readFileSync(onnx_model.path), width);
    // Explain half frauds, half legitimate rows; background: the first 200 legitimate rows.
    const frauds: number[] = [];
    const legit: number[] = [];
    split.labels.forEach((y, i) => {
      (y > 0.5 ? frauds : legit).push(i);
    });
    const half = Math.floor(sample_rows / 2);
    const picked = [
      ...frauds.slice(0, half),
      ...legit.slice(legit.length - (sample_rows - Math.min(half, frauds.length))),
    ];
    const gather = (idx: number[]) => {
      const out = new Float32Array(idx.length * width);
      idx.forEach((i, r) => {
        out.set(split.features.subarray(i * width, (i + 1) * width), r * width);
      });
      return out;
    };
    const result = await permutationShap(
      (x) => scorer.predict(x),
      split.header.featureNames,
      gather(picked),
      gather(legit.slice(0, 200)),
      { permutations, seed },
    );
    writeFileSync(shap_report.path, shapMarkdown(result, "Fraud model: feature attributions (SHAP)"));
    let top = 0;
    result.meanAbs.forEach((v, j) => {
      if (v > (result.meanAbs[top] as number)) top = j;
    });
    const name = result.featureNames[top] ?? "";
    Object.assign(shap_report.metadata, { rows: picked.length, permutations, top_feature: name });
    console.log(`explain: ${picked.length} rows x ${permutations} permutations; top feature ${name}`);
    return { top_feature: name };
  },
});

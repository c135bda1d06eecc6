/**
 * TensorFlow.js layers models for the serving tests, saved as `model.save()` writes them
 * to disk: `model.json` (topology and weights manifest) beside `weights.bin`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

type Tf = typeof import("@tensorflow/tfjs");
type Layer = ReturnType<Tf["layers"]["dense"]>;

/** Builds a sequential model of `layers(tf)`, saves it in `folder`, and returns it with its `model.json`. */
export async function saveLayersModel(folder: string, layers: (tf: Tf) => Layer[]) {
  const tf = await import("@tensorflow/tfjs");
  tf.enableProdMode();
  const model = tf.sequential({ layers: layers(tf) });
  mkdirSync(folder, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      writeFileSync(join(folder, "weights.bin"), new Uint8Array(artifacts.weightData as ArrayBuffer));
      writeFileSync(
        join(folder, "model.json"),
        JSON.stringify({
          format: "layers-model",
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }],
        }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  return { tf, model, file: join(folder, "model.json") };
}

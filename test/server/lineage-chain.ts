/**
 * A fraud-detection-like chain of four container tasks for artifact and lineage tests:
 * `load` writes transactions (CSV), `features` reads them and writes a feature directory
 * (nested files) and a scaler (JSON), `train` reads the features and writes a model (binary,
 * no extension in its path) and `evaluate` reads the model and the features and writes a
 * report (Markdown). Lineage from `model` reaches `transactions` three executions upstream.
 */
import type { ComponentSpec, PipelinePackage } from "../../src/ir/index.ts";
import { from, IrBuilder, task } from "../engine/ir-builder.ts";

const out = (name: string) => `{{$.outputs.artifacts['${name}'].path}}`;
const inp = (name: string) => `{{$.inputs.artifacts['${name}'].path}}`;

/** The files of the `features` directory artifact, as `tar -tf` lists them under `features/`. */
export const FEATURE_FILES = ["features/", "features/meta/", "features/meta/schema.json", "features/part-0.csv"];

/** The pipeline, named `name`. */
export function lineageChainPipeline(name = "fraud-chain"): PipelinePackage {
  const pkg = new IrBuilder(name)
    .sh("load", `printf 'amount,label\\n12.5,0\\n990,1\\n' > ${out("transactions")}`, { outArt: ["transactions"] })
    .sh(
      "features",
      `d=${out("features")}; mkdir -p "$d/meta"; cp ${inp("transactions")} "$d/part-0.csv"; echo '{"cols":2}' > "$d/meta/schema.json"; echo '{"mean":1}' > ${out("scaler")}`,
      { inArt: ["transactions"], outArt: ["features", "scaler"] },
    )
    .sh("train", `printf '\\010\\007\\022\\004weft' > ${out("model")}; ls ${inp("features")} > /dev/null`, {
      inArt: ["features"],
      outArt: ["model"],
    })
    .sh(
      "evaluate",
      `ls ${inp("model")} ${inp("features")} > /dev/null; printf '# Report\\n\\nauc 0.9\\n' > ${out("report")}`,
      {
        inArt: ["model", "features"],
        outArt: ["report"],
      },
    )
    .root({
      load: task("load"),
      features: task("features", {
        dependentTasks: ["load"],
        inputs: { artifacts: { transactions: from.artifact("load", "transactions") } },
      }),
      train: task("train", {
        dependentTasks: ["features"],
        inputs: { artifacts: { features: from.artifact("features", "features") } },
      }),
      evaluate: task("evaluate", {
        dependentTasks: ["train", "features"],
        inputs: {
          artifacts: { model: from.artifact("train", "model"), features: from.artifact("features", "features") },
        },
      }),
    })
    .build();
  const components = pkg.pipelineSpec.components as Record<string, ComponentSpec>;
  const retype = (component: string, side: "inputDefinitions" | "outputDefinitions", key: string, title: string) => {
    const def = components[component]?.[side]?.artifacts?.[key];
    if (def) def.artifactType = { schemaTitle: title, schemaVersion: "0.0.1" };
  };
  retype("comp-train", "outputDefinitions", "model", "system.Model");
  retype("comp-evaluate", "inputDefinitions", "model", "system.Model");
  retype("comp-evaluate", "outputDefinitions", "report", "system.Markdown");
  return pkg;
}

import { readFileSync, writeFileSync } from "node:fs";
import { artifact, component, oneOf, param, pipeline, when } from "../../src/index.ts";

/** Mirrors the corpus pipeline `critical/if_else_with_oneof_artifacts`: OneOf of artifacts consumed and returned. */
export const flipCoin = component({ name: "flip_coin", outputs: { Output: param.string() }, run: () => "heads" });

export const paramToArtifact = component({
  name: "param_to_artifact",
  inputs: { val: param.string() },
  outputs: { a: artifact.Artifact },
  run: ({ val }, { a }) => {
    writeFileSync(a.path, val);
  },
});

export const printArtifact = component({
  name: "print_artifact",
  inputs: { a: artifact.Artifact },
  run: ({ a }) => {
    console.log(readFileSync(a.path, "utf8"));
  },
});

export const flipCoinPipeline = pipeline({ name: "flip-coin-pipeline" }, () => {
  const flip = flipCoin();
  const made: Array<ReturnType<typeof paramToArtifact>> = [];
  when(flip.outputs.Output.eq("heads"), () => {
    made.push(paramToArtifact({ val: flip.outputs.Output }));
  }).otherwise(() => {
    made.push(paramToArtifact({ val: flip.outputs.Output }));
  });
  const [heads, tails] = made as [ReturnType<typeof paramToArtifact>, ReturnType<typeof paramToArtifact>];
  const x = oneOf(heads.outputs.a, tails.outputs.a);
  printArtifact({ a: x });
  return { Output: x };
});

export default pipeline({ name: "outer-pipeline" }, () => {
  const flip = flipCoinPipeline();
  printArtifact({ a: flip.outputs.Output });
});

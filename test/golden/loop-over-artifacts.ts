import { writeFileSync } from "node:fs";
import { artifact, component, parallelFor, pipeline } from "../../src/index.ts";
import { trainModel } from "./_components.ts";

/** A loop over a list of artifacts produced by one task (an artifact iterator). */
export const shard = component({
  name: "shard",
  outputs: { shards: artifact.Dataset.list() },
  run: (_inputs, { shards }) => {
    writeFileSync(shards.path, "");
  },
});

export default pipeline({ name: "loop-over-artifacts" }, () => {
  const s = shard();
  parallelFor(s.outputs.shards, (part) => {
    trainModel({ data: part });
  });
});

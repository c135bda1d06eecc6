import { collected, parallelFor, pipeline } from "../../src/index.ts";
import { makeDataset, pickBest, trainModel } from "./_components.ts";

/** Fan-in of artifacts produced in a loop (a list-of-artifacts input), also returned as a pipeline output. */
export default pipeline({ name: "collected-artifacts" }, () => {
  const data = makeDataset();
  const trained = parallelFor(["mlp", "logreg", "tree"], (kind) => trainModel({ data: data.outputs.data, kind }));
  const best = pickBest({ models: collected(trained.outputs.model) });
  return { best: best.outputs.best, all: collected(trained.outputs.model), scores: collected(trained.outputs.score) };
});

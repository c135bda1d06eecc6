import { param, pipeline } from "../../src/index.ts";
import { makeDataset, trainModel } from "./_components.ts";

/** A pipeline with outputs (a model and a score), used as a component by another pipeline. */
export const training = pipeline({ name: "training", params: { rows: param.int({ default: 1000 }) } }, (p) => {
  const data = makeDataset({ rows: p.rows });
  const trained = trainModel({ data: data.outputs.data });
  return { model: trained.outputs.model, score: trained.outputs.score };
});

export default pipeline({ name: "pipeline-outputs" }, () => {
  const first = training({ rows: 10 });
  const second = training();
  const data = makeDataset();
  trainModel({ data: data.outputs.data, lr: first.outputs.score }).after(second);
  return { model: first.outputs.model };
});

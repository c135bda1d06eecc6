import { collected, parallelFor, param, pipeline, when } from "../../src/index.ts";
import { makeDataset, sumNumbers, trainModel } from "./_components.ts";

/** A fan-in consumed inside a condition: the loop's surfaced list enters the condition's DAG. */
export default pipeline({ name: "collected-in-condition", params: { check: param.bool({ default: true }) } }, (p) => {
  const data = makeDataset();
  const trained = parallelFor([0.1, 0.01], (lr) => trainModel({ data: data.outputs.data, lr }));
  when(p.check.eq(true), () => {
    sumNumbers({ values: collected(trained.outputs.score) });
  });
});

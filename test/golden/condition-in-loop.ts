import { parallelFor, param, pipeline, when } from "../../src/index.ts";
import { echo, makeDataset, trainModel } from "./_components.ts";

/** A condition inside a loop comparing a loop task's output with a pipeline parameter. */
export default pipeline(
  {
    name: "condition-in-loop",
    params: { minScore: param.float({ default: 0.5 }), greeting: param.string({ default: "hi" }) },
  },
  (p) => {
    const data = makeDataset();
    parallelFor(["mlp", "logreg"], (kind) => {
      const t = trainModel({ data: data.outputs.data, kind });
      when(t.outputs.score.gte(p.minScore), () => {
        echo({ msg: kind });
        echo({ msg: p.greeting });
      });
    });
  },
);

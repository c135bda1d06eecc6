import { parallelFor, param, pipeline } from "../../src/index.ts";
import { makeDataset, trainModel } from "./_components.ts";

/** A loop over a list of objects given as a pipeline parameter, with field access and a parallelism limit. */
export default pipeline(
  {
    name: "loop-parallelism",
    params: {
      configs: param.list<{ kind: string; lr: number }>({
        default: [
          { kind: "mlp", lr: 0.01 },
          { kind: "logreg", lr: 0.1 },
        ],
        itemType: "STRUCT",
      }),
    },
  },
  (p) => {
    const data = makeDataset({ rows: 500 });
    parallelFor(
      p.configs,
      (cfg) => {
        trainModel({ data: data.outputs.data, kind: cfg.field("kind"), lr: cfg.field("lr") });
      },
      { parallelism: 2 },
    );
  },
);

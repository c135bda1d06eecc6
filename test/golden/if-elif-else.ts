import { param, pipeline, when } from "../../src/index.ts";
import { echo, randomNumber } from "./_components.ts";

/** If / Elif / Else on an integer task output and a pipeline parameter. */
export default pipeline(
  {
    name: "if-elif-else",
    description: "Branches on a random number.",
    params: { threshold: param.int({ default: 50 }) },
  },
  (p) => {
    const n = randomNumber({ low: 0, high: 100 });
    when(
      n.outputs.Output.gt(p.threshold),
      () => {
        echo({ msg: "above the threshold" });
      },
      { name: "above" },
    )
      .elif(n.outputs.Output.eq(p.threshold), () => {
        echo({ msg: "exactly the threshold" });
      })
      .otherwise(() => {
        echo({ msg: "below the threshold" });
      });
  },
);

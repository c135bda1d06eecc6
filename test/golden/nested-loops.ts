import { parallelFor, param, pipeline } from "../../src/index.ts";
import { echo } from "./_components.ts";

/** A loop over a pipeline parameter with a loop over a static list inside it. */
export default pipeline(
  { name: "nested-loops", params: { regions: param.list<string>({ default: ["eu", "us"] }) } },
  (p) => {
    parallelFor(p.regions, (region) => {
      echo({ msg: region });
      parallelFor(["small", "large"], (size) => {
        echo({ msg: size });
        echo({ msg: region });
      });
    });
  },
);

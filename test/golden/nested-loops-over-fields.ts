import { parallelFor, param, pipeline } from "../../src/index.ts";
import { echo } from "./_components.ts";

/** A loop over a list field of each item of an outer loop (KFP's nested loops over item fields). */
export default pipeline(
  {
    name: "nested-loops-over-fields",
    params: {
      groups: param.list<{ name: string; members: string[] }>({
        default: [
          { name: "a", members: ["a1", "a2"] },
          { name: "b", members: ["b1"] },
        ],
        itemType: "STRUCT",
      }),
    },
  },
  (p) => {
    parallelFor(p.groups, (group) => {
      echo({ msg: group.field("name") });
      parallelFor(group.field("members"), (member) => {
        echo({ msg: member });
      });
    });
  },
);

import { component, parallelFor, param, pipeline } from "../../src/index.ts";

/** Mirrors the corpus pipeline `critical/parallel_for_after_dependency`: tasks after a task inside a loop wait for the loop. */
export const printOp = component({
  name: "print_op",
  inputs: { message: param.string() },
  outputs: { Output: param.string() },
  run: ({ message }) => {
    console.log(message);
    return message;
  },
});

export default pipeline({ name: "loop-with-after-dependency-set" }, () => {
  const inLoop = parallelFor([1, 2, 3], () => printOp({ message: "foo" }));
  printOp({ message: "bar" }).after(inLoop);
  printOp({ message: "baz" }).after(inLoop);
});

/** Components of the compiler benchmark, in their own module so their bundles hold only task code. */
import { artifact, component, param } from "../../src/index.ts";

export const source = component({
  name: "source",
  inputs: { seed: param.int({ default: 0 }) },
  outputs: { data: artifact.Dataset, n: param.int() },
  run: ({ seed }) => ({ n: seed }),
});

export const step = component({
  name: "step",
  inputs: { data: artifact.Dataset, n: param.int(), lr: param.float({ default: 0.1 }) },
  outputs: { data: artifact.Dataset, n: param.int() },
  run: ({ n }) => ({ n: n + 1 }),
});

/**
 * Type tests of the tuning space: a trial's parameter types come from the space.
 * Compiled by Vitest's typecheck (and `tsc`).
 */
import { describe, expectTypeOf, it } from "vitest";
import { categorical, defineExperiment, discrete, double, int, type ParamsOf, toExperimentSpec } from "./sdk.ts";

const space = {
  lr: double(1e-4, 1e-1, { log: true }),
  units: int(16, 256, { step: 16 }),
  batch: discrete([32, 64, 128]),
  optimizer: categorical(["adam", "sgd"]),
  momentum: double(0.5, 0.99).when("optimizer", ["sgd"]),
  nesterov: categorical(["yes", "no"]).when("optimizer", ["sgd"]),
};

describe("ParamsOf", () => {
  it("gives numbers, unions of literals, and optional conditional parameters", () => {
    type P = ParamsOf<typeof space>;
    expectTypeOf<P["lr"]>().toEqualTypeOf<number>();
    expectTypeOf<P["units"]>().toEqualTypeOf<number>();
    expectTypeOf<P["batch"]>().toEqualTypeOf<32 | 64 | 128>();
    expectTypeOf<P["optimizer"]>().toEqualTypeOf<"adam" | "sgd">();
    expectTypeOf<P>().toEqualTypeOf<{
      readonly lr: number;
      readonly units: number;
      readonly batch: 32 | 64 | 128;
      readonly optimizer: "adam" | "sgd";
      readonly momentum?: number;
      readonly nesterov?: "yes" | "no";
    }>();
  });

  it("types a trial function's argument from the space", () => {
    defineExperiment({
      name: "typed",
      space,
      objective: { metric: "accuracy", goal: "maximize" },
      trial: (params) => {
        expectTypeOf(params.optimizer).toEqualTypeOf<"adam" | "sgd">();
        expectTypeOf(params.momentum).toEqualTypeOf<number | undefined>();
        // @ts-expect-error not a parameter of the space
        void params.dropout;
        return { accuracy: params.lr };
      },
      constraints: { smallBatchLowLr: (p) => p.batch !== 32 || p.lr < 0.01 },
    });
  });

  it("checks a pipeline trial's mapping names space parameters", () => {
    toExperimentSpec({
      name: "p",
      space,
      objective: [
        { metric: "accuracy", goal: "maximize" },
        { metric: "seconds", goal: "minimize" },
      ],
      trial: { pipeline: "./train.ts", parameters: { learning_rate: "lr", hidden: "units" } },
    });
    toExperimentSpec({
      name: "p",
      space,
      objective: { metric: "accuracy", goal: "maximize" },
      // @ts-expect-error "dropout" is not a parameter of the space
      trial: { pipeline: "./train.ts", parameters: { learning_rate: "dropout" } },
    });
  });

  it("rejects wrong builder arguments", () => {
    // @ts-expect-error categorical lists strings
    categorical([1, 2]);
    // @ts-expect-error discrete lists numbers
    discrete(["a"]);
    // @ts-expect-error goals are minimize or maximize
    defineExperiment({ name: "x", space, objective: { metric: "a", goal: "max" }, trial: () => ({ a: 1 }) });
  });
});

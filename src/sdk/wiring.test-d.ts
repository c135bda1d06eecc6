/**
 * Type tests of the wiring rules: misuse is a TypeScript error at the call site.
 * Compiled by Vitest's typecheck (and `tsc`).
 */
import { describe, expectTypeOf, it } from "vitest";
import type { ClassificationMetrics, Dataset, ExecutableComponent, Metrics, Model } from "../executor/index.ts";
import type { ArtifactChannel, ParamChannel } from "./channel.ts";
import { component } from "./component.ts";
import { collected, oneOf, parallelFor, when } from "./control-flow.ts";
import { pipeline } from "./pipeline.ts";
import { artifact, param, type TaskFinalStatus } from "./types.ts";

const makeData = component({
  name: "make_data",
  inputs: { rows: param.int({ default: 10 }) },
  outputs: { data: artifact.Dataset, count: param.int(), label: param.string() },
  run: ({ rows }) => ({ count: rows, label: "x" }),
});

const train = component({
  name: "train",
  inputs: { data: artifact.Dataset, lr: param.float(), tags: param.list<string>({ optional: true }) },
  outputs: { model: artifact.Model, metrics: artifact.Metrics, auc: param.float() },
  run: () => ({ auc: 0.5 }),
});

const anyArtifact = component({ name: "any_artifact", inputs: { a: artifact.Artifact }, run: () => {} });
const many = component({ name: "many", inputs: { models: artifact.Model.list() }, run: () => {} });

describe("run() argument types are inferred from the schemas", () => {
  it("gives parameters their value types and artifacts their runtime classes", () => {
    component({
      name: "inferred",
      inputs: {
        n: param.int(),
        s: param.string({ default: "a" }),
        maybe: param.float({ optional: true }),
        cfg: param.object<{ depth: number }>(),
        items: param.list<string>(),
        data: artifact.Dataset,
        models: artifact.Model.list(),
        status: param.taskFinalStatus(),
      },
      outputs: {
        model: artifact.Model,
        metrics: artifact.Metrics,
        roc: artifact.ClassificationMetrics,
        n: param.int(),
      },
      run(inputs, outputs) {
        expectTypeOf(inputs.n).toEqualTypeOf<number>();
        expectTypeOf(inputs.s).toEqualTypeOf<string>();
        expectTypeOf(inputs.maybe).toEqualTypeOf<number | undefined>();
        expectTypeOf(inputs.cfg).toEqualTypeOf<{ depth: number }>();
        expectTypeOf(inputs.items).toEqualTypeOf<string[]>();
        expectTypeOf(inputs.data).toEqualTypeOf<Dataset>();
        expectTypeOf(inputs.models).toEqualTypeOf<Model[]>();
        expectTypeOf(inputs.status).toEqualTypeOf<TaskFinalStatus>();
        expectTypeOf(outputs.model).toEqualTypeOf<Model>();
        expectTypeOf(outputs.metrics).toEqualTypeOf<Metrics>();
        expectTypeOf(outputs.roc).toEqualTypeOf<ClassificationMetrics>();
        return { n: 1 };
      },
    });
  });

  it("lets a single output named Output be returned directly, as KFP functions do", () => {
    component({ name: "direct", outputs: { Output: param.string() }, run: () => "heads" });
    component({ name: "wrapped", outputs: { Output: param.string() }, run: () => ({ Output: "tails" }) });
    // @ts-expect-error the Output is a string
    component({ name: "wrong", outputs: { Output: param.string() }, run: () => 3 });
  });

  it("makes components the executor can run", () => {
    expectTypeOf(makeData).toMatchTypeOf<ExecutableComponent>();
    expectTypeOf(train).toMatchTypeOf<ExecutableComponent>();
  });

  it("requires run() to return every output parameter with its type", () => {
    component({
      name: "bad_return",
      outputs: { n: param.int() },
      // @ts-expect-error n must be a number
      run: () => ({ n: "one" }),
    });
    component({
      name: "missing_return",
      outputs: { n: param.int() },
      // @ts-expect-error output parameter n is missing
      run: () => ({}),
    });
  });
});

describe("wiring tasks", () => {
  it("types task outputs as channels", () => {
    pipeline({ name: "outputs" }, () => {
      const d = makeData();
      expectTypeOf(d.outputs.data).toEqualTypeOf<ArtifactChannel<"system.Dataset", false>>();
      expectTypeOf(d.outputs.count).toEqualTypeOf<ParamChannel<number>>();
      const t = parallelFor([1, 2], () => train({ data: d.outputs.data, lr: 0.1 }));
      expectTypeOf(collected(t.outputs.model)).toEqualTypeOf<ArtifactChannel<"system.Model", true>>();
      expectTypeOf(collected(t.outputs.auc)).toEqualTypeOf<ParamChannel<number[]>>();
    });
  });

  it("rejects a Model output where a Dataset input is declared", () => {
    pipeline({ name: "model-into-dataset" }, () => {
      const d = makeData();
      const t = train({ data: d.outputs.data, lr: 0.1 });
      // @ts-expect-error Type '"system.Model"' is not assignable to type '"system.Dataset"'
      train({ data: t.outputs.model, lr: 0.1 });
    });
  });

  it("rejects a string channel or constant for a number parameter", () => {
    pipeline({ name: "string-into-number" }, () => {
      const d = makeData();
      // @ts-expect-error ParamChannel<string> is not assignable to number | ParamChannel<number>
      train({ data: d.outputs.data, lr: d.outputs.label });
      // @ts-expect-error string is not assignable to number
      train({ data: d.outputs.data, lr: "0.1" });
    });
  });

  it("rejects a missing required input and an unknown input name", () => {
    pipeline({ name: "missing-and-unknown" }, () => {
      const d = makeData();
      // @ts-expect-error Property 'lr' is missing
      train({ data: d.outputs.data });
      // @ts-expect-error 'rowz' does not exist in type
      makeData({ rowz: 3 });
      // @ts-expect-error a component with required inputs needs its argument
      train();
    });
  });

  it("accepts any artifact for a generic Artifact input, and only lists for list inputs", () => {
    pipeline({ name: "generic-and-lists" }, () => {
      const d = makeData();
      anyArtifact({ a: d.outputs.data });
      const t = parallelFor(["a"], () => train({ data: d.outputs.data, lr: 1 }));
      many({ models: collected(t.outputs.model) });
      // @ts-expect-error one artifact is not a list of artifacts
      many({ models: d.outputs.data });
    });
  });

  it("types conditions, loop items and oneOf", () => {
    pipeline({ name: "control-flow", params: { min: param.float({ default: 0.5 }) } }, (p) => {
      const d = makeData();
      const t = train({ data: d.outputs.data, lr: 0.1 });
      when(t.outputs.auc.gte(p.min), () => {});
      // @ts-expect-error a float channel is compared with a number, not a string
      t.outputs.auc.gte("high");
      parallelFor([{ kind: "mlp", depth: 2 }], (cfg) => {
        expectTypeOf(cfg.field("depth")).toEqualTypeOf<ParamChannel<number>>();
        // @ts-expect-error "width" is not a field of the items
        cfg.field("width");
      });
      expectTypeOf(oneOf(d.outputs.count, d.outputs.count)).toEqualTypeOf<ParamChannel<number>>();
    });
  });
});

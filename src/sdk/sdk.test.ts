import { describe, expect, it } from "vitest";
import { ArtifactChannel, FormatString, fmt, LoopParamItem, ParamChannel } from "./channel.ts";
import { component, containerComponent } from "./component.ts";
import { collected, exitHandler, oneOf, parallelFor, when } from "./control-flow.ts";
import { SdkError } from "./errors.ts";
import { importer } from "./importer.ts";
import { loadComponentFromText } from "./load-component.ts";
import { pipeline } from "./pipeline.ts";
import {
  concat,
  ifPresent,
  inputPath,
  inputValue,
  outputParameterFile,
  type PlaceholderValue,
  placeholderToString,
} from "./placeholders.ts";
import { durationSeconds, type TaskBase } from "./task.ts";
import { artifact, param } from "./types.ts";

const produce = component({
  name: "produce",
  inputs: { n: param.int({ default: 1 }) },
  outputs: { data: artifact.Dataset, count: param.int() },
  run: ({ n }) => ({ count: n }),
});
const consume = component({
  name: "consume",
  inputs: { data: artifact.Dataset, label: param.string() },
  run: () => {},
});

function sdkError(fn: () => unknown): SdkError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SdkError) return e;
    throw e;
  }
  throw new Error("expected an SdkError");
}

describe("component()", () => {
  it("records the declarations, defaults and the defining module", () => {
    expect(produce.name).toBe("produce");
    expect(produce.inputs.n).toEqual({ kind: "parameter", type: "NUMBER_INTEGER", default: 1 });
    expect(produce.outputs.data).toMatchObject({
      kind: "artifact",
      schemaTitle: "system.Dataset",
      schemaVersion: "0.0.1",
    });
    expect(produce.impl).toMatchObject({ kind: "function", image: "node:20-slim", packages: [] });
    expect((produce.impl as { sourceFile?: string }).sourceFile).toMatch(/src\/sdk\/sdk\.test\.ts$/);
  });

  it("runs the function it was given", async () => {
    expect(await produce.run({ n: 4 }, {} as never)).toEqual({ count: 4 });
  });

  it("rejects invalid names and declarations", () => {
    expect(sdkError(() => component({ name: "bad name", run: () => {} })).message).toContain(
      'name "bad name" is not valid',
    );
    const e = sdkError(() => component({ name: "x", inputs: { a: 3 as never }, run: () => {} }));
    expect(e.code).toBe("SDK_INVALID_COMPONENT");
    expect(e.message).toBe('component "x": inputs.a must be a param.*() or artifact.* declaration');
  });
});

describe("calling components", () => {
  it("only works inside a pipeline body", () => {
    const e = sdkError(() => produce());
    expect(e.code).toBe("SDK_OUTSIDE_PIPELINE");
    expect(e.message).toContain('component "produce" can only be used inside a pipeline body');
  });

  it("names tasks uniquely and wires channels", () => {
    const p = pipeline({ name: "wiring" }, () => {
      const a = produce();
      const b = produce({ n: 2 });
      consume({ data: a.outputs.data, label: "x" }).after(b);
      expect([a.name, b.name]).toEqual(["produce", "produce-2"]);
      expect(a.outputs.data).toBeInstanceOf(ArtifactChannel);
      expect(a.outputs.count.fullName).toBe("produce-count");
    });
    const built = p.build();
    expect([...built.ctx.tasks.keys()]).toEqual(["produce", "produce-2", "consume"]);
    expect((built.ctx.tasks.get("consume") as TaskBase).afterTasks.map((t) => t.name)).toEqual(["produce-2"]);
  });

  it("reports unknown, missing and mistyped inputs with the task and component", () => {
    const run = (body: () => void) => sdkError(() => pipeline({ name: "bad" }, body).build());
    expect(run(() => void produce({ m: 1 } as never)).message).toBe(
      'task "produce" (component "produce"): input "m" is not declared; the component\'s inputs are: n',
    );
    const missing = run(() => void consume({ label: "x" } as never));
    expect(missing.code).toBe("SDK_MISSING_INPUT");
    expect(missing.message).toContain('required input "data" is missing');
    const kind = run(() => {
      const a = produce();
      consume({ data: a.outputs.count as never, label: "x" });
    });
    expect(kind.message).toContain(
      'input "data" is an artifact (system.Dataset) but got the parameter channel "produce-count"',
    );
  });

  it("validates task options", () => {
    pipeline({ name: "options" }, () => {
      const t = produce();
      expect(sdkError(() => t.setCpuLimit("lots")).message).toBe(
        'task "produce": setCpuLimit: "lots" is not a CPU quantity; use e.g. "500m" or "2"',
      );
      expect(sdkError(() => t.setMemoryLimit("4 GB")).code).toBe("SDK_INVALID_ARGUMENT");
      expect(sdkError(() => t.setRetry({ maxRetries: 2, backoff: "soon" })).message).toContain(
        'backoff "soon" is not a duration',
      );
      t.setEnv("A", "1").setEnv("A", "2").setEnv("B", "3");
      expect(t.env).toEqual([
        { name: "A", value: "2" },
        { name: "B", value: "3" },
      ]);
    }).build();
  });
});

describe("control flow", () => {
  it("numbers groups as KFP does, swapping If and condition-branches ids", () => {
    const p = pipeline({ name: "numbering", params: { x: param.int({ default: 1 }) } }, (pp) => {
      when(pp.x.gt(1), () => {
        when(pp.x.gt(2), () => void produce());
      })
        .elif(pp.x.eq(1), () => void produce())
        .otherwise(() => void produce());
      parallelFor([1, 2], () => void produce());
    });
    const root = p.build().ctx.root;
    expect(root.groups.map((g) => g.name)).toEqual(["condition-branches-1", "for-loop-7"]);
    const branches = root.groups[0];
    expect(branches?.groups.map((g) => g.name)).toEqual(["condition-3", "condition-4", "condition-5"]);
    expect(branches?.groups[0]?.groups.map((g) => g.name)).toEqual(["condition-2"]);
    expect(branches?.groups[2]?.conditions.map((c) => c.negate)).toEqual([true, true]);
    const loop = root.groups[1];
    expect(loop?.loopItem?.name).toBe("loop-item-param-6");
  });

  it("makes loop items from static lists and channels", () => {
    pipeline({ name: "loops", params: { xs: param.list<string>() } }, (pp) => {
      parallelFor(pp.xs, (item) => {
        expect(item).toBeInstanceOf(LoopParamItem);
        expect(item.fullName).toBe("xs-loop-item");
        expect(item.paramType).toBe("STRING");
      });
      parallelFor([{ a: 1 }], (item) => {
        expect(item.paramType).toBe("STRUCT");
        expect(item.field("a").name).toBe("loop-item-param-2-subvar-a");
      });
      expect(sdkError(() => parallelFor([], () => {})).message).toContain("the static list of items is empty");
      const t = produce();
      expect(sdkError(() => parallelFor(t.outputs.count as never, () => {})).message).toContain(
        '"produce-count" is a NUMBER_INTEGER parameter; loop over a LIST',
      );
    }).build();
  });

  it("checks collected, oneOf, conditions and exit handlers", () => {
    pipeline({ name: "checks" }, () => {
      const t = produce();
      expect(collected(t.outputs.count)).toBeInstanceOf(ParamChannel);
      expect(sdkError(() => oneOf(t.outputs.count, t.outputs.count)).message).toContain(
        "is not produced inside a when",
      );
      expect(sdkError(() => when(true as never, () => {})).code).toBe("SDK_INVALID_CONTROL_FLOW");
      const dependent = consume({ data: t.outputs.data, label: "x" });
      expect(sdkError(() => exitHandler(dependent, () => {})).message).toBe(
        'exitHandler(): exit task "consume" cannot depend on other tasks',
      );
      parallelFor([1], () => {
        const e = sdkError(() => exitHandler(produce(), () => {}));
        expect(e.message).toBe(
          'exitHandler(): use it at the top level of the pipeline body, not inside for-loop "for-loop-2" (as in KFP)',
        );
      });
    }).build();
  });

  it("returns pipeline outputs and uses a pipeline as a component", () => {
    const inner = pipeline({ name: "inner", params: { n: param.int() } }, (pp) => {
      const t = produce({ n: pp.n });
      return { data: t.outputs.data };
    });
    expect(inner.outputs).toEqual({
      data: { kind: "artifact", schemaTitle: "system.Dataset", schemaVersion: "0.0.1" },
    });
    pipeline({ name: "outer" }, () => {
      const t = inner({ n: 3 });
      expect(t.name).toBe("inner");
      consume({ data: t.outputs.data, label: "y" });
    }).build();
  });
});

describe("importer and placeholders", () => {
  it("adds an importer task with an artifact output", () => {
    pipeline({ name: "imp" }, () => {
      const i = importer({ uri: "gs://b/k", type: artifact.Model });
      expect(i.name).toBe("importer");
      expect(i.outputs.artifact.schemaTitle).toBe("system.Model");
    }).build();
  });

  it("writes placeholders as KFP does", () => {
    expect(placeholderToString(inputValue("x"))).toBe("{{$.inputs.parameters['x']}}");
    expect(placeholderToString(inputPath("d"))).toBe("{{$.inputs.artifacts['d'].path}}");
    expect(placeholderToString(outputParameterFile("n"))).toBe("{{$.outputs.parameters['n'].output_file}}");
    expect(placeholderToString(concat(["--a=", inputValue("a")]))).toBe(
      `{"Concat": ["--a=", "{{$.inputs.parameters['a']}}"]}`,
    );
    expect(placeholderToString(ifPresent("o", ["--o", inputValue("o")], ["é"]))).toBe(
      `{"IfPresent": {"InputName": "o", "Then": ["--o", "{{$.inputs.parameters['o']}}"], "Else": ["\\u00e9"]}}`,
    );
  });

  it("rejects placeholders naming undeclared inputs", () => {
    const e = sdkError(() => containerComponent({ name: "c", image: "alpine", args: [inputValue("nope")] }));
    expect(e.message).toBe(
      'containerComponent "c": a placeholder refers to input parameter "nope", which is not declared; add it to inputs',
    );
  });
});

describe("loadComponentFromText", () => {
  it("reads a compiled component's interface", () => {
    const c = loadComponentFromText(
      [
        "pipelineInfo: { name: add }",
        "root:",
        "  executorLabel: exec-add",
        "  inputDefinitions: { parameters: { a: { parameterType: NUMBER_DOUBLE, defaultValue: 1.0, isOptional: true } } }",
        "  outputDefinitions: { artifacts: { out: { artifactType: { schemaTitle: system.Dataset, schemaVersion: 0.0.1 } } } }",
        "deploymentSpec: { executors: { exec-add: { container: { image: alpine } } } }",
        "schemaVersion: 2.1.0",
      ].join("\n"),
      "add.yaml",
    );
    expect(c.name).toBe("add");
    expect(c.inputs).toEqual({ a: { kind: "parameter", type: "NUMBER_DOUBLE", default: 1, optional: true } });
    expect(c.outputs.out).toMatchObject({ kind: "artifact", schemaTitle: "system.Dataset" });
  });

  it("converts a KFP v1 component.yaml to a container component", () => {
    const c = loadComponentFromText(
      [
        "name: Split text",
        "inputs:",
        "- {name: text, type: String}",
        "- {name: sep, type: String, default: ',', optional: true}",
        "- {name: data, type: Dataset}",
        "outputs:",
        "- {name: parts, type: JsonArray}",
        "- {name: report}",
        "implementation:",
        "  container:",
        "    image: alpine",
        '    command: [sh, -c, \'split "$0" "$1" > "$2"\', {inputValue: text}, {inputPath: data}, {outputPath: parts}]',
        "    args: [{if: {cond: {isPresent: sep}, then: [--sep, {inputValue: sep}]}}, {concat: [--report=, {outputPath: report}]}]",
      ].join("\n"),
      "split.yaml",
    );
    expect(c.name).toBe("Split text");
    expect(c.inputs.sep).toEqual({ kind: "parameter", type: "STRING", default: ",", optional: true });
    expect(c.inputs.data).toMatchObject({ kind: "artifact", schemaTitle: "system.Dataset" });
    expect(c.outputs.parts).toEqual({ kind: "parameter", type: "LIST" });
    expect(c.outputs.report).toMatchObject({ kind: "artifact", schemaTitle: "system.Artifact" });
    const impl = c.impl as unknown as { command: PlaceholderValue[]; args: PlaceholderValue[] };
    expect(impl.command.slice(3).map(placeholderToString)).toEqual([
      "{{$.inputs.parameters['text']}}",
      "{{$.inputs.artifacts['data'].path}}",
      "{{$.outputs.parameters['parts'].output_file}}",
    ]);
    expect(impl.args.map(placeholderToString)).toEqual([
      `{"IfPresent": {"InputName": "sep", "Then": ["--sep", "{{$.inputs.parameters['sep']}}"]}}`,
      `{"Concat": ["--report=", "{{$.outputs.artifacts['report'].path}}"]}`,
    ]);
  });

  it("names the source and the problem", () => {
    expect(sdkError(() => loadComponentFromText("a: [", "x.yaml")).message).toMatch(/^x\.yaml: not valid YAML/);
    expect(sdkError(() => loadComponentFromText("name: x\nimplementation: {}", "v1.yaml")).message).toBe(
      "v1.yaml: implementation.container.image is required (only container components can be loaded)",
    );
    expect(sdkError(() => loadComponentFromText("pipelineInfo: { name: p }\nroot: {}", "r.yaml")).message).toBe(
      "r.yaml: root has neither executorLabel nor dag",
    );
  });
});

describe("fmt", () => {
  it("keeps text and channels apart, inlining constants and nested fmt strings", () => {
    pipeline({ name: "fmt" }, () => {
      const t = produce();
      const inner = fmt`n=${t.outputs.count}`;
      const s = fmt`a ${1} ${inner}, ${t.outputs.count}!` as FormatString;
      expect(s).toBeInstanceOf(FormatString);
      expect(s.strings).toEqual(["a 1 n=", ", ", "!"]);
      expect(s.values.map((v) => v.fullName)).toEqual(["produce-count", "produce-count"]);
    }).build();
  });
});

describe("durationSeconds", () => {
  it("parses KFP-style durations", () => {
    expect(durationSeconds("30s")).toBe(30);
    expect(durationSeconds("1h30m")).toBe(5400);
    expect(durationSeconds("45")).toBe(45);
    // one grammar with the engine and the scheduler: milliseconds and days too
    expect(["500ms", "1d"].map(durationSeconds)).toEqual([0.5, 86_400]);
    expect(durationSeconds("soon")).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { IrError } from "./errors.ts";
import { interpolateString, type PlaceholderContext, resolveCommandLine } from "./placeholder-resolve.ts";
import {
  concatPlaceholder,
  EXECUTOR_INPUT_PLACEHOLDER,
  executorInputPlaceholder,
  ifPresentPlaceholder,
  inputArtifactMetadataPlaceholder,
  inputArtifactPathPlaceholder,
  inputArtifactUriPlaceholder,
  inputParameterPlaceholder,
  outputArtifactPathPlaceholder,
  outputArtifactUriPlaceholder,
  outputParameterPathPlaceholder,
} from "./placeholders.ts";

describe("placeholder builders", () => {
  it("write the strings KFP writes", () => {
    expect(inputParameterPlaceholder("x")).toBe("{{$.inputs.parameters['x']}}");
    expect(inputArtifactPathPlaceholder("d")).toBe("{{$.inputs.artifacts['d'].path}}");
    expect(inputArtifactUriPlaceholder("d")).toBe("{{$.inputs.artifacts['d'].uri}}");
    expect(inputArtifactMetadataPlaceholder("d")).toBe("{{$.inputs.artifacts['d'].metadata}}");
    expect(outputArtifactPathPlaceholder("m")).toBe("{{$.outputs.artifacts['m'].path}}");
    expect(outputArtifactUriPlaceholder("m")).toBe("{{$.outputs.artifacts['m'].uri}}");
    expect(outputParameterPathPlaceholder("o")).toBe("{{$.outputs.parameters['o'].output_file}}");
    expect(executorInputPlaceholder()).toBe(EXECUTOR_INPUT_PLACEHOLDER);
    expect(EXECUTOR_INPUT_PLACEHOLDER).toBe("{{$}}");
  });

  it("write IfPresent and Concat in KFP's JSON form", () => {
    // Both strings appear verbatim in the KFP conformance corpus.
    expect(ifPresentPlaceholder("optional_input_1", ["--arg1", inputParameterPlaceholder("optional_input_1")])).toBe(
      `{"IfPresent": {"InputName": "optional_input_1", "Then": ["--arg1", "{{$.inputs.parameters['optional_input_1']}}"]}}`,
    );
    expect(
      ifPresentPlaceholder(
        "optional_input_2",
        ["--arg2", inputParameterPlaceholder("optional_input_2")],
        ["--arg2", "default value"],
      ),
    ).toBe(
      `{"IfPresent": {"InputName": "optional_input_2", "Then": ["--arg2", "{{$.inputs.parameters['optional_input_2']}}"], "Else": ["--arg2", "default value"]}}`,
    );
    expect(concatPlaceholder(["--n=", inputParameterPlaceholder("n")])).toBe(
      `{"Concat": ["--n=", "{{$.inputs.parameters['n']}}"]}`,
    );
  });

  it("embed nested structured placeholders as objects", () => {
    const nested = concatPlaceholder(["a", ifPresentPlaceholder("x", ["-", inputParameterPlaceholder("x")])]);
    expect(nested).toBe(
      `{"Concat": ["a", {"IfPresent": {"InputName": "x", "Then": ["-", "{{$.inputs.parameters['x']}}"]}}]}`,
    );
    expect(concatPlaceholder(["é"])).toBe('{"Concat": ["\\u00e9"]}');
  });
});

const ctx: PlaceholderContext = {
  parameters: { s: "hello world", n: 5, f: 1.5, b: true, l: ["a", 1], m: { k: "v" }, none: null },
  inputArtifacts: { data: { path: "/art/in/data", uri: "file:///art/in/data", metadata: { rows: 3 } } },
  outputArtifacts: { model: { path: "/art/out/model", uri: "file:///art/out/model" } },
  outputParameterFiles: { sum: "/tmp/outputs/sum" },
  executorInput: { inputs: { parameterValues: { n: 5 } } },
  pipelineJobName: "job-1",
  pipelineJobUuid: "uuid-job",
  pipelineJobResourceName: "runs/uuid-job",
  pipelineTaskName: "train",
  pipelineTaskUuid: "uuid-task",
  workspacePath: "/workspace",
};

describe("resolveCommandLine", () => {
  it("substitutes simple placeholders, strings raw and other values as JSON", () => {
    const args = ["s", "n", "f", "b", "l", "m"].map(inputParameterPlaceholder);
    expect(resolveCommandLine(args, ctx)).toEqual(["hello world", "5", "1.5", "true", '["a",1]', '{"k":"v"}']);
  });

  it("substitutes artifacts, output files, executor input and run values", () => {
    const args = [
      inputArtifactPathPlaceholder("data"),
      inputArtifactUriPlaceholder("data"),
      inputArtifactMetadataPlaceholder("data"),
      outputArtifactPathPlaceholder("model"),
      outputArtifactUriPlaceholder("model"),
      outputParameterPathPlaceholder("sum"),
      "--executor_input",
      "{{$}}",
      "{{$.pipeline_job_name}}/{{$.pipeline_job_uuid}}/{{$.pipeline_job_resource_name}}",
      "{{$.pipeline_task_name}}:{{$.pipeline_task_uuid}}@{{$.workspace_path}}",
    ];
    expect(resolveCommandLine(args, ctx)).toEqual([
      "/art/in/data",
      "file:///art/in/data",
      '{"rows":3}',
      "/art/out/model",
      "file:///art/out/model",
      "/tmp/outputs/sum",
      "--executor_input",
      '{"inputs":{"parameterValues":{"n":5}}}',
      "job-1/uuid-job/runs/uuid-job",
      "train:uuid-task@/workspace",
    ]);
  });

  it("passes a bare artifact placeholder (KFP's list of artifacts) as the executor input's list, in JSON", () => {
    const list = [
      { name: "a", uri: "/s/a", metadata: { n: 1 }, type: { schemaTitle: "system.Dataset", schemaVersion: "0.0.1" } },
      { name: "b", uri: "/s/b", metadata: {}, type: { schemaTitle: "system.Dataset", schemaVersion: "0.0.1" } },
    ];
    const executorInput = {
      inputs: { artifacts: { many: { artifacts: list }, none: { artifacts: [] } } },
      outputs: { artifacts: { out: { artifacts: [{ name: "out", uri: "/s/out", metadata: {} }] } } },
    };
    const args = [
      "{{$.inputs.artifacts['many']}}",
      "{{$.inputs.artifacts['none']}}",
      "--out={{$.outputs.artifacts['out']}}",
    ];
    const expected = [
      JSON.stringify(list),
      "[]",
      `--out=${JSON.stringify(executorInput.outputs.artifacts.out.artifacts)}`,
    ];
    expect(resolveCommandLine(args, { ...ctx, executorInput })).toEqual(expected);
    // the executor input as the JSON text the engine passes
    expect(resolveCommandLine(args, { ...ctx, executorInput: JSON.stringify(executorInput) })).toEqual(expected);
    // without an executor input that lists it, the one artifact of the context
    expect(resolveCommandLine(["{{$.inputs.artifacts['data']}}"], ctx)).toEqual([
      '[{"uri":"file:///art/in/data","metadata":{"rows":3}}]',
    ]);
    expect(() => resolveCommandLine(["{{$.inputs.artifacts['nope']}}"], { ...ctx, where: "task t" })).toThrow(
      "task t: placeholder {{$.inputs.artifacts['nope']}}: no input artifact 'nope' for this task",
    );
  });

  it("substitutes one metadata value: strings raw, others and absent keys as JSON", () => {
    const c = {
      ...ctx,
      inputArtifacts: { d: { path: "/d", uri: "/d", metadata: { s: "text", n: 3, o: { k: [1] } } } },
    };
    const args = ["s", "n", "o", "absent"].map((k) => `{{$.inputs.artifacts['d'].metadata['${k}']}}`);
    expect(resolveCommandLine(args, c)).toEqual(["text", "3", '{"k":[1]}', "null"]);
    expect(() => resolveCommandLine(["{{$.inputs.artifacts['d'].path['s']}}"], c)).toThrow(
      "only .metadata takes a key",
    );
  });

  it("uses IfPresent's Then or Else branch, or drops it", () => {
    const withElse = ifPresentPlaceholder("missing", ["--a"], ["--b", "default value"]);
    const noElse = ifPresentPlaceholder("missing", ["--a", inputParameterPlaceholder("missing")]);
    const present = ifPresentPlaceholder("s", ["--s", inputParameterPlaceholder("s")]);
    const nullValue = ifPresentPlaceholder("none", ["--none"]);
    expect(resolveCommandLine(["echo", withElse, noElse, present, nullValue], ctx)).toEqual([
      "echo",
      "--b",
      "default value",
      "--s",
      "hello world",
    ]);
  });

  it("takes presence from presentInputs when given", () => {
    const arg = ifPresentPlaceholder("s", ["yes"], ["no"]);
    expect(resolveCommandLine([arg], { ...ctx, presentInputs: [] })).toEqual(["no"]);
    expect(resolveCommandLine([arg], { ...ctx, presentInputs: ["s"] })).toEqual(["yes"]);
  });

  it("joins Concat parts and resolves nested forms", () => {
    const inner = ifPresentPlaceholder("n", ["-n", inputParameterPlaceholder("n")]);
    const arg = concatPlaceholder(["--x=", inputParameterPlaceholder("s"), inner, "!"]);
    expect(resolveCommandLine([arg], ctx)).toEqual(["--x=hello world-n5!"]);
    const thenConcat = ifPresentPlaceholder("f", [concatPlaceholder(["--f=", inputParameterPlaceholder("f")])]);
    expect(resolveCommandLine([thenConcat], ctx)).toEqual(["--f=1.5"]);
    // Nested placeholders written as strings inside the JSON are expanded too.
    const asString = JSON.stringify({ Concat: ["<", JSON.stringify({ Concat: ["a", "b"] }), ">"] });
    expect(resolveCommandLine([asString], ctx)).toEqual(["<ab>"]);
  });

  it("leaves ordinary JSON-looking arguments alone", () => {
    expect(resolveCommandLine(['{"a": 1}', "{{not a placeholder}}"], ctx)).toEqual([
      '{"a": 1}',
      "{{not a placeholder}}",
    ]);
  });

  it("throws IrError naming the placeholder when it cannot be resolved", () => {
    const run = (arg: string) => () => resolveCommandLine([arg], { ...ctx, where: "task train" });
    expect(run(inputParameterPlaceholder("nope"))).toThrow(
      "task train: placeholder {{$.inputs.parameters['nope']}}: no value for input parameter 'nope'; supply it or give it a default",
    );
    expect(run(inputArtifactPathPlaceholder("nope"))).toThrow(
      "task train: placeholder {{$.inputs.artifacts['nope'].path}}: no input artifact 'nope' for this task",
    );
    expect(run(outputParameterPathPlaceholder("nope"))).toThrow(
      "task train: placeholder {{$.outputs.parameters['nope'].output_file}}: the component declares no output parameter 'nope'",
    );
    expect(run("{{$.pipeline_bogus}}")).toThrow(
      /placeholder \{\{\$\.pipeline_bogus\}\}: unknown placeholder; supported are/,
    );
    expect(run("{{$}}")).not.toThrow();
    expect(() => resolveCommandLine(["{{$}}"], {})).toThrow(IrError);
  });
});

describe("interpolateString", () => {
  it("replaces placeholders embedded in a constant (lowered f-strings)", () => {
    const template = "heads and {{$.inputs.parameters['pipelinechannel--n']}} > 5 in {{$.pipeline_job_name}}";
    expect(interpolateString(template, { parameters: { "pipelinechannel--n": 7 }, pipelineJobName: "j" })).toBe(
      "heads and 7 > 5 in j",
    );
    expect(interpolateString("no placeholders", {})).toBe("no placeholders");
  });
});

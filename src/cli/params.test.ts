import path from "node:path";
import { describe, expect, it } from "vitest";
import type { PipelineSpec } from "../ir/index.ts";
import { CliError } from "./errors.ts";
import { coerceParams, parseArtifactInputs, splitParams } from "./params.ts";

const spec = {
  pipelineInfo: { name: "p" },
  schemaVersion: "2.1.0",
  root: {
    inputDefinitions: {
      parameters: {
        rows: { parameterType: "NUMBER_INTEGER" },
        ratio: { parameterType: "NUMBER_DOUBLE", defaultValue: 0.1, isOptional: true },
        name: { parameterType: "STRING", defaultValue: "x" },
        flag: { parameterType: "BOOLEAN", isOptional: true },
        items: { parameterType: "LIST", defaultValue: [] },
        conf: { parameterType: "STRUCT", defaultValue: {} },
      },
    },
  },
} as unknown as PipelineSpec;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof CliError ? e.code : "other";
  }
  return undefined;
}

describe("coerceParams", () => {
  it("coerces each --param by its declared type", () => {
    expect(
      coerceParams(spec, ["rows=10", "ratio=0.25", "name=a=b", "flag=true", "items=[1,2]", 'conf={"k":"v"}']),
    ).toEqual({ rows: 10, ratio: 0.25, name: "a=b", flag: true, items: [1, 2], conf: { k: "v" } });
  });

  it("names the parameter and the expected type for a bad value", () => {
    expect(() => coerceParams(spec, ["rows=ten"])).toThrow(
      /parameter "rows" expects integer \(NUMBER_INTEGER\), got "ten".*--param rows=10/,
    );
    expect(() => coerceParams(spec, ["rows=1", "flag=maybe"])).toThrow(/parameter "flag" expects boolean/);
    expect(() => coerceParams(spec, ["rows=1", "items={}"])).toThrow(/parameter "items" expects list/);
    expect(codeOf(() => coerceParams(spec, ["rows=1.5"]))).toBe("BAD_PARAMETER_VALUE");
  });

  it("rejects a missing required parameter, an unknown one and a pair without =", () => {
    expect(() => coerceParams(spec, [])).toThrow(/requires parameter "rows" \(integer \(NUMBER_INTEGER\)\)/);
    expect(codeOf(() => coerceParams(spec, []))).toBe("MISSING_PARAMETER");
    expect(() => coerceParams(spec, ["rows=1", "colour=red"])).toThrow(
      /no input parameter "colour"; its parameters are: rows, ratio, name, flag, items, conf/,
    );
    expect(codeOf(() => splitParams(["rows"]))).toBe("BAD_PARAMETER_SYNTAX");
    expect(codeOf(() => splitParams(["=1"]))).toBe("BAD_PARAMETER_SYNTAX");
  });
});

describe("parseArtifactInputs", () => {
  const withArtifacts = {
    ...spec,
    root: {
      ...spec.root,
      inputDefinitions: {
        ...spec.root.inputDefinitions,
        artifacts: {
          data: { artifactType: { schemaTitle: "system.Dataset" } },
          model: { artifactType: { schemaTitle: "system.Model" }, isOptional: true },
        },
      },
    },
  } as unknown as PipelineSpec;
  const here = process.cwd();

  it("resolves a relative path against the working directory and passes a URI as it is", () => {
    expect(parseArtifactInputs(withArtifacts, ["data=package.json", "model=gs://b/m"], here)).toEqual({
      data: path.join(here, "package.json"),
      model: "gs://b/m",
    });
  });

  it("names what is wrong: the form, an unknown name, a parameter's name, a missing file or input", () => {
    const code = (pairs: string[]) => {
      try {
        parseArtifactInputs(withArtifacts, pairs, here);
      } catch (e) {
        return [(e as CliError).code, (e as CliError).message];
      }
      return undefined;
    };
    expect(code(["data"])?.[0]).toBe("BAD_PARAMETER_SYNTAX");
    expect(code(["x=package.json"])).toEqual([
      "UNKNOWN_ARTIFACT_INPUT",
      'pipeline "p" has no artifact input "x"; its artifact inputs are: data, model',
    ]);
    expect(code(["rows=package.json"])?.[1]).toContain('"rows" is an input parameter of pipeline "p"');
    expect(code(["data=no-such-file"])?.[0]).toBe("ARTIFACT_INPUT_NOT_FOUND");
    expect(code([])).toEqual([
      "MISSING_ARTIFACT_INPUT",
      'pipeline "p" requires artifact input "data" (system.Dataset); pass --artifact data=<path or URI>',
    ]);
  });
});

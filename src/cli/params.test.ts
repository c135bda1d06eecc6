import { describe, expect, it } from "vitest";
import type { PipelineSpec } from "../ir/index.ts";
import { CliError } from "./errors.ts";
import { coerceParams, splitParams } from "./params.ts";

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

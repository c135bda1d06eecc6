import { describe, expect, it } from "vitest";
import { artifactTypeAccepts, artifactTypes } from "./artifact-types.ts";
import { IrError } from "./errors.ts";
import { checkParameterValue, coerceParameterString, parameterTypeOfValue } from "./parameters.ts";

describe("parameterTypeOfValue", () => {
  it("maps JSON values to KFP parameter types", () => {
    expect(parameterTypeOfValue(3)).toBe("NUMBER_INTEGER");
    expect(parameterTypeOfValue(0.5)).toBe("NUMBER_DOUBLE");
    expect(parameterTypeOfValue("x")).toBe("STRING");
    expect(parameterTypeOfValue(false)).toBe("BOOLEAN");
    expect(parameterTypeOfValue([1])).toBe("LIST");
    expect(parameterTypeOfValue({ a: 1 })).toBe("STRUCT");
  });
});

describe("checkParameterValue", () => {
  it("accepts values of the declared type", () => {
    expect(checkParameterValue("NUMBER_INTEGER", 3)).toBeUndefined();
    expect(checkParameterValue("NUMBER_DOUBLE", 3)).toBeUndefined();
    expect(checkParameterValue("STRING", "")).toBeUndefined();
    expect(checkParameterValue("BOOLEAN", true)).toBeUndefined();
    expect(checkParameterValue("LIST", [])).toBeUndefined();
    expect(checkParameterValue("STRUCT", { a: [1] })).toBeUndefined();
  });

  it("says what was expected and what was given", () => {
    expect(checkParameterValue("NUMBER_INTEGER", 1.5)).toBe("expected an integer (NUMBER_INTEGER) but got 1.5");
    expect(checkParameterValue("NUMBER_DOUBLE", "1")).toBe('expected a number (NUMBER_DOUBLE) but got "1"');
    expect(checkParameterValue("STRING", 1)).toBe("expected a string (STRING) but got 1");
    expect(checkParameterValue("BOOLEAN", "true")).toBe('expected a boolean (BOOLEAN) but got "true"');
    expect(checkParameterValue("LIST", { a: 1 })).toBe('expected a list (LIST) but got {"a":1}');
    expect(checkParameterValue("STRUCT", [1])).toBe("expected an object (STRUCT) but got [1]");
  });
});

describe("coerceParameterString", () => {
  it("converts command-line text by type", () => {
    expect(coerceParameterString("NUMBER_INTEGER", "42")).toBe(42);
    expect(coerceParameterString("NUMBER_DOUBLE", "0.25")).toBe(0.25);
    expect(coerceParameterString("BOOLEAN", "True")).toBe(true);
    expect(coerceParameterString("BOOLEAN", "false")).toBe(false);
    expect(coerceParameterString("LIST", '["a", 1]')).toEqual(["a", 1]);
    expect(coerceParameterString("STRUCT", '{"k": {"x": 1}}')).toEqual({ k: { x: 1 } });
    expect(coerceParameterString("STRING", " keep spaces ")).toBe(" keep spaces ");
  });

  it("throws IrError with a message that says what to pass", () => {
    expect(() => coerceParameterString("NUMBER_INTEGER", "4.5")).toThrow('"4.5" is not an integer; pass e.g. 10');
    expect(() => coerceParameterString("NUMBER_DOUBLE", "abc")).toThrow('"abc" is not a number; pass e.g. 0.5');
    expect(() => coerceParameterString("BOOLEAN", "yes")).toThrow(
      '"yes" is not a boolean (true or false); pass e.g. true',
    );
    expect(() => coerceParameterString("LIST", "[1,")).toThrow('"[1," is not valid JSON; expected a JSON list');
    expect(() => coerceParameterString("STRUCT", "[1]")).toThrow('"[1]" is not a JSON object; pass e.g. {"k": 1}');
    try {
      coerceParameterString("NUMBER_INTEGER", "x");
    } catch (err) {
      expect(err).toBeInstanceOf(IrError);
      expect((err as IrError).code).toBe("IR_PARAMETER_VALUE");
    }
  });
});

describe("artifactTypes", () => {
  it("has KFP's system types at schemaVersion 0.0.1", () => {
    expect(artifactTypes.Dataset).toEqual({ schemaTitle: "system.Dataset", schemaVersion: "0.0.1" });
    expect(Object.values(artifactTypes).map((t) => t.schemaTitle)).toEqual([
      "system.Artifact",
      "system.Dataset",
      "system.Model",
      "system.Metrics",
      "system.ClassificationMetrics",
      "system.SlicedClassificationMetrics",
      "system.HTML",
      "system.Markdown",
    ]);
  });

  it("lets system.Artifact inputs accept anything, other inputs only their own type", () => {
    expect(artifactTypeAccepts(artifactTypes.Artifact, artifactTypes.Model)).toBe(true);
    expect(artifactTypeAccepts(artifactTypes.Dataset, artifactTypes.Dataset)).toBe(true);
    expect(artifactTypeAccepts(artifactTypes.Dataset, artifactTypes.Model)).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { checkOutputParameter, coerceInputParameter, serializeParameter } from "./coerce.ts";

describe("coerceInputParameter", () => {
  it("converts JSON and string forms to the declared type", () => {
    expect(coerceInputParameter("n", "NUMBER_INTEGER", 5)).toBe(5);
    expect(coerceInputParameter("n", "NUMBER_INTEGER", "42")).toBe(42);
    expect(coerceInputParameter("r", "NUMBER_DOUBLE", "0.25")).toBe(0.25);
    expect(coerceInputParameter("b", "BOOLEAN", "true")).toBe(true);
    expect(coerceInputParameter("b", "BOOLEAN", false)).toBe(false);
    expect(coerceInputParameter("l", "LIST", "[1,2]")).toEqual([1, 2]);
    expect(coerceInputParameter("l", "LIST", ["a"])).toEqual(["a"]);
    expect(coerceInputParameter("s", "STRUCT", '{"k":1}')).toEqual({ k: 1 });
    expect(coerceInputParameter("s", "STRING", 7)).toBe("7");
    expect(coerceInputParameter("s", "STRING", { a: 1 })).toBe('{"a":1}');
    const status = { state: "SUCCEEDED", pipelineTaskName: "t", error: {} };
    expect(coerceInputParameter("st", "TASK_FINAL_STATUS", JSON.stringify(status))).toEqual(status);
  });

  it("names the input and the expected type when a value does not fit", () => {
    expect(() => coerceInputParameter("rows", "NUMBER_INTEGER", 1.5)).toThrow(
      'input parameter "rows" is declared NUMBER_INTEGER but got 1.5; pass a whole number.',
    );
    expect(() => coerceInputParameter("rate", "NUMBER_DOUBLE", "abc")).toThrow(/"rate" .* pass a number/);
    expect(() => coerceInputParameter("flag", "BOOLEAN", "yes")).toThrow(/"flag" .* pass true or false/);
    expect(() => coerceInputParameter("xs", "LIST", "{")).toThrow(/"xs" .* pass a JSON array/);
    expect(() => coerceInputParameter("cfg", "STRUCT", [1])).toThrow(/"cfg" .* pass a JSON object/);
  });
});

describe("checkOutputParameter", () => {
  it("accepts values of the declared type", () => {
    expect(checkOutputParameter("rows", "NUMBER_INTEGER", 3)).toBe(3);
    expect(checkOutputParameter("auc", "NUMBER_DOUBLE", 0.97)).toBe(0.97);
    expect(checkOutputParameter("cfg", "STRUCT", { a: [1] })).toEqual({ a: [1] });
  });

  it("rejects values of another type, naming the output", () => {
    expect(() => checkOutputParameter("rows", "NUMBER_INTEGER", 2.5)).toThrow(/output parameter "rows".*whole number/);
    expect(() => checkOutputParameter("name", "STRING", 1)).toThrow(/output parameter "name".*return a string/);
    expect(() => checkOutputParameter("auc", "NUMBER_DOUBLE", Number.NaN)).toThrow(/finite number/);
  });
});

describe("serializeParameter", () => {
  it("writes strings raw and everything else as JSON", () => {
    expect(serializeParameter("hello")).toBe("hello");
    expect(serializeParameter(3)).toBe("3");
    expect(serializeParameter(true)).toBe("true");
    expect(serializeParameter({ a: [1, "x"] })).toBe('{"a":[1,"x"]}');
  });
});

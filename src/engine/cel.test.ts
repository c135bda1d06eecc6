import { describe, expect, it } from "vitest";
import { evaluateCondition, selectExpression } from "./cel.ts";

describe("CEL conditions", () => {
  it("evaluates KFP-style conditions with int() and string comparisons", () => {
    expect(evaluateCondition("int(inputs.parameter_values['n']) > 5", { n: 7 }, "t")).toBe(true);
    expect(evaluateCondition("int(inputs.parameter_values['n']) > 5", { n: "3" }, "t")).toBe(false);
    expect(evaluateCondition("inputs.parameter_values['c'] == 'heads'", { c: "heads" }, "t")).toBe(true);
    expect(evaluateCondition("!(inputs.parameter_values['c'] == 'heads')", { c: "heads" }, "t")).toBe(false);
    expect(evaluateCondition("inputs.parameter_values['x'] == 2.5", { x: 2.5 }, "t")).toBe(true);
    // KFP passes numbers as doubles; comparisons with int literals still work
    expect(evaluateCondition("inputs.parameter_values['x'] == 5", { x: 5 }, "t")).toBe(true);
    expect(evaluateCondition("inputs.parameter_values['b'] == true", { b: true }, "t")).toBe(true);
    expect(evaluateCondition("inputs.parameter_values['l'].size() == 2", { l: [1, 2] }, "t")).toBe(true);
  });
  it("supports parseJson in selectors", () => {
    expect(selectExpression('parseJson(string_value)["A_a"]', '{"A_a": "1"}', "t")).toBe("1");
    expect(selectExpression("struct_value.k", { k: [1, 2] }, "t")).toEqual([1, 2]);
  });
  it("names the task when a condition is not boolean or invalid", () => {
    expect(() => evaluateCondition("1 + 1", {}, "my-task")).toThrow(/my-task.*boolean/);
    expect(() => evaluateCondition("inputs.parameter_values['missing'] == 1", {}, "t2")).toThrow(/t2/);
  });
});

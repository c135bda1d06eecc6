import { describe, expect, it } from "vitest";
import type { PipelineSpecJson } from "../api/index.ts";
import { initialText, paramFields, parseAll, parseField, specOfVersion } from "./params-form.ts";

const spec: PipelineSpecJson = {
  root: {
    inputDefinitions: {
      parameters: {
        rows: { parameterType: "NUMBER_INTEGER", defaultValue: 200 },
        ratio: { parameterType: "NUMBER_DOUBLE" },
        name: { parameterType: "STRING", isOptional: true },
        fast: { parameterType: "BOOLEAN", defaultValue: true },
        kinds: { parameterType: "LIST", defaultValue: ["mlp", "logreg"] },
        cfg: { parameterType: "STRUCT" },
      },
    },
  },
};

describe("pipeline parameter form", () => {
  const fields = paramFields(spec);

  it("derives one typed field per root parameter with its default", () => {
    expect(fields.map((f) => [f.name, f.type, f.optional])).toEqual([
      ["rows", "NUMBER_INTEGER", true],
      ["ratio", "NUMBER_DOUBLE", false],
      ["name", "STRING", true],
      ["fast", "BOOLEAN", true],
      ["kinds", "LIST", true],
      ["cfg", "STRUCT", false],
    ]);
    expect(fields.map(initialText)).toEqual(["200", "", "", "true", '[\n  "mlp",\n  "logreg"\n]', ""]);
  });

  it("parses entered text by type", () => {
    const { values, errors } = parseAll(fields, {
      rows: "1000",
      ratio: "0.25",
      name: "",
      fast: "false",
      kinds: '["mlp"]',
      cfg: '{"depth": 3}',
    });
    expect(errors).toEqual({});
    expect(values).toEqual({ rows: 1000, ratio: 0.25, fast: false, kinds: ["mlp"], cfg: { depth: 3 } });
  });

  it("names the field and says what to enter when text is wrong", () => {
    const [rows, ratio, , , kinds, cfg] = fields as [never, never, never, never, never, never];
    expect(parseField(rows, "1.5").error).toBe('rows must be a whole number, such as 42; "1.5" is not.');
    expect(parseField(ratio, "").error).toBe("ratio is required: enter a number.");
    expect(parseField(ratio, "abc").error).toBe('ratio must be a number, such as 0.5; "abc" is not.');
    expect(parseField(kinds, '{"a":1}').error).toBe("kinds must be a JSON list, such as [1, 2].");
    expect(parseField(cfg, "[1]").error).toBe('cfg must be a JSON object, such as {"a": 1}.');
    expect(parseField(cfg, "{oops").error).toMatch(/^cfg must be JSON object, such as \{"a": 1\}: /);
  });

  it("reads the spec of a version, wrapped with a platform spec or not", () => {
    expect(specOfVersion({ pipeline_id: "p", pipeline_version_id: "v", pipeline_spec: spec })).toBe(spec);
    expect(specOfVersion({ pipeline_id: "p", pipeline_version_id: "v", pipeline_spec: { pipeline_spec: spec } })).toBe(
      spec,
    );
    expect(specOfVersion(undefined)).toBeUndefined();
  });
});

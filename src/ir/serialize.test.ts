import { describe, expect, it } from "vitest";
import { parsePipelineYaml } from "./parse.ts";
import { pipelineHeader, pythonRepr, serializePipeline, sortKeysDeep, stableStringify } from "./serialize.ts";
import { samplePipeline } from "./test-fixtures.ts";

describe("serializePipeline", () => {
  it("writes the header, sorted keys, and parses back to the same value", () => {
    const pkg = samplePipeline();
    const text = serializePipeline(pkg);
    expect(text.startsWith("# PIPELINE DEFINITION\n# Name: sample\n# Inputs:\n#    rows: int [Default: 100.0]\n")).toBe(
      true,
    );
    expect(text).toContain("# Outputs:\n#    model: system.Model\ncomponents:\n");
    const keys = text
      .split("\n")
      .filter((l) => /^[a-zA-Z]/.test(l))
      .map((l) => l.replace(/:.*/, ""));
    expect(keys).toEqual(["components", "deploymentSpec", "pipelineInfo", "root", "schemaVersion", "sdkVersion"]);
    expect(parsePipelineYaml(text)).toEqual(pkg);
  });

  it("is deterministic regardless of key insertion order", () => {
    const a = samplePipeline();
    const reverse = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverse)
        : v !== null && typeof v === "object"
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reverse(x)]),
            )
          : v;
    const reversed = reverse(a.pipelineSpec) as typeof a.pipelineSpec;
    expect(Object.keys(reversed)[0]).toBe("root");
    expect(serializePipeline({ pipelineSpec: reversed })).toBe(serializePipeline(a));
  });

  it("writes the PlatformSpec as a second document", () => {
    const pkg = samplePipeline();
    pkg.platformSpec = { platforms: { kubernetes: { pipelineConfig: { workspace: { size: "1Gi" } } } } };
    const text = serializePipeline(pkg);
    expect(text).toContain(
      "\n---\nplatforms:\n  kubernetes:\n    pipelineConfig:\n      workspace:\n        size: 1Gi\n",
    );
    expect(parsePipelineYaml(text)).toEqual(pkg);
  });

  it("keeps strings that look like numbers or booleans as strings", () => {
    const pkg = samplePipeline();
    pkg.pipelineSpec.pipelineInfo.description = "true";
    const exec = pkg.pipelineSpec.deploymentSpec?.executors?.["exec-prep"]?.container;
    if (exec) exec.args = ["1.0", "null", "{{$}}", "a: b", "- x", "multi\nline\n", "  padded"];
    expect(parsePipelineYaml(serializePipeline(pkg))).toEqual(pkg);
  });
});

describe("pipelineHeader", () => {
  it("lists inputs with Python types and defaults, and outputs", () => {
    const pkg = samplePipeline();
    const root = pkg.pipelineSpec.root;
    pkg.pipelineSpec.pipelineInfo.description = "Trains a model.";
    root.inputDefinitions = {
      parameters: {
        text: { parameterType: "STRING", defaultValue: "it's" },
        flag: { parameterType: "BOOLEAN", defaultValue: true },
        cfg: { parameterType: "STRUCT", defaultValue: { A: 1, b: [1.5, null] } },
        names: { parameterType: "LIST" },
      },
      artifacts: { raw: { artifactType: { schemaTitle: "system.Dataset" } } },
    };
    expect(pipelineHeader(pkg.pipelineSpec)).toBe(
      [
        "# PIPELINE DEFINITION",
        "# Name: sample",
        "# Description: Trains a model.",
        "# Inputs:",
        "#    cfg: dict [Default: {'A': 1.0, 'b': [1.5, None]}]",
        "#    flag: bool [Default: True]",
        "#    names: list",
        "#    raw: system.Dataset",
        '#    text: str [Default: "it\'s"]',
        "# Outputs:",
        "#    model: system.Model",
        "",
      ].join("\n"),
    );
  });
});

describe("helpers", () => {
  it("pythonRepr follows Python's repr of floats and strings", () => {
    expect(pythonRepr(5)).toBe("5.0");
    expect(pythonRepr(0.1)).toBe("0.1");
    expect(pythonRepr(1e-7)).toBe("1e-07");
    expect(pythonRepr(1e20)).toBe("1e+20");
    expect(pythonRepr("a\nb")).toBe("'a\\nb'");
    expect(pythonRepr(false)).toBe("False");
  });

  it("stableStringify and sortKeysDeep sort keys at every level", () => {
    expect(stableStringify({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
    expect(Object.keys(sortKeysDeep({ z: 1, a: 2 }))).toEqual(["a", "z"]);
  });
});

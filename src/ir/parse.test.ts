import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IrParseError } from "./errors.ts";
import { loadPipelineFile, parsePipelineObject, parsePipelineYaml } from "./parse.ts";

const MINIMAL = `# PIPELINE DEFINITION
# Name: echo
components:
  comp-echo:
    executorLabel: exec-echo
deploymentSpec:
  executors:
    exec-echo:
      container:
        command: [echo, hi]
        image: alpine
pipelineInfo:
  name: echo
root:
  dag:
    tasks:
      echo:
        componentRef:
          name: comp-echo
        taskInfo:
          name: echo
schemaVersion: 2.1.0
`;

function parseError(text: string, file = "p.yaml"): IrParseError {
  try {
    parsePipelineYaml(text, file);
  } catch (err) {
    if (err instanceof IrParseError) return err;
    throw err;
  }
  throw new Error("expected parsePipelineYaml to throw");
}

describe("parsePipelineYaml", () => {
  it("parses a KFP YAML file with its header comments", () => {
    const pkg = parsePipelineYaml(MINIMAL, "echo.yaml");
    expect(pkg.pipelineSpec.pipelineInfo.name).toBe("echo");
    expect(pkg.pipelineSpec.root.dag?.tasks?.echo?.componentRef.name).toBe("comp-echo");
    expect(pkg.platformSpec).toBeUndefined();
  });

  it("reads a PlatformSpec from the second document", () => {
    const pkg = parsePipelineYaml(`${MINIMAL}---\nplatforms:\n  kubernetes:\n    deploymentSpec: {}\n`);
    expect(pkg.platformSpec).toEqual({ platforms: { kubernetes: { deploymentSpec: {} } } });
  });

  it("accepts JSON", () => {
    const json = JSON.stringify({
      pipelineInfo: { name: "j" },
      schemaVersion: "2.1.0",
      root: { dag: { tasks: {} } },
    });
    expect(parsePipelineYaml(json, "p.json").pipelineSpec.pipelineInfo.name).toBe("j");
  });

  it("keeps fields it does not model", () => {
    const pkg = parsePipelineYaml(MINIMAL.replace("schemaVersion", "defaultPipelineRoot: gs://b\nschemaVersion"));
    expect(pkg.pipelineSpec.defaultPipelineRoot).toBe("gs://b");
    const withExtra = parsePipelineYaml(MINIMAL.replace("image: alpine", "image: alpine\n        lifecycle: {x: 1}"));
    const container = withExtra.pipelineSpec.deploymentSpec?.executors?.["exec-echo"]?.container as Record<
      string,
      unknown
    >;
    expect(container.lifecycle).toEqual({ x: 1 });
  });

  it("rejects an empty file or one with only comments", () => {
    const expected =
      "empty.yaml: the file is empty; expected a KFP PipelineSpec (YAML with pipelineInfo, root, schemaVersion)";
    expect(parseError("", "empty.yaml").message).toBe(expected);
    expect(parseError("# PIPELINE DEFINITION\n# Name: echo\n", "empty.yaml").message).toBe(expected);
    expect(parseError("", "empty.yaml").code).toBe("IR_EMPTY");
  });

  it("reports YAML syntax errors with line and column", () => {
    const err = parseError("pipelineInfo:\n  name: [a\nroot: {}\n");
    expect(err.code).toBe("IR_YAML_SYNTAX");
    expect(err.message).toMatch(/^p\.yaml: line \d+, column \d+: YAML syntax error: .+; fix the YAML/);
  });

  it("refuses a YAML alias bomb as the file's fault, naming it, before expanding it", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const err = parseError(`${levels.join("\n")}\n`);
    expect(err.code).toBe("IR_YAML_SYNTAX");
    expect(err.message).toMatch(/^p\.yaml: its YAML aliases expand too far \(.+\); write the pipeline without aliases/);
  });

  it("rejects duplicate keys", () => {
    const err = parseError(
      MINIMAL.replace("pipelineInfo:\n  name: echo", "pipelineInfo:\n  name: echo\n  name: again"),
    );
    expect(err.code).toBe("IR_DUPLICATE_KEY");
    expect(err.message).toBe(
      "p.yaml: line 14, column 3: duplicate key: key 'name' appears twice in the same mapping; remove or rename one of them",
    );
  });

  it("rejects duplicate keys in KFP's block style too (read without the yaml package)", () => {
    const block = MINIMAL.replace("command: [echo, hi]", "command:\n        - echo\n        - hi");
    expect(parsePipelineYaml(block, "p.yaml")).toEqual(parsePipelineYaml(MINIMAL, "p.yaml"));
    const err = parseError(block.replace("    tasks:\n      echo:", "    tasks:\n      echo: {}\n      echo:"));
    expect(err.code).toBe("IR_DUPLICATE_KEY");
    expect(err.message).toBe(
      "p.yaml: line 20, column 7: duplicate key: key 'echo' appears twice in the same mapping; remove or rename one of them",
    );
  });

  it("names the IR path of a missing required field", () => {
    const err = parseError(MINIMAL.replace("  name: echo\nroot", "  name:\nroot"), "no_name.yaml");
    expect(err.code).toBe("IR_SCHEMA");
    expect(err.message).toBe(
      "no_name.yaml: pipelineInfo.name: required (expected string); add pipelineInfo.name to the file",
    );
  });

  it("names the IR path of a value of the wrong type or enum", () => {
    const err = parseError(
      MINIMAL.replace("schemaVersion: 2.1.0", "schemaVersion: 2.1.0\n").replace(
        "root:\n",
        "root:\n  inputDefinitions:\n    parameters:\n      x:\n        parameterType: NUMBER\n",
      ),
    );
    expect(err.message).toBe(
      'p.yaml: root.inputDefinitions.parameters.x.parameterType: "NUMBER" is not allowed; use one of PARAMETER_TYPE_ENUM_UNSPECIFIED, NUMBER_DOUBLE, NUMBER_INTEGER, STRING, BOOLEAN, LIST, STRUCT, TASK_FINAL_STATUS, TASK_CONFIG',
    );
    const typed = parseError(MINIMAL.replace("command: [echo, hi]", "command: echo"));
    expect(typed.message).toBe(
      'p.yaml: deploymentSpec.executors.exec-echo.container.command: expected array but found string "echo"; fix the value',
    );
  });

  it("rejects a document that is not a mapping and more than two documents", () => {
    expect(parseError("- a\n- b\n").message).toBe(
      "p.yaml: the document is a list, not a mapping; expected a KFP PipelineSpec (YAML with pipelineInfo, root, schemaVersion)",
    );
    expect(parseError(`${MINIMAL}---\nplatforms: {}\n---\nplatforms: {}\n`).code).toBe("IR_TOO_MANY_DOCUMENTS");
  });

  it("accepts multi-line quoted scalars continued at the sequence's indentation, as PyYAML does", () => {
    const text = MINIMAL.replace(
      "command: [echo, hi]",
      "command:\n          - sh\n          - \"\\nif true; then\\n  echo a\\\n          \\ b\\nfi\\n\"\n          - 'one\n\n          two'",
    );
    const pkg = parsePipelineYaml(text);
    expect(pkg.pipelineSpec.deploymentSpec?.executors?.["exec-echo"]?.container?.command).toEqual([
      "sh",
      "\nif true; then\n  echo a b\nfi\n",
      "one\ntwo",
    ]);
  });
});

describe("loadPipelineFile", () => {
  it("reads a file and names it in errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-ir-"));
    const good = join(dir, "echo.yaml");
    writeFileSync(good, MINIMAL);
    expect(loadPipelineFile(good).pipelineSpec.pipelineInfo.name).toBe("echo");
    const missing = join(dir, "missing.yaml");
    expect(() => loadPipelineFile(missing)).toThrow(
      `${missing}: cannot read ${missing}: file not found; check the path`,
    );
  });
});

describe("parsePipelineObject", () => {
  const spec = { pipelineInfo: { name: "o" }, schemaVersion: "2.1.0", root: { dag: { tasks: {} } } };

  it("accepts a PipelineSpec object or KFP's wrapper with a PlatformSpec", () => {
    expect(parsePipelineObject(spec).pipelineSpec.pipelineInfo.name).toBe("o");
    const platform = { platforms: { kubernetes: {} } };
    expect(parsePipelineObject({ pipeline_spec: spec, platform_spec: platform })).toEqual({
      pipelineSpec: spec,
      platformSpec: platform,
    });
    expect(parsePipelineObject({ pipelineSpec: spec }).platformSpec).toBeUndefined();
  });

  it("names the source and field of a bad value", () => {
    expect(() => parsePipelineObject([1], "body.pipeline_spec")).toThrow(
      "body.pipeline_spec: the pipeline spec is a list, not an object; expected a KFP PipelineSpec (YAML with pipelineInfo, root, schemaVersion)",
    );
    expect(() => parsePipelineObject({ ...spec, schemaVersion: 2 }, "body.pipeline_spec")).toThrow(
      "body.pipeline_spec: schemaVersion: expected string but found number 2; fix the value",
    );
    expect(() => parsePipelineObject({ pipeline_spec: spec, platform_spec: { platforms: 3 } }, "b")).toThrow(
      "b: platform_spec: platforms: expected record but found number 3; fix the value",
    );
  });
});

describe("schema errors with several problems", () => {
  it("list every problem on its own line, each naming the file", () => {
    let message = "";
    try {
      parsePipelineYaml('{"pipelineInfo": {"name": "x"}}', "two.json");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split("\n")).toEqual([
      "two.json: schemaVersion: required (expected string); add schemaVersion to the file",
      "two.json: root: required (expected object); add root to the file",
    ]);
  });
});

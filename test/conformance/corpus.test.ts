import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  IrError,
  loadPipelineFile,
  parsePipelineObject,
  parsePipelineYaml,
  pipelineHeader,
  pipelineToJson,
  serializePipeline,
  validatePipeline,
  walkDag,
} from "../../src/ir/index.ts";
import { CORPUS, CORPUS_DIR, corpusFiles } from "./corpus.ts";

const valid = corpusFiles("valid");
const kubernetes = corpusFiles("kubernetes");

/**
 * Corpus files whose formatting was edited by hand after compilation (indented
 * sequences, no final newline), so they are not byte-for-byte what the KFP compiler
 * writes. All other files are, and Weft must reproduce them exactly.
 */
const HAND_FORMATTED = new Set([
  "valid/critical/pipeline_with_secret_as_env.yaml",
  "valid/critical/pipeline_with_volume_long_name.yaml",
  "valid/essential/placeholder_with_if_placeholder_none_input_value.yaml",
]);
const invalid = corpusFiles("invalid");

/** The leading `#` comment lines of a file. */
function headerOf(text: string): string {
  const lines: string[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("#")) break;
    lines.push(line);
  }
  return `${lines.join("\n")}\n`;
}

describe.skipIf(!CORPUS.present)("KFP conformance corpus: valid files", () => {
  it("has the 64 valid files", () => {
    expect(valid).toHaveLength(64);
  });

  it.each(valid)("%s parses, validates with no issues and round-trips", (file) => {
    const text = readFileSync(join(CORPUS_DIR, file), "utf8");
    const pkg = parsePipelineYaml(text, file);
    expect(validatePipeline(pkg, { file })).toEqual([]);
    const written = serializePipeline(pkg);
    expect(parsePipelineYaml(written, file)).toEqual(pkg);
    expect(serializePipeline(parsePipelineYaml(written, file))).toBe(written);
    expect(pipelineHeader(pkg.pipelineSpec)).toBe(headerOf(text));
    expect(written.startsWith(headerOf(text))).toBe(true);
    expect([...walkDag(pkg)].length).toBeGreaterThan(0);
    const json = pipelineToJson(pkg);
    expect(parsePipelineObject(JSON.parse(json), file)).toEqual(pkg);
    expect(parsePipelineYaml(json, file)).toEqual(pkg);
  });

  it.each(valid.filter((f) => !HAND_FORMATTED.has(f)))("%s is written back byte for byte", (file) => {
    const text = readFileSync(join(CORPUS_DIR, file), "utf8");
    expect(serializePipeline(parsePipelineYaml(text, file))).toBe(text);
  });

  it("keeps the PlatformSpec documents", () => {
    const pkg = loadPipelineFile(join(CORPUS_DIR, "valid/critical/pipeline_with_workspace.yaml"));
    expect(pkg.platformSpec?.platforms.kubernetes).toEqual({
      pipelineConfig: {
        workspace: {
          kubernetes: { pvcSpecPatch: { accessModes: ["ReadWriteOnce"], storageClassName: "standard" } },
          size: "1Gi",
        },
      },
    });
  });

  it("reads PyYAML-style quoted scalars exactly", () => {
    const pkg = loadPipelineFile(join(CORPUS_DIR, "valid/critical/pipeline_with_secret_as_env.yaml"));
    const command = Object.values(pkg.pipelineSpec.deploymentSpec?.executors ?? {})[0]?.container?.command ?? [];
    expect(command[2]).toMatch(
      /^\nif ! \[ -x "\$\(command -v pip\)" \]; then\n {4}python3 -m ensurepip \|\| python3 -m ensurepip --user \|\| apt-get install python3-pip\nfi\n\nPIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location 'kfp==2\.14\.3' '--no-deps' 'typing-extensions>=3\.7\.4,<5; python_version<"3\.9"' && "\$0" "\$@"\n$/,
    );
  });
});

describe.skipIf(!CORPUS.present)("KFP conformance corpus: kubernetes files", () => {
  it("has the 17 kubernetes files", () => {
    expect(kubernetes).toHaveLength(17);
  });

  it.each(kubernetes)("%s parses, validates with no issues and round-trips", (file) => {
    const pkg = loadPipelineFile(join(CORPUS_DIR, file), file);
    expect(validatePipeline(pkg, { file })).toEqual([]);
    expect(pkg.platformSpec?.platforms.kubernetes).toBeDefined();
    expect(parsePipelineYaml(serializePipeline(pkg), file)).toEqual(pkg);
  });
});

describe.skipIf(!CORPUS.present)("KFP conformance corpus: invalid files", () => {
  it("has the 3 invalid files", () => {
    expect(invalid.map((f) => basename(f))).toEqual(["empty_file.yaml", "invalid_yaml.yaml", "no_name.yaml"]);
  });

  /** Loads and validates; returns the problem text (parse error message or formatted issues). */
  function problems(file: string): { code: string; text: string } {
    const path = join(CORPUS_DIR, file);
    try {
      const issues = validatePipeline(loadPipelineFile(path, file), { file });
      return {
        code: issues.length ? "IR_INVALID_PIPELINE" : "OK",
        text: issues.map((i) => `${file}: ${i.path}: ${i.message}`).join("\n"),
      };
    } catch (err) {
      if (!(err instanceof IrError)) throw err;
      return { code: err.code, text: err.message };
    }
  }

  it("empty_file.yaml is rejected as empty", () => {
    expect(problems("invalid/empty_file.yaml")).toEqual({
      code: "IR_EMPTY",
      text: "invalid/empty_file.yaml: the file is empty; expected a KFP PipelineSpec (YAML with pipelineInfo, root, schemaVersion)",
    });
  });

  it("no_name.yaml is rejected for its missing pipelineInfo.name", () => {
    expect(problems("invalid/no_name.yaml")).toEqual({
      code: "IR_SCHEMA",
      text: "invalid/no_name.yaml: pipelineInfo.name: required (expected string); add pipelineInfo.name to the file",
    });
  });

  it("invalid_yaml.yaml is rejected for its misspelled components and the dangling reference", () => {
    expect(problems("invalid/invalid_yaml.yaml")).toEqual({
      code: "IR_INVALID_PIPELINE",
      text: [
        "invalid/invalid_yaml.yaml: components_1: unknown PipelineSpec field; did you mean 'components'? (known fields: pipelineInfo, deploymentSpec, sdkVersion, schemaVersion, components, root, defaultPipelineRoot)",
        "invalid/invalid_yaml.yaml: root.dag.tasks.echo.componentRef.name: component 'comp-echo' is not defined in components; add it under components or fix the reference",
      ].join("\n"),
    });
  });
});

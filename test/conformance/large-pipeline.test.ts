/**
 * The validator on a generated large pipeline (the benchmark's generator at a reduced
 * size): it reads in the one-pass block reader, validates with no issues, and still finds
 * a duplicate key, a dependency cycle and an unsafe name placed deep inside it. Time and
 * memory goals are judged in `bench/validate`, not here.
 */
import { describe, expect, it } from "vitest";
import { generateLargePipeline } from "../../bench/validate/generate.ts";
import { IrError, parsePipelineYaml, validatePipeline } from "../../src/ir/index.ts";
import { readBlockYaml } from "../../src/ir/yaml-block.ts";

const TASKS = 6_000;
const text = generateLargePipeline({ tasks: TASKS, width: 40 });

describe("a generated 6,000-task pipeline", () => {
  it("is KFP block-style YAML that parses and validates with no issues", () => {
    const fast = readBlockYaml(text);
    expect(fast && "values" in fast).toBe(true);
    const pkg = parsePipelineYaml(text, "large.yaml");
    expect(Object.keys(pkg.pipelineSpec.root.dag?.tasks ?? {})).toHaveLength(TASKS);
    expect(validatePipeline(pkg, { file: "large.yaml" })).toEqual([]);
  });

  it("reports a duplicate task near the end with its line", () => {
    const last = `step-${TASKS - 2}:`;
    const at = text.lastIndexOf(`      ${last}`);
    const block = text.slice(at, text.indexOf("\n  inputDefinitions:", at) + 1);
    const doubled = text.slice(0, at) + block + text.slice(at);
    const line = doubled.slice(0, at + block.length).split("\n").length;
    let thrown: unknown;
    try {
      parsePipelineYaml(doubled, "large.yaml");
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(IrError);
    expect((thrown as IrError).message).toBe(
      `large.yaml: line ${line}, column 7: duplicate key: key 'step-${TASKS - 2}' appears twice in the same mapping; remove or rename one of them`,
    );
  });

  it("finds a cycle closed by the last task and an unsafe name deep inside", () => {
    const pkg = parsePipelineYaml(text, "large.yaml");
    const tasks = pkg.pipelineSpec.root.dag?.tasks ?? {};
    const first = tasks["step-0"];
    if (!first) throw new Error("generator changed");
    first.dependentTasks = [...(first.dependentTasks ?? []), `step-${TASKS - 2}`];
    const middle = tasks["step-3000"];
    if (!middle) throw new Error("generator changed");
    tasks["../step-3000"] = middle;
    const issues = validatePipeline(pkg).map((i) => `${i.path}: ${i.message}`);
    expect(issues.some((i) => i.startsWith("root.dag.tasks['../step-3000']: task name contains '/';"))).toBe(true);
    expect(issues.some((i) => i.startsWith("root.dag.tasks: dependency cycle: step-0 -> "))).toBe(true);
  });
});

/** Loop iterations are recorded with their item as display name, conditions with their expression. */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { compilePipeline } from "../../src/compiler/index.ts";
import {
  containerComponent,
  inputValue,
  outputParameterFile,
  parallelFor,
  param,
  pipeline,
  when,
} from "../../src/index.ts";
import { conditionLabel, iterationLabel, labelledPath, labelsByPath } from "../../src/ir/index.ts";
import { makeEnv } from "./helpers.ts";

const env = makeEnv({ capacity: { cpus: 4000 } });
afterAll(() => env.close());

const echo = containerComponent({
  name: "echo",
  image: "alpine:3",
  inputs: { text: param.string() },
  outputs: { out: param.string() },
  command: ["sh", "-c", 'printf "%s" "$0" > "$1"'],
  args: [inputValue("text"), outputParameterFile("out")],
});

const labelled = pipeline({ name: "labelled", params: { model: param.string({ default: "mlp" }) } }, (p) => {
  const first = echo({ text: p.model });
  parallelFor(["mlp", "tree"], (kind) => {
    echo({ text: kind });
  });
  parallelFor([{ slope: "3" }, { slope: "5" }], (item) => {
    echo({ text: item.field("slope") });
  });
  when(p.model.eq("mlp"), () => {
    echo({ text: "chosen" });
  })
    .elif(first.outputs.out.eq("tree"), () => {
      echo({ text: "tree" });
    })
    .otherwise(() => {
      echo({ text: "other" });
    });
});

describe("labels of iterations and conditions", () => {
  it("records each iteration by its item and each condition by its expression", async () => {
    const s = await env.engine.startRun({ pipeline: compilePipeline(labelled) }).done;
    expect(s.state).toBe("SUCCEEDED");
    const tasks = env.store.tasks.listByRun(s.runId);
    const shown = Object.fromEntries(
      tasks.filter((t) => t.kind === "iteration" || t.kind === "condition").map((t) => [t.path, t.displayName]),
    );
    const loops = tasks.filter((t) => t.kind === "loop").map((t) => t.path);
    expect(loops).toHaveLength(2);
    const [strings, dicts] = loops.sort();
    expect(shown[`${strings}/iteration-0`]).toBe("mlp");
    expect(shown[`${strings}/iteration-1`]).toBe("tree");
    expect(shown[`${dicts}/iteration-0`]).toBe("slope=3");
    expect(shown[`${dicts}/iteration-1`]).toBe("slope=5");
    const conditions = Object.entries(shown).filter(([p]) => /condition-\d+$/.test(p));
    expect(conditions.map(([, label]) => label).sort()).toEqual(['echo.out == "tree"', 'model == "mlp"', "otherwise"]);
    const group = Object.entries(shown).find(([p]) => /condition-branches-\d+$/.test(p));
    expect(group?.[1]).toBe('model == "mlp" | echo.out == "tree" | otherwise');
    // the labels reach the run summary's task records as well
    expect(s.tasks.find((t) => t.path === `${strings}/iteration-1`)?.displayName).toBe("tree");
  });
});

describe("label text", () => {
  it("labels items by value, shortening long ones, with the index as a fallback", () => {
    expect(iterationLabel("mlp", 0)).toBe("mlp");
    expect(iterationLabel(0.5, 1)).toBe("0.5");
    expect(iterationLabel({ slope: 3, kind: "mlp" }, 0)).toBe("slope=3, kind=mlp");
    expect(iterationLabel({ cfg: { a: 1 } }, 0)).toBe('cfg={"a":1}');
    expect(iterationLabel("x".repeat(100), 0)).toBe(`${"x".repeat(39)}…`);
    expect(iterationLabel("", 4)).toBe("#4");
    expect(iterationLabel({}, 2)).toBe("#2");
    expect(iterationLabel(undefined, 7)).toBe("#7");
  });
  it("writes a KFP condition as a person would", () => {
    const ref = (n: string) => `inputs.parameter_values['pipelinechannel--${n}']`;
    expect(conditionLabel(`int(${ref("epochs")}) > 2`)).toBe("epochs > 2");
    expect(conditionLabel(`${ref("train-f1")} >= 0.9`, { "pipelinechannel--train-f1": "train.f1" })).toBe(
      "train.f1 >= 0.9",
    );
    expect(conditionLabel(`!(${ref("m")} == 'a') && ${ref("m")} == 'b'`, {}, true)).toBe('m == "b"');
    expect(conditionLabel(`!(${ref("m")} == 'a') && !(${ref("m")} == 'b')`, {}, true)).toBe("otherwise");
    expect(conditionLabel(`!(${ref("m")} == 'a')`, {}, false)).toBe('!(m == "a")');
  });
  it("shows iterations with their loop and conditions with their expression in a path", () => {
    const labels = new Map([
      ["root/for-loop-2/iteration-0", "mlp"],
      ["root/condition-branches-3/condition-4", 'model == "mlp"'],
    ]);
    expect(labelledPath("root/for-loop-2/iteration-0/train", labels)).toBe("for-loop-2[mlp]/train");
    expect(labelledPath("root/for-loop-2/iteration-0", labels)).toBe("for-loop-2[mlp]");
    expect(labelledPath("root/condition-branches-3/condition-4/train-2", labels)).toBe(
      'condition-branches-3/condition-4[model == "mlp"]/train-2',
    );
    expect(labelledPath("root/make", labels)).toBe("make");
    const recorded = labelsByPath([
      { path: "root/for-loop-2/iteration-0", name: "iteration-0", displayName: "mlp" },
      { path: "root/for-loop-2/iteration-1", name: "iteration-1", displayName: "for-loop-2 #1" },
      { path: "root/make", name: "make", displayName: "make" },
    ]);
    // an iteration recorded before labels existed ("<loop> #N") is shown by its path
    expect([...recorded]).toEqual([["root/for-loop-2/iteration-0", "mlp"]]);
  });
  it("are a leaf file with no imports, which the web UI loads without any package", () => {
    const text = readFileSync(new URL("../../src/ir/labels.ts", import.meta.url), "utf8");
    expect(text).not.toMatch(/^\s*(import|export)\s[^;]*\sfrom\s/m);
  });
});

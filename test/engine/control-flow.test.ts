import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RunSummary } from "../../src/engine/index.ts";
import { byPath, logOf, makeEnv, ok } from "./helpers.ts";
import { from, IrBuilder, task } from "./ir-builder.ts";

const env = makeEnv({ capacity: { cpus: 4000 } });
afterAll(() => env.close());

const out = (s: RunSummary, p: string) => env.store.tasks.get(byPath(s, p)?.id ?? "")?.outputs.parameters;

function branches(): IrBuilder {
  const say = (word: string) => `printf ${word} > {{$.outputs.parameters['word'].output_file}}`;
  const cond = (n: number, word: string) =>
    [
      `condition-${n}`,
      {
        tasks: { [`say-${word}`]: task(`say-${word}`) },
        outputs: {
          parameters: {
            [`pipelinechannel--say-${word}-word`]: {
              valueFromParameter: { producerSubtask: `say-${word}`, outputParameterKey: "word" },
            },
          },
        },
      },
    ] as const;
  const b = new IrBuilder("if-elif-else", { n: { type: "NUMBER_INTEGER" } })
    .sh("gen", "printf '%s' {{$.inputs.parameters['n']}} > {{$.outputs.parameters['n'].output_file}}", {
      in: { n: "NUMBER_INTEGER" },
      out: { n: "NUMBER_INTEGER" },
    })
    .sh("say-big", say("big"), { out: { word: "STRING" } })
    .sh("say-medium", say("medium"), { out: { word: "STRING" } })
    .sh("say-small", say("small"), { out: { word: "STRING" } })
    .sh("show", "echo result={{$.inputs.parameters['word']}}", { in: { word: "STRING" } });
  for (const [n, word] of [
    [2, "big"],
    [3, "medium"],
    [4, "small"],
  ] as const) {
    const [name, d] = cond(n, word);
    b.dag(
      name,
      d.tasks,
      { in: { "pipelinechannel--gen-n": "NUMBER_INTEGER" }, out: { [`pipelinechannel--say-${word}-word`]: "STRING" } },
      d.outputs,
    );
  }
  const n = "int(inputs.parameter_values['pipelinechannel--gen-n'])";
  const wire = { parameters: { "pipelinechannel--gen-n": from.param("pipelinechannel--gen-n") } };
  b.dag(
    "condition-branches-1",
    {
      "condition-2": task("condition-2", { inputs: wire, triggerPolicy: { condition: `${n} > 5` } }),
      "condition-3": task("condition-3", { inputs: wire, triggerPolicy: { condition: `!(${n} > 5) && ${n} > 2` } }),
      "condition-4": task("condition-4", { inputs: wire, triggerPolicy: { condition: `!(${n} > 5) && !(${n} > 2)` } }),
    },
    { in: { "pipelinechannel--gen-n": "NUMBER_INTEGER" }, out: { result: "STRING" } },
    {
      parameters: {
        result: {
          valueFromOneof: {
            parameterSelectors: [
              { producerSubtask: "condition-2", outputParameterKey: "pipelinechannel--say-big-word" },
              { producerSubtask: "condition-3", outputParameterKey: "pipelinechannel--say-medium-word" },
              { producerSubtask: "condition-4", outputParameterKey: "pipelinechannel--say-small-word" },
            ],
          },
        },
      },
    },
  );
  return b.root({
    gen: task("gen", { inputs: { parameters: { n: from.param("n") } } }),
    "condition-branches-1": task("condition-branches-1", {
      dependentTasks: ["gen"],
      inputs: { parameters: { "pipelinechannel--gen-n": from.output("gen", "n") } },
    }),
    show: task("show", { inputs: { parameters: { word: from.output("condition-branches-1", "result") } } }),
  });
}

describe("conditions", () => {
  it.each([
    [7, "big", "condition-2"],
    [3, "medium", "condition-3"],
    [1, "small", "condition-4"],
  ])("If/Elif/Else with OneOf: n=%i picks %s", async (n, word, taken) => {
    const s = await env.engine.startRun({ pipeline: branches().build(), parameters: { n }, enableCache: false }).done;
    ok(s);
    expect(logOf(byPath(s, "root/show")?.logPath)).toBe(`result=${word}\n`);
    for (const c of ["condition-2", "condition-3", "condition-4"]) {
      expect(byPath(s, `root/condition-branches-1/${c}`)?.state).toBe(c === taken ? "SUCCEEDED" : "SKIPPED");
      if (c !== taken) expect(byPath(s, `root/condition-branches-1/${c}`)?.errorCode).toBe("CONDITION_FALSE");
    }
    expect(byPath(s, "root/condition-branches-1")?.kind).toBe("condition");
    // a skipped branch's tasks are recorded SKIPPED too
    const skippedWord = word === "big" ? "small" : "big";
    const skippedCond = word === "big" ? "condition-4" : "condition-2";
    expect(byPath(s, `root/condition-branches-1/${skippedCond}/say-${skippedWord}`)?.state).toBe("SKIPPED");
    expect(byPath(s, `root/condition-branches-1/${skippedCond}/say-${skippedWord}`)?.errorCode).toBe("PARENT_SKIPPED");
  });
});

describe("loops", () => {
  function loopPipeline(limit: number): IrBuilder {
    const item = "pipelinechannel--loop-item-param-1";
    return new IrBuilder("loops")
      .sh(
        "square",
        `sleep 0.5; echo $(( {{$.inputs.parameters['x']}} * {{$.inputs.parameters['x']}} )) > {{$.outputs.parameters['y'].output_file}}`,
        { in: { x: "NUMBER_INTEGER" }, out: { y: "NUMBER_INTEGER" } },
      )
      .sh("total", "echo got={{$.inputs.parameters['ys']}}", { in: { ys: "LIST" } })
      .sh("make-list", `printf '["a","b","c"]' > {{$.outputs.parameters['out'].output_file}}`, { out: { out: "LIST" } })
      .sh("shout", "echo item={{$.inputs.parameters['s']}}-{{$.inputs.parameters['k']}}", {
        in: { s: "STRING", k: "STRING" },
      })
      .dag(
        "for-loop-1",
        { square: task("square", { inputs: { parameters: { x: from.param(item) } } }) },
        { in: { [item]: "NUMBER_INTEGER" }, out: { "pipelinechannel--square-y": "LIST" } },
        {
          parameters: {
            "pipelinechannel--square-y": { valueFromParameter: { producerSubtask: "square", outputParameterKey: "y" } },
          },
        },
      )
      .dag(
        "for-loop-2",
        {
          shout: task("shout", {
            inputs: {
              parameters: {
                s: from.param("pipelinechannel--make-list-out-loop-item"),
                k: {
                  componentInputParameter: "pipelinechannel--static",
                  parameterExpressionSelector: 'parseJson(string_value)["k"]',
                },
              },
            },
          }),
        },
        {
          in: {
            "pipelinechannel--make-list-out-loop-item": "STRING",
            "pipelinechannel--make-list-out": "LIST",
            "pipelinechannel--static": "STRUCT",
          },
        },
      )
      .root({
        "for-loop-1": task("for-loop-1", {
          parameterIterator: { items: { raw: "[1, 2, 3]" }, itemInput: item },
          ...(limit > 0 ? { iteratorPolicy: { parallelismLimit: limit } } : {}),
        }),
        total: task("total", {
          dependentTasks: ["for-loop-1"],
          inputs: { parameters: { ys: from.output("for-loop-1", "pipelinechannel--square-y") } },
        }),
        "make-list": task("make-list"),
        "for-loop-2": task("for-loop-2", {
          dependentTasks: ["make-list"],
          inputs: {
            parameters: {
              "pipelinechannel--make-list-out": from.output("make-list", "out"),
              "pipelinechannel--static": from.constant({ k: "K" }),
            },
          },
          parameterIterator: {
            items: { inputParameter: "pipelinechannel--make-list-out" },
            itemInput: "pipelinechannel--make-list-out-loop-item",
          },
        }),
      });
  }

  it("runs iterations, collects outputs in order, and loops over an upstream output", async () => {
    const s = await env.engine.startRun({ pipeline: loopPipeline(0).build(), enableCache: false }).done;
    ok(s);
    expect(logOf(byPath(s, "root/total")?.logPath)).toBe("got=[1,4,9]\n");
    expect(out(s, "root/for-loop-1")?.["pipelinechannel--square-y"]).toEqual([1, 4, 9]);
    for (const [i, l] of ["a", "b", "c"].entries()) {
      expect(logOf(byPath(s, `root/for-loop-2/iteration-${i}/shout`)?.logPath)).toBe(`item=${l}-K\n`);
    }
    expect(byPath(s, "root/for-loop-1/iteration-2")?.kind).toBe("iteration");
    // without a limit the three 0.5 s iterations overlap
    const sq = [0, 1, 2].map((i) => byPath(s, `root/for-loop-1/iteration-${i}/square`));
    expect(Math.max(...sq.map((t) => t?.startedAt ?? 0))).toBeLessThan(Math.min(...sq.map((t) => t?.finishedAt ?? 0)));
  });

  it("honours parallelismLimit", async () => {
    const s = await env.engine.startRun({ pipeline: loopPipeline(1).build(), enableCache: false }).done;
    ok(s);
    const sq = [0, 1, 2].map((i) => byPath(s, `root/for-loop-1/iteration-${i}/square`));
    for (let i = 1; i < 3; i++) expect(sq[i]?.startedAt ?? 0).toBeGreaterThanOrEqual(sq[i - 1]?.finishedAt ?? 0);
  });
});

describe("nested DAGs, exit handlers, trigger strategies, importer", () => {
  it("passes inputs into and outputs out of a nested pipeline", async () => {
    const b = new IrBuilder("nested", { msg: { type: "STRING", default: "hi" } })
      .sh(
        "upper",
        "printf '%s' {{$.inputs.parameters['s']}} | tr a-z A-Z > {{$.outputs.parameters['o'].output_file}}",
        { in: { s: "STRING" }, out: { o: "STRING" } },
      )
      .sh("show", "echo {{$.inputs.parameters['s']}}", { in: { s: "STRING" } })
      .dag(
        "inner",
        { upper: task("upper", { inputs: { parameters: { s: from.param("text") } } }) },
        { in: { text: "STRING" }, out: { result: "STRING" } },
        {
          parameters: { result: { valueFromParameter: { producerSubtask: "upper", outputParameterKey: "o" } } },
        },
      )
      .root({
        inner: task("inner", { inputs: { parameters: { text: from.param("msg") } } }),
        show: task("show", { inputs: { parameters: { s: from.output("inner", "result") } } }),
      });
    const s = await env.engine.startRun({ pipeline: b.build(), parameters: { msg: "weft" }, enableCache: false }).done;
    ok(s);
    expect(byPath(s, "root/inner")?.kind).toBe("dag");
    expect(logOf(byPath(s, "root/show")?.logPath)).toBe("WEFT\n");
  });

  it("runs the exit handler whatever the outcome, with the final status; skips ordinary dependents", async () => {
    const b = new IrBuilder("exit")
      .sh("boom", "echo about to fail >&2; exit 3")
      .sh("cleanup", "cat <<'X'\nstatus={{$.inputs.parameters['status']}}\nX", { in: { status: "TASK_FINAL_STATUS" } })
      .sh("after", "echo never")
      .sh("anyway", "echo anyway")
      .dag("exit-handler-1", { boom: task("boom") })
      .root({
        "exit-handler-1": task("exit-handler-1"),
        cleanup: task("cleanup", {
          dependentTasks: ["exit-handler-1"],
          triggerPolicy: { strategy: "ALL_UPSTREAM_TASKS_COMPLETED" },
          inputs: { parameters: { status: { taskFinalStatus: { producerTask: "exit-handler-1" } } } },
        }),
        after: task("after", { dependentTasks: ["exit-handler-1"] }),
        anyway: task("anyway", {
          dependentTasks: ["exit-handler-1"],
          triggerPolicy: { strategy: "ALL_UPSTREAM_TASKS_COMPLETED" },
        }),
      });
    const s = await env.engine.startRun({ pipeline: b.build() }).done;
    expect(s.state).toBe("FAILED");
    expect(byPath(s, "root/exit-handler-1/boom")?.state).toBe("FAILED");
    expect(byPath(s, "root/exit-handler-1/boom")?.stderrTail).toEqual(["about to fail"]);
    expect(byPath(s, "root/exit-handler-1")?.kind).toBe("exit-handler");
    expect(byPath(s, "root/after")?.state).toBe("SKIPPED");
    expect(byPath(s, "root/after")?.errorCode).toBe("UPSTREAM_FAILED");
    // the exit handler's DAG records the error of the task that failed inside it
    expect(byPath(s, "root/exit-handler-1/boom")?.errorCode).toBe("EXIT_NONZERO");
    expect(byPath(s, "root/exit-handler-1")?.errorCode).toBe("EXIT_NONZERO");
    expect(byPath(s, "root/anyway")?.state).toBe("SUCCEEDED");
    const cleanup = byPath(s, "root/cleanup");
    expect(cleanup?.state).toBe("SUCCEEDED");
    const status = JSON.parse(logOf(cleanup?.logPath).replace(/^status=/, ""));
    expect(status.state).toBe("FAILED");
    expect(status.pipelineTaskName).toBe("exit-handler-1");
    expect(status.error.message).toContain("exited with 3");
    expect(s.error).toContain("root/exit-handler-1/boom");
  });

  it("imports an artifact and feeds it to a consumer, recording lineage", async () => {
    const data = path.join(env.home, "input.csv");
    fs.writeFileSync(data, "a,b\n1,2\n");
    const b = new IrBuilder("importer")
      .executor(
        "importer",
        {
          importer: {
            artifactUri: { constant: `file://${data}` },
            typeSchema: { schemaTitle: "system.Dataset", schemaVersion: "0.0.1" },
          },
        },
        { outArt: ["artifact"] },
      )
      .sh("count", "wc -l < {{$.inputs.artifacts['data'].path}}", { inArt: ["data"] })
      .root({
        importer: task("importer"),
        count: task("count", { inputs: { artifacts: { data: from.artifact("importer", "artifact") } } }),
      });
    const s = await env.engine.startRun({ pipeline: b.build() }).done;
    ok(s);
    expect(logOf(byPath(s, "root/count")?.logPath).trim()).toBe("2");
    const [art] = env.store.artifacts.listByRun(s.runId);
    expect(art?.uri).toBe(`file://${data}`);
    const events = env.store.events.listByArtifact(art?.id ?? "");
    expect(events.map((e) => e.type).sort()).toEqual(["INPUT", "OUTPUT"]);
  });

  it("records metrics from a Metrics artifact's executor output", async () => {
    const b = new IrBuilder("metrics")
      .sh(
        "eval",
        `f=$(printf '%s' '{{$}}' | sed -n 's/.*"outputFile":"\\([^"]*\\)".*/\\1/p'); printf '{"artifacts":{"metrics":{"artifacts":[{"name":"metrics","metadata":{"accuracy":0.93,"note":"x"}}]}}}' > "$f"; echo m > {{$.outputs.artifacts['metrics'].path}}`,
        { outArt: ["metrics"] },
      )
      .root({ eval: task("eval") });
    const s = await env.engine.startRun({ pipeline: b.build() }).done;
    ok(s);
    expect(s.metrics).toEqual([{ task: "root/eval", label: "eval", name: "accuracy", value: 0.93 }]);
  });
});

describe("collected artifacts and artifact loops", () => {
  it("collects artifacts over iterations and loops over an artifact list", async () => {
    const item = "pipelinechannel--loop-item-param-1";
    const b = new IrBuilder("artifact-loops")
      .sh("make", "printf 'model-%s' {{$.inputs.parameters['i']}} > {{$.outputs.artifacts['model'].path}}", {
        in: { i: "NUMBER_INTEGER" },
        outArt: ["model"],
      })
      .executor("gather", { container: { image: "alpine", command: ["sh", "-c", "cat <<'X'\n{{$}}\nX"] } }, {})
      .sh("read", "cat {{$.inputs.artifacts['m'].path}}", { inArt: ["m"] })
      .dag(
        "for-loop-1",
        { make: task("make", { inputs: { parameters: { i: from.param(item) } } }) },
        { in: { [item]: "NUMBER_INTEGER" }, outArt: ["pipelinechannel--make-model"] },
        {
          artifacts: {
            "pipelinechannel--make-model": {
              artifactSelectors: [{ producerSubtask: "make", outputArtifactKey: "model" }],
            },
          },
        },
      )
      .dag(
        "for-loop-2",
        { read: task("read", { inputs: { artifacts: { m: from.inputArtifact("pipelinechannel--models-item") } } }) },
        {
          inArt: ["pipelinechannel--models", "pipelinechannel--models-item"],
        },
      );
    const gather = b.spec.components?.["comp-gather"];
    if (gather)
      gather.inputDefinitions = {
        // the type the loop's output has (the builder's outputs are Datasets): startRun validates it
        artifacts: { models: { artifactType: { schemaTitle: "system.Dataset" }, isArtifactList: true } },
      };
    b.root({
      "for-loop-1": task("for-loop-1", { parameterIterator: { items: { raw: "[1, 2, 3]" }, itemInput: item } }),
      gather: task("gather", {
        inputs: { artifacts: { models: from.artifact("for-loop-1", "pipelinechannel--make-model") } },
      }),
      "for-loop-2": task("for-loop-2", {
        inputs: {
          artifacts: { "pipelinechannel--models": from.artifact("for-loop-1", "pipelinechannel--make-model") },
        },
        artifactIterator: {
          items: { inputArtifact: "pipelinechannel--models" },
          itemInput: "pipelinechannel--models-item",
        },
      }),
    });
    const s = await env.engine.startRun({ pipeline: b.build(), enableCache: false }).done;
    ok(s);
    const executorInput = JSON.parse(logOf(byPath(s, "root/gather")?.logPath));
    expect(executorInput.inputs.artifacts.models.artifacts).toHaveLength(3);
    for (const i of [0, 1, 2]) {
      expect(logOf(byPath(s, `root/for-loop-2/iteration-${i}/read`)?.logPath)).toBe(`model-${i + 1}`);
    }
  });
});

describe("placeholders in constants", () => {
  it("fills run and task identity placeholders as KFP lowers them into constants", async () => {
    const b = new IrBuilder("ids")
      .sh(
        "ids",
        "echo {{$.inputs.parameters['job']}} {{$.inputs.parameters['task']}} {{$.inputs.parameters['name']}} {{$.inputs.parameters['msg']}}",
        {
          in: { job: "STRING", task: "STRING", name: "STRING", msg: "STRING", n: "NUMBER_INTEGER" },
        },
      )
      .root({
        ids: task("ids", {
          inputs: {
            parameters: {
              job: from.constant("{{$.pipeline_job_uuid}}"),
              task: from.constant("{{$.pipeline_task_uuid}}"),
              name: from.constant("{{$.pipeline_task_name}}"),
              n: from.constant(5),
              msg: from.constant("n={{$.inputs.parameters['n']}}"),
            },
          },
        }),
      });
    const s = await env.engine.startRun({ pipeline: b.build(), enableCache: false }).done;
    ok(s);
    const t = byPath(s, "root/ids");
    expect(logOf(t?.logPath)).toBe(`${s.runId} ${t?.id} ids n=5\n`);
  });
});

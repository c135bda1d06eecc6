import { describe, expect, it } from "vitest";
import { IrValidationError } from "./errors.ts";
import type { PipelinePackage, PipelineSpec, PipelineTaskSpec } from "./spec.ts";
import { samplePipeline } from "./test-fixtures.ts";
import { assertValidPipeline, validatePipeline } from "./validate.ts";

function broken(edit: (spec: PipelineSpec) => void): PipelinePackage {
  const pkg = samplePipeline();
  edit(pkg.pipelineSpec);
  return pkg;
}

function task(spec: PipelineSpec, name: string): PipelineTaskSpec {
  const t = spec.root.dag?.tasks?.[name];
  if (!t) throw new Error(`fixture has no task ${name}`);
  return t;
}

function messages(pkg: PipelinePackage): string[] {
  return validatePipeline(pkg).map((i) => `${i.path}: ${i.message}`);
}

describe("validatePipeline", () => {
  it("accepts the sample pipeline", () => {
    expect(validatePipeline(samplePipeline())).toEqual([]);
  });

  it("rejects an unsupported schemaVersion", () => {
    expect(messages(broken((s) => (s.schemaVersion = "3.0.0")))).toEqual([
      "schemaVersion: '3.0.0' is not supported; Weft reads KFP IR schemaVersion 2.0.0 or 2.1.0 (compile with the KFP v2 SDK)",
    ]);
  });

  it("names an unknown top-level field and suggests the known one", () => {
    const pkg = broken((s) => {
      (s as Record<string, unknown>).components_1 = s.components;
    });
    expect(messages(pkg)).toEqual([
      "components_1: unknown PipelineSpec field; did you mean 'components'? (known fields: pipelineInfo, deploymentSpec, sdkVersion, schemaVersion, components, root, defaultPipelineRoot)",
    ]);
  });

  it("rejects a componentRef to an unknown component", () => {
    expect(messages(broken((s) => (task(s, "prep").componentRef.name = "comp-nope")))).toEqual([
      "root.dag.tasks.prep.componentRef.name: component 'comp-nope' is not defined in components; add it under components or fix the reference",
    ]);
  });

  it("rejects an executorLabel without executor", () => {
    const pkg = broken((s) => {
      const c = s.components?.["comp-prep"];
      if (c) c.executorLabel = "exec-missing";
    });
    expect(messages(pkg)).toEqual([
      "components.comp-prep.executorLabel: executor 'exec-missing' is not defined in deploymentSpec.executors; add it or fix the label",
    ]);
  });

  it("rejects an executor with no or several kinds", () => {
    const pkg = broken((s) => {
      const execs = s.deploymentSpec?.executors;
      if (execs) {
        execs["exec-prep"] = {};
        execs["exec-train"] = {
          container: { image: "alpine" },
          importer: { artifactUri: { constant: "gs://x" }, typeSchema: { schemaTitle: "system.Dataset" } },
        };
      }
    });
    expect(messages(pkg)).toEqual([
      "deploymentSpec.executors.exec-prep: has no container, importer or resolver; give the executor exactly one of them",
      "deploymentSpec.executors.exec-train: has container and importer; give the executor exactly one of them",
    ]);
  });

  it("rejects DAG components that run themselves", () => {
    const pkg = broken((s) => {
      const comps = s.components ?? {};
      comps["comp-a"] = { dag: { tasks: { b: { taskInfo: { name: "b" }, componentRef: { name: "comp-b" } } } } };
      comps["comp-b"] = { dag: { tasks: { a: { taskInfo: { name: "a" }, componentRef: { name: "comp-a" } } } } };
    });
    expect(messages(pkg)).toEqual([
      "components.comp-a: component cycle: comp-a -> comp-b -> comp-a; a DAG component cannot run itself, directly or through other components",
    ]);
  });

  it("rejects a DAG component that runs itself directly, and names the cycle through root's callee", () => {
    const pkg = broken((s) => {
      const comps = s.components ?? {};
      comps["comp-loop"] = {
        dag: { tasks: { again: { taskInfo: { name: "again" }, componentRef: { name: "comp-loop" } } } },
      };
      comps["comp-outer"] = {
        dag: { tasks: { inner: { taskInfo: { name: "inner" }, componentRef: { name: "comp-middle" } } } },
      };
      comps["comp-middle"] = {
        dag: { tasks: { outer: { taskInfo: { name: "outer" }, componentRef: { name: "comp-outer" } } } },
      };
      const tasks = s.root.dag?.tasks ?? {};
      tasks.loop = { taskInfo: { name: "loop" }, componentRef: { name: "comp-loop" }, dependentTasks: ["train"] };
    });
    expect(messages(pkg)).toEqual([
      "components.comp-loop: component 'comp-loop' runs itself (a task of its DAG has componentRef 'comp-loop'); a DAG component cannot run itself, directly or through other components",
      "components.comp-outer: component cycle: comp-outer -> comp-middle -> comp-outer; a DAG component cannot run itself, directly or through other components",
    ]);
  });

  it("follows a chain of 50,000 tasks and a cycle at its end without exhausting the stack", () => {
    const pkg = broken((s) => {
      const tasks: Record<string, PipelineTaskSpec> = {};
      const n = 50_000;
      for (let i = 0; i < n; i++) {
        tasks[`t${i}`] = {
          taskInfo: { name: `t${i}` },
          componentRef: { name: "comp-prep" },
          dependentTasks: [`t${i === 0 ? n - 1 : i - 1}`],
          inputs: { parameters: { rows: { runtimeValue: { constant: i } } } },
        };
      }
      if (s.root.dag) s.root.dag = { tasks };
      s.root.outputDefinitions = {};
    });
    const found = messages(pkg);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^root\.dag\.tasks: dependency cycle: t0 -> t1 -> t2 -> .* -> t49999 -> t0; /);
  });

  it("rejects a dependentTasks entry outside the DAG", () => {
    expect(messages(broken((s) => (task(s, "train").dependentTasks = ["ghost"])))).toEqual([
      "root.dag.tasks.train.dependentTasks[0]: task 'ghost' is not in the same DAG (root.dag.tasks); refer only to sibling tasks",
    ]);
  });

  it("rejects a producer task outside the DAG", () => {
    const pkg = broken((s) => {
      const art = task(s, "train").inputs?.artifacts?.data;
      if (art?.taskOutputArtifact) art.taskOutputArtifact.producerTask = "ghost";
    });
    expect(messages(pkg)).toEqual([
      "root.dag.tasks.train.inputs.artifacts.data.taskOutputArtifact.producerTask: task 'ghost' is not in the same DAG (root.dag.tasks); refer only to sibling tasks",
    ]);
  });

  it("rejects a taskFinalStatus naming a task outside the DAG", () => {
    const pkg = broken((s) => {
      const c = s.components?.["comp-train"];
      if (c?.inputDefinitions?.parameters)
        c.inputDefinitions.parameters.status = { parameterType: "TASK_FINAL_STATUS" };
      const params = task(s, "train").inputs?.parameters;
      if (params) params.status = { taskFinalStatus: { producerTask: "exit-handler-9" } };
    });
    expect(messages(pkg)).toEqual([
      "root.dag.tasks.train.inputs.parameters.status.taskFinalStatus.producerTask: task 'exit-handler-9' is not in the same DAG (root.dag.tasks); refer only to sibling tasks",
    ]);
  });

  it("names a missing output artifact of the producer", () => {
    const pkg = broken((s) => {
      const art = task(s, "train").inputs?.artifacts?.data;
      if (art?.taskOutputArtifact) art.taskOutputArtifact.outputArtifactKey = "datasets";
    });
    expect(messages(pkg)).toEqual([
      "root.dag.tasks.train.inputs.artifacts.data.taskOutputArtifact: producer task 'prep' has no output artifact 'datasets'",
    ]);
  });

  it("names a missing output parameter of the producer", () => {
    const pkg = broken((s) => {
      const p = task(s, "train").inputs?.parameters?.n;
      if (p?.taskOutputParameter) p.taskOutputParameter.outputParameterKey = "total";
    });
    expect(messages(pkg)).toEqual([
      "root.dag.tasks.train.inputs.parameters.n.taskOutputParameter: producer task 'prep' has no output parameter 'total'",
    ]);
  });

  it("finds a dependency cycle", () => {
    expect(messages(broken((s) => (task(s, "prep").dependentTasks = ["train"])))).toEqual([
      "root.dag.tasks: dependency cycle: prep -> train -> prep; a task cannot depend on its own downstream tasks",
    ]);
  });

  it("rejects componentInputParameter naming an undeclared input of the enclosing component", () => {
    const pkg = broken((s) => {
      const p = task(s, "prep").inputs?.parameters?.rows;
      if (p) p.componentInputParameter = "row_count";
    });
    expect(messages(pkg)).toEqual([
      "root.dag.tasks.prep.inputs.parameters.rows.componentInputParameter: enclosing component 'root' has no input parameter 'row_count'; declare it in root.inputDefinitions.parameters or fix the name",
    ]);
  });

  it("rejects componentInputArtifact naming an undeclared input artifact", () => {
    const pkg = broken((s) => {
      const a = task(s, "train").inputs?.artifacts;
      if (a) a.data = { componentInputArtifact: "raw" };
    });
    expect(messages(pkg)).toEqual([
      "root.dag.tasks.train.inputs.artifacts.data.componentInputArtifact: enclosing component 'root' has no input artifact 'raw'; declare it in root.inputDefinitions.artifacts or fix the name",
    ]);
  });

  it("rejects a task input the component does not declare", () => {
    const pkg = broken((s) => {
      const p = task(s, "prep").inputs?.parameters;
      if (p) p.seed = { runtimeValue: { constant: 7 } };
    });
    expect(messages(pkg)).toEqual([
      "root.dag.tasks.prep.inputs.parameters.seed: component 'comp-prep' has no input parameter 'seed' (it declares: rows); remove it or declare it",
    ]);
  });

  it("accepts an undeclared pipelinechannel input that feeds a placeholder in a constant", () => {
    const pkg = broken((s) => {
      const p = task(s, "train").inputs?.parameters;
      if (p) {
        p.lr = { runtimeValue: { constant: 1 } };
        p["pipelinechannel--rows"] = { componentInputParameter: "rows" };
      }
      const c = s.components?.["comp-train"]?.inputDefinitions?.parameters;
      if (c) c.lr = { parameterType: "STRING" };
    });
    expect(messages(pkg)).toEqual([
      "root.dag.tasks.train.inputs.parameters.lr.runtimeValue.constant: expected a string (STRING) but got 1 for input 'lr' of component 'comp-train'",
      "root.dag.tasks.train.inputs.parameters.pipelinechannel--rows: component 'comp-train' has no input parameter 'pipelinechannel--rows' (it declares: n, lr); remove it or declare it",
    ]);
    const fixed = broken((s) => {
      const p = task(s, "train").inputs?.parameters;
      if (p) {
        p.lr = { runtimeValue: { constant: "rows={{$.inputs.parameters['pipelinechannel--rows']}}" } };
        p["pipelinechannel--rows"] = { componentInputParameter: "rows" };
      }
      const c = s.components?.["comp-train"]?.inputDefinitions?.parameters;
      if (c) c.lr = { parameterType: "STRING" };
    });
    expect(messages(fixed)).toEqual([]);
  });

  it("accepts resources set from task inputs as KFP writes them, and names what they read that is missing", () => {
    const setCpu = (s: PipelineSpec, cpu: string) => {
      const c = s.deploymentSpec?.executors?.["exec-prep"]?.container;
      if (c)
        c.resources = { resourceCpuLimit: cpu, accelerator: { resourceType: "NVIDIA_TESLA_T4", resourceCount: "1" } };
    };
    const cpuFromRows = "{{$.inputs.parameters['pipelinechannel--rows']}}";
    const kfp = broken((s) => {
      setCpu(s, cpuFromRows);
      const p = task(s, "prep").inputs?.parameters;
      if (p) {
        p.cpu_limit = { runtimeValue: { constant: cpuFromRows } };
        p["pipelinechannel--rows"] = { componentInputParameter: "rows" };
      }
    });
    expect(messages(kfp)).toEqual([]);
    const unwired = broken((s) => setCpu(s, cpuFromRows));
    expect(messages(unwired)).toEqual([
      "root.dag.tasks.prep.inputs.parameters: the resourceCpuLimit of executor 'exec-prep' is set from input 'pipelinechannel--rows', which the task does not supply; add 'pipelinechannel--rows' to root.dag.tasks.prep.inputs.parameters or give the resource a constant value",
    ]);
    const injectedWithoutPlaceholder = broken((s) => {
      setCpu(s, "2");
      const p = task(s, "prep").inputs?.parameters;
      if (p) p.cpu_limit = { runtimeValue: { constant: "2" } };
    });
    expect(messages(injectedWithoutPlaceholder)).toEqual([
      "root.dag.tasks.prep.inputs.parameters.cpu_limit: component 'comp-prep' has no input parameter 'cpu_limit' (it declares: rows); remove it or declare it",
    ]);
  });

  it("rejects resource constants that are not quantities, and placeholders inside other text", () => {
    const pkg = broken((s) => {
      const c = s.deploymentSpec?.executors?.["exec-prep"]?.container;
      if (c) {
        c.resources = {
          resourceCpuRequest: "{{$.inputs.parameters['rows']}}m",
          resourceMemoryLimit: "4Gi",
          memoryRequest: -1,
          accelerator: { resourceCount: "two" },
        };
      }
    });
    expect(messages(pkg)).toEqual([
      "deploymentSpec.executors.exec-prep.container.resources.resourceCpuRequest: '{{$.inputs.parameters['rows']}}m' is not one input placeholder; write the whole value as {{$.inputs.parameters['name']}} or as a CPU quantity such as \"500m\" or \"2\"",
      "deploymentSpec.executors.exec-prep.container.resources.accelerator.resourceCount: 'two' is not a whole number of devices such as \"1\"; write one, or the placeholder {{$.inputs.parameters['name']}} to set it from a task input",
      "deploymentSpec.executors.exec-prep.container.resources.memoryRequest: is -1; a resource amount must be 0 or more",
    ]);
  });

  it("reports required inputs that are not supplied, and respects defaults and isOptional", () => {
    const pkg = broken((s) => {
      const t = task(s, "train");
      t.inputs = {};
    });
    expect(messages(pkg)).toEqual([
      "root.dag.tasks.train.inputs.parameters.n: required input parameter 'n' (NUMBER_INTEGER) of component 'comp-train' is not supplied; pass a value or give the input a default",
      "root.dag.tasks.train.inputs.artifacts.data: required input artifact 'data' (system.Dataset) of component 'comp-train' is not supplied; connect an artifact or mark the input optional",
    ]);
  });

  it("reports artifact type mismatches but lets system.Artifact accept anything", () => {
    const mismatch = broken((s) => {
      const out = s.components?.["comp-prep"]?.outputDefinitions?.artifacts?.dataset;
      if (out) out.artifactType = { schemaTitle: "system.Model", schemaVersion: "0.0.1" };
    });
    expect(messages(mismatch)).toEqual([
      "root.dag.tasks.train.inputs.artifacts.data.taskOutputArtifact: type mismatch: producer task 'prep' output 'dataset' is system.Model but component 'comp-train' input 'data' expects system.Dataset",
    ]);
    const generic = broken((s) => {
      const inp = s.components?.["comp-train"]?.inputDefinitions?.artifacts?.data;
      if (inp) inp.artifactType = { schemaTitle: "system.Artifact", schemaVersion: "0.0.1" };
    });
    expect(messages(generic)).toEqual([]);
  });

  it("reports parameter type mismatches where both ends are known", () => {
    const pkg = broken((s) => {
      const out = s.components?.["comp-prep"]?.outputDefinitions?.parameters?.count;
      if (out) out.parameterType = "STRING";
    });
    expect(messages(pkg)).toEqual([
      "root.dag.tasks.train.inputs.parameters.n.taskOutputParameter: type mismatch: producer task 'prep' output 'count' is STRING but component 'comp-train' input 'n' is NUMBER_INTEGER",
    ]);
  });

  it("rejects iterators over inputs the task does not have", () => {
    const pkg = broken((s) => {
      const t = task(s, "prep");
      t.parameterIterator = { items: { inputParameter: "pipelinechannel--list" }, itemInput: "rows" };
      t.inputs = {};
      const a = task(s, "train");
      a.artifactIterator = { items: { inputArtifact: "models" }, itemInput: "data" };
    });
    expect(messages(pkg)).toEqual([
      "root.dag.tasks.prep.parameterIterator.items.inputParameter: the task has no input parameter 'pipelinechannel--list' to iterate over; add it to root.dag.tasks.prep.inputs.parameters",
      "root.dag.tasks.train.artifactIterator.items.inputArtifact: the task has no input artifact 'models' to iterate over; add it to root.dag.tasks.train.inputs.artifacts",
    ]);
  });

  it("rejects raw loop items that are not a JSON list", () => {
    const pkg = broken((s) => {
      const t = task(s, "prep");
      t.parameterIterator = { items: { raw: "{not json" }, itemInput: "rows" };
      t.inputs = {};
    });
    expect(messages(pkg)).toEqual([
      "root.dag.tasks.prep.parameterIterator.items.raw: must be a JSON list (e.g. '[1, 2, 3]') of the loop's items",
    ]);
  });

  it("rejects DAG output selectors naming missing subtasks or outputs", () => {
    const pkg = broken((s) => {
      const outs = s.root.dag?.outputs?.artifacts;
      if (outs) {
        outs.model = {
          artifactSelectors: [
            { producerSubtask: "evaluate", outputArtifactKey: "model" },
            { producerSubtask: "train", outputArtifactKey: "weights" },
          ],
        };
      }
    });
    expect(messages(pkg)).toEqual([
      "root.dag.outputs.artifacts.model.artifactSelectors[0].producerSubtask: task 'evaluate' is not in this DAG (root.dag.tasks); select an output of one of its tasks",
      "root.dag.outputs.artifacts.model.artifactSelectors[1]: subtask 'train' has no output artifact 'weights'",
    ]);
  });

  it("rejects trigger conditions that are not valid CEL and accepts KFP's forms", () => {
    const bad = broken((s) => {
      task(s, "train").triggerPolicy = { condition: "inputs.parameter_values['x'] ==" };
    });
    const [issue] = validatePipeline(bad);
    expect(issue?.path).toBe("root.dag.tasks.train.triggerPolicy.condition");
    expect(issue?.message).toMatch(
      /^not a valid CEL expression \(at 1:\d+: .+\); write e\.g\. inputs\.parameter_values/,
    );
    const unknown = broken((s) => {
      task(s, "train").triggerPolicy = { condition: "inputs.parameter_values['pipelinechannel--flip'] == 'heads'" };
    });
    expect(messages(unknown)).toEqual([
      "root.dag.tasks.train.triggerPolicy.condition: refers to input 'pipelinechannel--flip' that the task does not have; add it to root.dag.tasks.train.inputs.parameters",
    ]);
    const good = broken((s) => {
      const params = task(s, "train").inputs?.parameters;
      if (params) {
        params["pipelinechannel--n"] = { componentInputParameter: "rows" };
        params.p = { componentInputParameter: "rows" };
      }
      task(s, "train").triggerPolicy = {
        condition:
          "int(inputs.parameter_values['pipelinechannel--n']) > 5 && !(string(parseJson(inputs.parameter_values['p'])) == 'heads')",
      };
    });
    expect(validatePipeline(good)).toEqual([]);
  });

  it("assertValidPipeline throws one error listing every issue with the file name", () => {
    const pkg = broken((s) => {
      s.schemaVersion = "1.0";
      task(s, "prep").componentRef.name = "comp-x";
    });
    let caught: unknown;
    try {
      assertValidPipeline(pkg, { file: "p.yaml" });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(IrValidationError);
    const err = caught as IrValidationError;
    expect(err.code).toBe("IR_INVALID_PIPELINE");
    expect(err.issues).toHaveLength(2);
    expect(err.message.split("\n")).toEqual([
      "p.yaml: schemaVersion: '1.0' is not supported; Weft reads KFP IR schemaVersion 2.0.0 or 2.1.0 (compile with the KFP v2 SDK)",
      "p.yaml: root.dag.tasks.prep.componentRef.name: component 'comp-x' is not defined in components; add it under components or fix the reference",
    ]);
  });

  it.each([
    ["../x", "contains '/'"],
    ["..", "is '..'"],
    [".", "is '.'"],
    ["a\\b", "contains '\\'"],
    ["a\u0000b", "contains a NUL character"],
    ["a\nb", "contains a control character"],
    [" a", "starts or ends with whitespace"],
    ["a\t", "contains a control character"],
    ["", "is empty"],
    ["x".repeat(129), "is 129 bytes long"],
  ])("rejects the task name %j, naming its IR path", (name, why) => {
    const pkg = broken((s) => {
      const tasks = s.root.dag?.tasks ?? {};
      tasks[name] = { taskInfo: { name: "odd" }, componentRef: { name: "comp-prep" }, dependentTasks: ["prep"] };
      tasks[name].inputs = { parameters: { rows: { runtimeValue: { constant: 1 } } } };
    });
    const shown = JSON.stringify(name).slice(1, -1).replaceAll("'", "\\'");
    const where = /^[a-z]+$/.test(name) ? `.${name}` : `['${shown}']`;
    expect(messages(pkg)).toEqual([
      `root.dag.tasks${where}: task name ${why}; a name is 1 to 128 bytes of printable characters other than '/' and '\\', is not '.' or '..', and does not start or end with whitespace (KFP itself writes a-z, 0-9 and '-')`,
    ]);
  });

  it("accepts names KFP does not write but that are safe, such as spaces inside and capitals", () => {
    const pkg = broken((s) => {
      const tasks = s.root.dag?.tasks ?? {};
      tasks["Train Model (v2)"] = {
        taskInfo: { name: "Train Model (v2)" },
        componentRef: { name: "comp-prep" },
        inputs: { parameters: { rows: { runtimeValue: { constant: 1 } } } },
      };
    });
    expect(messages(pkg)).toEqual([]);
  });

  it("rejects traversal in component, executor, output and input names", () => {
    const pkg = broken((s) => {
      const comps = s.components ?? {};
      const prep = comps["comp-prep"];
      if (!prep?.outputDefinitions?.artifacts) throw new Error("fixture changed");
      prep.outputDefinitions.artifacts["../../etc/x"] = { artifactType: { schemaTitle: "system.Dataset" } };
      prep.inputDefinitions = {
        parameters: { rows: { parameterType: "NUMBER_INTEGER" }, "..": { parameterType: "STRING", isOptional: true } },
      };
      comps["comp/evil"] = { executorLabel: "exec\\evil" };
      const execs = s.deploymentSpec?.executors ?? {};
      execs["exec\\evil"] = { container: { image: "alpine" } };
    });
    const rule = "a name is 1 to 128 bytes";
    const found = messages(pkg).map((m) => m.slice(0, m.indexOf(rule) + rule.length));
    expect(found).toEqual([
      `components['comp/evil']: component name contains '/'; ${rule}`,
      `deploymentSpec.executors['exec\\\\evil']: executor name contains '\\'; ${rule}`,
      `components.comp-prep.inputDefinitions.parameters['..']: input parameter name is '..'; ${rule}`,
      `components.comp-prep.outputDefinitions.artifacts['../../etc/x']: output artifact name contains '/'; ${rule}`,
    ]);
  });

  it("rejects a negative retry count and a negative loop parallelism", () => {
    const pkg = broken((s) => {
      task(s, "train").retryPolicy = { maxRetryCount: -1 };
      task(s, "prep").iteratorPolicy = { parallelismLimit: -2 };
    });
    expect(messages(pkg)).toEqual([
      "root.dag.tasks.prep.iteratorPolicy.parallelismLimit: is -2; the number of loop iterations run at once must be 0 (no limit) or more",
      "root.dag.tasks.train.retryPolicy.maxRetryCount: is -1; the number of retries after a failed attempt must be 0 or more",
    ]);
    expect(messages(broken((s) => (task(s, "train").retryPolicy = { maxRetryCount: 0 })))).toEqual([]);
  });

  it("rejects defaults that do not match their parameterType, in root and in components", () => {
    const pkg = broken((s) => {
      const rows = s.root.inputDefinitions?.parameters?.rows;
      if (rows) rows.defaultValue = "many";
      const lr = s.components?.["comp-train"]?.inputDefinitions?.parameters?.lr;
      if (lr) lr.defaultValue = [0.1];
    });
    expect(messages(pkg)).toEqual([
      `root.inputDefinitions.parameters.rows.defaultValue: expected an integer (NUMBER_INTEGER) but got "many" as the default of input 'rows'; make the default a NUMBER_INTEGER value or fix parameterType`,
      "components.comp-train.inputDefinitions.parameters.lr.defaultValue: expected a number (NUMBER_DOUBLE) but got [0.1] as the default of input 'lr'; make the default a NUMBER_DOUBLE value or fix parameterType",
    ]);
  });

  it("accepts an integer default for a NUMBER_DOUBLE input and a null default for an optional one", () => {
    const pkg = broken((s) => {
      const lr = s.components?.["comp-train"]?.inputDefinitions?.parameters?.lr;
      if (lr) lr.defaultValue = 1;
      const params = s.components?.["comp-train"]?.inputDefinitions?.parameters;
      if (params) params.note = { parameterType: "STRING", isOptional: true, defaultValue: null };
    });
    expect(messages(pkg)).toEqual([]);
  });
});

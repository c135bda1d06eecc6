/**
 * `weft run` validates the pipeline before it records anything: an invalid pipeline (an
 * unsafe name, a dependency cycle, a component that runs itself, a negative retry
 * count) is refused with the file and IR path, exit 2, and leaves no run and no files.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, sandbox, shPipeline, weft } from "./helpers.ts";

type Spec = {
  components: Record<string, Record<string, unknown>>;
  root: { dag: { tasks: Record<string, Record<string, unknown>> } };
};

function twoTasks(): Spec {
  return shPipeline("checked", [
    { name: "a", script: "echo a" },
    { name: "b", after: ["a"], script: "echo b" },
  ]) as unknown as Spec;
}

/** Every file under `dir` with its size, so a before/after comparison sees any write. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else out.push(`${path} ${st.size} ${st.mtimeMs}`);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

describe("weft run validates before recording", () => {
  let box: Sandbox;
  beforeAll(async () => {
    box = sandbox();
    const ok = await weft(box.home, ["run", box.write("ok.yaml", twoTasks())]);
    expect(ok.code).toBe(0);
  });
  afterAll(() => box.cleanup());

  async function refused(name: string, spec: Spec): Promise<string> {
    const file = box.write(name, spec);
    const before = listing(box.home);
    const r = await weft(box.home, ["run", file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    // the store (weft.db and its WAL), logs and artifacts are untouched
    expect(listing(box.home)).toEqual(before);
    return r.stderr;
  }

  it("refuses a task name with '../', naming the file and the IR path", async () => {
    const spec = twoTasks();
    const tasks = spec.root.dag.tasks;
    tasks["../x"] = { ...tasks.b, taskInfo: { name: "x" } };
    const stderr = await refused("traversal.yaml", spec);
    expect(stderr).toContain(
      "traversal.yaml: root.dag.tasks['../x']: task name contains '/'; a name is 1 to 128 bytes",
    );
    // with no $WEFT_HOME yet, none is created
    const fresh = join(box.dir, "fresh-home");
    const r = await weft(fresh, ["run", join(box.dir, "traversal.yaml")]);
    expect(r.code).toBe(2);
    expect(existsSync(fresh)).toBe(false);
  });

  it("refuses an output name with '../'", async () => {
    const spec = twoTasks();
    spec.components["comp-a"] = {
      ...spec.components["comp-a"],
      outputDefinitions: { artifacts: { "../../escape": { artifactType: { schemaTitle: "system.Artifact" } } } },
    };
    const stderr = await refused("output.yaml", spec);
    expect(stderr).toContain(
      "output.yaml: components.comp-a.outputDefinitions.artifacts['../../escape']: output artifact name contains '/'",
    );
  });

  it("refuses a dependency cycle", async () => {
    const spec = twoTasks();
    const tasks = spec.root.dag.tasks;
    if (tasks.a) tasks.a.dependentTasks = ["b"];
    const stderr = await refused("cycle.yaml", spec);
    expect(stderr).toContain("cycle.yaml: root.dag.tasks: dependency cycle: ");
  });

  it("refuses a component that runs itself through another component, naming the cycle", async () => {
    const spec = twoTasks();
    spec.components["comp-outer"] = {
      dag: { tasks: { inner: { taskInfo: { name: "inner" }, componentRef: { name: "comp-inner" } } } },
    };
    spec.components["comp-inner"] = {
      dag: { tasks: { outer: { taskInfo: { name: "outer" }, componentRef: { name: "comp-outer" } } } },
    };
    spec.root.dag.tasks.nest = { taskInfo: { name: "nest" }, componentRef: { name: "comp-outer" } };
    const stderr = await refused("recursive.yaml", spec);
    expect(stderr).toContain(
      "recursive.yaml: components.comp-outer: component cycle: comp-outer -> comp-inner -> comp-outer; a DAG component cannot run itself",
    );
  });

  it("refuses a negative retry count", async () => {
    const spec = twoTasks();
    const tasks = spec.root.dag.tasks;
    if (tasks.b) tasks.b.retryPolicy = { maxRetryCount: -1 };
    const stderr = await refused("retry.yaml", spec);
    expect(stderr).toContain("retry.yaml: root.dag.tasks.b.retryPolicy.maxRetryCount: is -1;");
  });
});

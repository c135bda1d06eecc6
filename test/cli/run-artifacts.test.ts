/**
 * `weft run --artifact name=<path or URI>` gives a pipeline its artifact inputs
 * (`root.inputDefinitions.artifacts`): a relative path resolves against the working
 * directory, the task reads the file like any upstream artifact, and the store records it
 * as the run's input artifact (its type from the input definition, its content digest, an
 * INPUT event of the task that read it). A missing required input, an unknown name, a
 * parameter's name or a missing file is refused before anything runs.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.ts";
import { collect, ROOT, type Sandbox, sandbox, startWeftServer, type WeftResult } from "./helpers.ts";
import { takesData } from "./takes-data.ts";

describe("weft run --artifact", () => {
  let box: Sandbox;
  let pipeline: string;
  /** `weft ...args` run from the sandbox folder, so relative paths resolve there. */
  const weftHere = (args: string[]): Promise<WeftResult> =>
    collect(
      spawn(process.execPath, [join(ROOT, "bin/weft.js"), ...args], {
        cwd: box.dir,
        env: { ...process.env, WEFT_HOME: box.home, NO_COLOR: "1", FORCE_COLOR: "0", WEFT_HOST: "" },
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
  const runCount = () => {
    const store = openStore(box.home);
    try {
      return store.runs.list().items.length;
    } finally {
      store.close();
    }
  };

  beforeAll(() => {
    box = sandbox();
    pipeline = box.write("takes-data.yaml", takesData());
    mkdirSync(join(box.dir, "data"));
    writeFileSync(join(box.dir, "data", "rows.csv"), "a,1\nb,2\nc,3\n");
  });
  afterAll(() => box.cleanup());

  it("passes a file given by a relative path to the task and records it as the run's input artifact", async () => {
    const r = await weftHere(["run", pipeline, "--artifact", "data=data/rows.csv"]);
    expect(
      r.stdout
        .split("\n")
        .filter((l) => /FAILED|error/.test(l))
        .join("\n") + r.stderr,
    ).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("b,2");
    // the record of the given artifacts runs nothing and is not counted
    expect(r.stdout).toContain("Tasks: 1 succeeded");
    const store = openStore(box.home);
    try {
      const [run] = store.runs.list().items;
      if (!run) throw new Error("no run recorded");
      const file = realpathSync(join(box.dir, "data", "rows.csv"));
      expect(run.inputArtifacts).toEqual({ data: `file://${file}` });
      const count = store.tasks.getByPath(run.id, "root/count");
      expect(count?.state).toBe("SUCCEEDED");
      expect(String(count?.outputs.parameters.lines).trim()).toBe("3");
      const given = store.artifacts.listByRun(run.id).filter((a) => a.name === "data");
      expect(given).toHaveLength(1);
      const artifact = given[0];
      expect(artifact?.uri).toBe(`file://${file}`);
      expect(artifact?.schemaTitle).toBe("system.Dataset");
      expect(artifact?.digest).toBe(`sha256:${createHash("sha256").update("a,1\nb,2\nc,3\n").digest("hex")}`);
      // lineage: the task that read it has an INPUT event for it, under its input name
      const reads = store.events.listByArtifact(artifact?.id ?? "").filter((e) => e.type === "INPUT");
      expect(reads.map((e) => [e.taskId, e.name])).toContainEqual([count?.id, "data"]);
      expect(count?.inputs.artifacts.data).toEqual([artifact?.id]);
      // it is the output of the run's record of its given artifacts, as an importer's would be
      const made = store.events.listByArtifact(artifact?.id ?? "").filter((e) => e.type === "OUTPUT");
      expect(made.map((e) => store.tasks.get(e.taskId)?.path)).toEqual(["root"]);
      expect(store.tasks.get(artifact?.taskId ?? "")?.kind).toBe("importer");
    } finally {
      store.close();
    }
  });

  it("refuses a run whose required artifact input is missing, naming it, before anything runs", async () => {
    const before = runCount();
    const r = await weftHere(["run", pipeline]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("MISSING_ARTIFACT_INPUT");
    expect(r.stderr).toContain('"data" (system.Dataset)');
    expect(r.stderr).toContain("--artifact data=");
    expect(runCount()).toBe(before);
  });

  it("names an unknown artifact input and a parameter's name, listing the declared artifact inputs", async () => {
    const unknown = await weftHere(["run", pipeline, "--artifact", "nope=data/rows.csv"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'pipeline "takes-data" has no artifact input "nope"; its artifact inputs are: data',
    );
    const param = await weftHere(["run", pipeline, "--artifact", "rows=data/rows.csv"]);
    expect(param.code).toBe(2);
    expect(param.stderr).toContain('"rows" is an input parameter of pipeline "takes-data", not an artifact input');
    expect(param.stderr).toContain("its artifact inputs are: data");
  });

  it("refuses a path that does not exist, naming where it looked", async () => {
    const r = await weftHere(["run", pipeline, "--artifact", "data=data/nothing.csv"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("ARTIFACT_INPUT_NOT_FOUND");
    expect(r.stderr).toContain(join(box.dir, "data", "nothing.csv"));
  });

  it("runs without an optional artifact input", async () => {
    const optional = box.write("optional.yaml", {
      ...takesData(true),
      deploymentSpec: {
        executors: {
          "exec-count": {
            container: {
              image: "alpine:3",
              command: ["sh", "-c", "echo none > {{$.outputs.parameters['lines'].output_file}}"],
            },
          },
        },
      },
    });
    const r = await weftHere(["run", optional]);
    expect(r.code).toBe(0);
  });

  it("sends the artifact to a server with --host, which runs the task on it", async () => {
    const serverHome = join(box.dir, "server-home");
    const server = await startWeftServer(serverHome);
    try {
      const r = await weftHere(["--host", server.url, "run", pipeline, "--artifact", "data=data/rows.csv"]);
      expect(r.code).toBe(0);
      const store = openStore(serverHome);
      try {
        const [run] = store.runs.list().items;
        expect(run?.inputArtifacts).toEqual({ data: `file://${realpathSync(join(box.dir, "data", "rows.csv"))}` });
        expect(store.tasks.getByPath(run?.id ?? "", "root/count")?.state).toBe("SUCCEEDED");
      } finally {
        store.close();
      }
    } finally {
      await server.stop();
    }
  });
});

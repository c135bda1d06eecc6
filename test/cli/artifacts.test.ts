import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, sandbox, weft } from "./helpers.ts";

/** make writes a Dataset; count reads it and writes a Model-ish text artifact. */
const artifactPipeline = {
  pipelineInfo: { name: "artifacts-cli" },
  schemaVersion: "2.1.0",
  sdkVersion: "weft-test",
  components: {
    "comp-make": {
      executorLabel: "exec-make",
      outputDefinitions: {
        artifacts: { data: { artifactType: { schemaTitle: "system.Dataset", schemaVersion: "0.0.1" } } },
      },
    },
    "comp-count": {
      executorLabel: "exec-count",
      inputDefinitions: {
        artifacts: { data: { artifactType: { schemaTitle: "system.Dataset", schemaVersion: "0.0.1" } } },
      },
      outputDefinitions: {
        artifacts: { report: { artifactType: { schemaTitle: "system.Artifact", schemaVersion: "0.0.1" } } },
      },
    },
  },
  deploymentSpec: {
    executors: {
      "exec-make": {
        container: {
          image: "alpine:3",
          command: ["sh", "-c", 'mkdir -p "$(dirname "$1")" && printf "a\\nb\\nc\\n" > "$1"', "sh"],
          args: ["{{$.outputs.artifacts['data'].path}}"],
        },
      },
      "exec-count": {
        container: {
          image: "alpine:3",
          command: ["sh", "-c", 'mkdir -p "$(dirname "$2")" && echo "lines: $(wc -l < "$1" | tr -d " ")" > "$2"', "sh"],
          args: ["{{$.inputs.artifacts['data'].path}}", "{{$.outputs.artifacts['report'].path}}"],
        },
      },
    },
  },
  root: {
    dag: {
      tasks: {
        make: { taskInfo: { name: "make" }, componentRef: { name: "comp-make" } },
        count: {
          taskInfo: { name: "count" },
          componentRef: { name: "comp-count" },
          dependentTasks: ["make"],
          inputs: { artifacts: { data: { taskOutputArtifact: { producerTask: "make", outputArtifactKey: "data" } } } },
        },
      },
    },
  },
};

interface ArtifactRow {
  id: string;
  name: string;
  uri: string;
  taskId: string;
}

describe("weft artifacts get and weft lineage", () => {
  let box: Sandbox;
  let runId = "";
  let artifacts: ArtifactRow[] = [];
  beforeAll(async () => {
    box = sandbox();
    const file = box.write("artifacts.yaml", artifactPipeline);
    const r = await weft(box.home, ["run", file, "--json"]);
    expect(r.code).toBe(0);
    runId = JSON.parse(r.stdout.trim().split("\n").at(-1)!).runId;
    artifacts = JSON.parse((await weft(box.home, ["runs", "get", runId, "--json"])).stdout).artifacts;
  });
  afterAll(() => box.cleanup());

  it("prints a small text artifact and copies one out with -o", async () => {
    const report = artifacts.find((a) => a.name === "report")!;
    const printed = await weft(box.home, ["artifacts", "get", report.id]);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toBe("lines: 3\n");
    const byUri = await weft(box.home, ["artifacts", "get", report.uri]);
    expect(byUri.stdout).toBe("lines: 3\n");
    const data = artifacts.find((a) => a.name === "data")!;
    const dest = join(box.dir, "data.txt");
    const copied = await weft(box.home, ["artifacts", "get", data.id, "-o", dest]);
    expect(copied.code).toBe(0);
    expect(readFileSync(dest, "utf8")).toBe("a\nb\nc\n");
    const again = await weft(box.home, ["artifacts", "get", data.id, "-o", dest]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists; choose another path or pass --force/);
    expect(existsSync(dest)).toBe(true);
    const missing = await weft(box.home, ["artifacts", "get", "nope"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no artifact with id or uri "nope"/);
  });

  it("tells what produced an artifact, from which inputs, and what consumed it", async () => {
    const data = artifacts.find((a) => a.name === "data")!;
    const report = artifacts.find((a) => a.name === "report")!;
    const ofData = await weft(box.home, ["lineage", data.id]);
    expect(ofData.code).toBe(0);
    expect(ofData.stdout).toMatch(new RegExp(`produced by make \\(SUCCEEDED\\) in run .* \\(${runId}\\)`));
    expect(ofData.stdout).toMatch(/consumed by count as data/);
    const ofReport = JSON.parse((await weft(box.home, ["lineage", report.uri, "--json"])).stdout).lineage[0];
    expect(ofReport.producer.path).toBe("root/count");
    expect(ofReport.inputs).toEqual([
      expect.objectContaining({
        name: "data",
        artifact: expect.objectContaining({ id: data.id, producerTask: "root/make" }),
      }),
    ]);
    expect(ofReport.consumers).toEqual([]);
    const ofRun = await weft(box.home, ["lineage", runId]);
    expect(ofRun.stdout).toMatch(/2 artifact\(s\)/);
  });
});

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lineageChainPipeline } from "../server/lineage-chain.ts";
import { plainText, type Sandbox, sandbox, startWeftServer, type WeftServer, weft } from "./helpers.ts";

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

describe("weft artifacts list, locally and from a server", () => {
  let box: Sandbox;
  const runIds: string[] = [];
  let server: WeftServer | undefined;
  beforeAll(async () => {
    box = sandbox();
    const file = box.write("artifacts.yaml", artifactPipeline);
    for (const name of ["first", "second"]) {
      const r = await weft(box.home, ["run", file, "--json", "--run-name", name, "--no-cache"]);
      expect(r.code).toBe(0);
      runIds.push(JSON.parse(r.stdout.trim().split("\n").at(-1)!).runId);
    }
    server = await startWeftServer(box.home);
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    box.cleanup();
  });

  it("lists every artifact newest first with its type, run, producing task and size", async () => {
    const r = await weft(box.home, ["artifacts", "list"]);
    expect(r.code).toBe(0);
    const lines = plainText(r.stdout).trim().split("\n");
    expect(lines[0]).toMatch(/^ARTIFACT ID\s+NAME\s+TYPE\s+RUN\s+TASK\s+SIZE\s+CREATED$/);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/\breport\s+Artifact\s+second \(\w{8}\)\s+count\s+9 B\s/);
    expect(lines[4]).toMatch(/\bdata\s+Dataset\s+first \(\w{8}\)\s+make\s+6 B\s/);
  });

  it("filters by run (id, prefix or name), type and name, and prints JSON with -o json", async () => {
    const ofRun = JSON.parse((await weft(box.home, ["artifacts", "list", "--run", "first", "-o", "json"])).stdout);
    expect(ofRun.totalSize).toBe(2);
    expect(ofRun.artifacts.map((a: { runId: string }) => a.runId)).toEqual([runIds[0], runIds[0]]);
    const byPrefix = JSON.parse(
      (await weft(box.home, ["artifacts", "list", "--run", (runIds[1] as string).slice(0, 8), "--json"])).stdout,
    );
    expect(byPrefix.artifacts.map((a: { name: string }) => a.name)).toEqual(["report", "data"]);
    const datasets = JSON.parse(
      (await weft(box.home, ["artifacts", "list", "--type", "dataset", "-o", "json"])).stdout,
    );
    expect(datasets.artifacts.map((a: { schemaTitle: string; task: string }) => [a.schemaTitle, a.task])).toEqual([
      ["system.Dataset", "root/make"],
      ["system.Dataset", "root/make"],
    ]);
    const named = JSON.parse(
      (await weft(box.home, ["artifacts", "list", "--name", "rep", "--limit", "1", "--json"])).stdout,
    );
    expect(named.artifacts).toHaveLength(1);
    expect(named.totalSize).toBe(2);
    const none = await weft(box.home, ["artifacts", "list", "--type", "system.Model"]);
    expect(none.stdout).toMatch(/^no artifacts in /);
    const badRun = await weft(box.home, ["artifacts", "list", "--run", "ghost"]);
    expect(badRun.code).toBe(2);
    expect(badRun.stderr).toMatch(/ghost/);
    const badFormat = await weft(box.home, ["artifacts", "list", "-o", "yaml"]);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/use -o table or -o json/);
  });

  it("shows the same table from a server with --host, with the server's field names in JSON", async () => {
    const url = server?.url as string;
    const local = await weft(box.home, ["artifacts", "list", "--run", "second"]);
    const remote = await weft(join(box.dir, "empty-home"), ["--host", url, "artifacts", "list", "--run", "second"]);
    expect(remote.code).toBe(0);
    expect(plainText(remote.stdout)).toBe(plainText(local.stdout));
    const json = JSON.parse(
      (await weft(join(box.dir, "empty-home"), ["--host", url, "artifacts", "list", "--type", "Dataset", "-o", "json"]))
        .stdout,
    );
    expect(json.totalSize).toBe(2);
    expect(json.artifacts[0]).toMatchObject({ name: "data", schema_title: "system.Dataset", task: "root/make" });
    const badRun = await weft(join(box.dir, "empty-home"), ["--host", url, "artifacts", "list", "--run", "ghost"]);
    expect(badRun.code).toBe(2);
    expect(badRun.stderr).toMatch(/no run with id or name "ghost"/);
  });
});

describe("weft lineage --upstream/--downstream: the multi-hop graph of a four-step chain", () => {
  let box: Sandbox;
  let report = "";
  let transactions = "";
  beforeAll(async () => {
    box = sandbox();
    const file = box.write("chain.json", lineageChainPipeline().pipelineSpec);
    const r = await weft(box.home, ["run", file, "--json"]);
    expect(r.code).toBe(0);
    const runId = JSON.parse(r.stdout.trim().split("\n").at(-1)!).runId;
    const listed = JSON.parse((await weft(box.home, ["artifacts", "list", "--run", runId, "-o", "json"])).stdout)
      .artifacts as { id: string; name: string }[];
    report = listed.find((a) => a.name === "report")?.id ?? "";
    transactions = listed.find((a) => a.name === "transactions")?.id ?? "";
  }, 90_000);
  afterAll(() => box.cleanup());

  it("prints each execution three steps upstream of the report, with what it read and wrote", async () => {
    const r = await weft(box.home, ["lineage", report, "--upstream", "3", "--downstream", "0"]);
    expect(r.code).toBe(0);
    const lines = plainText(r.stdout).split("\n");
    expect(lines).toContain("  3 execution(s) upstream, 0 downstream:");
    expect(lines.filter((l) => /^\s+[-+]\d /.test(l)).map((l) => l.trim())).toEqual([
      "-3 load (SUCCEEDED): - → transactions",
      "-2 features (SUCCEEDED): transactions → features",
      "-2 train (SUCCEEDED): features → model",
      "-1 evaluate (SUCCEEDED): model, features → report",
    ]);
    const short = plainText((await weft(box.home, ["lineage", report, "--upstream", "1"])).stdout);
    expect(short).toMatch(/more lineage beyond .*model/);
    expect(short).not.toMatch(/load/);
  });

  it("walks downstream from the transactions, prints JSON, and refuses a bad hop count", async () => {
    const down = JSON.parse(
      (await weft(box.home, ["lineage", transactions, "-d", "3", "-u", "0", "--json"])).stdout,
    ).graph;
    const executions = down.nodes
      .filter((n: { kind: string }) => n.kind === "execution")
      .map((n: { hop: number; task: { path: string } }) => `${n.hop} ${n.task.path}`)
      .sort();
    expect(executions).toEqual(["1 root/features", "2 root/evaluate", "2 root/train"]);
    const bad = await weft(box.home, ["lineage", transactions, "--upstream", "eleven"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--upstream "eleven" must be a whole number from 0 to 10/);
  });
});

describe("weft run --pipeline-root", () => {
  let box: Sandbox;
  beforeAll(() => {
    box = sandbox();
  });
  afterAll(() => box.cleanup());

  it("writes the run's artifacts under the given directory, and artifacts get reads them there", async () => {
    const file = box.write("artifacts.yaml", artifactPipeline);
    const root = join(box.dir, "elsewhere");
    const r = await weft(box.home, ["run", file, "--json", "--no-cache", "--pipeline-root", `file://${root}`]);
    expect(r.code, r.stderr).toBe(0);
    const runId = JSON.parse(r.stdout.trim().split("\n").at(-1)!).runId;
    expect(readFileSync(join(root, runId, "make", "data"), "utf8")).toBe("a\nb\nc\n");
    expect(existsSync(join(box.home, "artifacts", runId))).toBe(false);
    const got = JSON.parse((await weft(box.home, ["runs", "get", runId, "--json"])).stdout);
    const report = (got.artifacts as ArtifactRow[]).find((a) => a.name === "report")!;
    const printed = await weft(box.home, ["artifacts", "get", report.id]);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toBe("lines: 3\n");
  });

  it("refuses an object-store root before recording a run", async () => {
    const file = box.write("artifacts.yaml", artifactPipeline);
    const r = await weft(box.home, ["run", file, "--pipeline-root", "gs://bucket/root"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/only under file:\/\/ roots/);
    const runs = JSON.parse((await weft(box.home, ["runs", "list", "--json"])).stdout);
    expect(JSON.stringify(runs)).not.toContain("gs://bucket/root");
  });
});

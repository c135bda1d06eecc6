/** Contract: the model registry (`store.models`). */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type ContractFixture, storeErrorOf } from "./contract-fixture.ts";
import type { ModelVersion, ModelVersionInput } from "./types.ts";

const REGISTRY_WRITER = fileURLToPath(new URL("./contract-registry-writer.ts", import.meta.url));

/** Runs the registry writer in a real child process; resolves with its last output line, parsed. */
function writeInChild<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", REGISTRY_WRITER, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const line = stdout.trim().split("\n").pop() ?? "";
      if (code !== 0 || line === "") reject(new Error(`registry writer exited with ${code}: ${stderr}`));
      else resolve(JSON.parse(line) as T);
    });
  });
}

/** Registers the model registry tests. */
export function modelsContract(f: ContractFixture): void {
  const { describe, it, expect } = f.api;
  const models = () => f.store.models;
  const count = (table: string) => (f.store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const versionsOf = (input: Partial<ModelVersionInput> & { name: string }, n: number): ModelVersion[] =>
    Array.from({ length: n }, () => models().createVersion(input));

  describe("registry: registered models", () => {
    it("creates, reads, updates and refuses a duplicate name with ALREADY_EXISTS naming it", () => {
      const m = models().createModel({ name: "fraud", description: "d", tags: { team: "risk" }, userId: "ann" });
      expect(m).toMatchObject({ name: "fraud", description: "d", tags: { team: "risk" }, aliases: {}, userId: "ann" });
      expect(m.createdAt).toBe(m.updatedAt);
      expect(models().getModel("fraud")).toEqual(m);
      expect(models().getModel("nope")).toBeUndefined();
      const dup = storeErrorOf(f, () => models().createModel({ name: "fraud" }));
      expect(dup.code).toBe("ALREADY_EXISTS");
      expect(dup.message).toContain("'fraud'");
      const updated = models().updateModel("fraud", { description: "new" });
      expect(updated.description).toBe("new");
      expect(updated.updatedAt).toBeGreaterThanOrEqual(m.updatedAt);
      expect(storeErrorOf(f, () => models().updateModel("nope", { description: "x" })).code).toBe("NOT_FOUND");
    });

    it("refuses names that cannot be parts of a models:/ URI, saying why", () => {
      for (const name of ["", "a/b", "a@b", "tab\there", "x".repeat(257)]) {
        const err = storeErrorOf(f, () => models().createModel({ name }));
        expect(err.code, JSON.stringify(name)).toBe("INVALID_INPUT");
        expect(err.message).toContain("name");
      }
      expect(models().createModel({ name: "x".repeat(256) }).name).toHaveLength(256);
      expect(models().createModel({ name: "Fraud Detector v2 (ONNX)" }).name).toBe("Fraud Detector v2 (ONNX)");
    });

    it("sets, overwrites and deletes model tags; deleting an unset tag does nothing, a missing model is NOT_FOUND", () => {
      models().createModel({ name: "m" });
      models().setModelTag("m", "k", "1");
      models().setModelTag("m", "k", "2");
      models().setModelTag("m", "other.key", "x");
      expect(models().getModel("m")?.tags).toEqual({ k: "2", "other.key": "x" });
      models().deleteModelTag("m", "k");
      expect(models().getModel("m")?.tags).toEqual({ "other.key": "x" });
      models().deleteModelTag("m", "k");
      expect(models().getModel("m")?.tags).toEqual({ "other.key": "x" });
      expect(storeErrorOf(f, () => models().deleteModelTag("nope", "k")).code).toBe("NOT_FOUND");
      expect(storeErrorOf(f, () => models().setModelTag("nope", "k", "v")).message).toContain("'nope'");
      expect(storeErrorOf(f, () => models().setModelTag("m", "", "v")).code).toBe("INVALID_INPUT");
    });

    it("a rename carries versions, tags, aliases and alias history; the old name is gone", () => {
      models().createModel({ name: "old", tags: { a: "1" } });
      versionsOf({ name: "old", runId: "r1" }, 2);
      models().setVersionTag("old", 1, "vt", "x");
      models().setAlias("old", "champion", 1, "ann");
      models().setAlias("old", "champion", 2, "bob");
      const renamed = models().renameModel("old", "new");
      expect(renamed).toMatchObject({ name: "new", tags: { a: "1" }, aliases: { champion: 2 } });
      expect(models().getModel("old")).toBeUndefined();
      expect(models().getVersion("new", 1)).toMatchObject({ name: "new", version: 1, tags: { vt: "x" } });
      expect(models().getByAlias("new", "champion").version).toBe(2);
      expect(
        models()
          .aliasHistory("new")
          .map((h) => [h.name, h.fromVersion, h.toVersion, h.movedBy]),
      ).toEqual([
        ["new", null, 1, "ann"],
        ["new", 1, 2, "bob"],
      ]);
      expect(
        models()
          .versionsOfRun("r1")
          .map((v) => `${v.name}/${v.version}`),
      ).toEqual(["new/1", "new/2"]);
      // Numbering continues after a rename.
      expect(models().createVersion({ name: "new" }).version).toBe(3);
      models().createModel({ name: "taken" });
      expect(storeErrorOf(f, () => models().renameModel("new", "taken")).code).toBe("ALREADY_EXISTS");
      expect(storeErrorOf(f, () => models().renameModel("ghost", "x")).code).toBe("NOT_FOUND");
      expect(storeErrorOf(f, () => models().renameModel("new", "a/b")).code).toBe("INVALID_INPUT");
    });

    it("a delete removes the model with its versions, tags, aliases and history; the name starts afresh", () => {
      models().createModel({ name: "gone", tags: { a: "1" } });
      versionsOf({ name: "gone", tags: { t: "v" } }, 3);
      models().setAlias("gone", "champion", 2);
      models().createModel({ name: "kept" });
      models().createVersion({ name: "kept" });
      models().deleteModel("gone");
      expect(models().getModel("gone")).toBeUndefined();
      expect(count("model_versions")).toBe(1);
      expect(count("model_version_tags")).toBe(0);
      expect(count("registered_model_tags")).toBe(0);
      expect(count("registered_model_aliases")).toBe(0);
      expect(count("model_alias_history")).toBe(0);
      expect(storeErrorOf(f, () => models().deleteModel("gone")).code).toBe("NOT_FOUND");
      models().createModel({ name: "gone" });
      expect(models().createVersion({ name: "gone" }).version).toBe(1);
      expect(models().aliasHistory("gone")).toEqual([]);
    });
  });

  describe("registry: model versions", () => {
    it("numbers versions from 1, never reuses a deleted number, and records every lineage field", () => {
      const before = models().createModel({ name: "m" });
      const input: ModelVersionInput = {
        name: "m",
        source: "file:///home/a/artifacts/r1/train/model",
        description: "first",
        digest: "sha256:abc",
        format: "onnx",
        signature: {
          inputs: [{ name: "x", dtype: "float32", shape: [-1, 30] }],
          outputs: [{ name: "p", dtype: "float32", shape: [null, 1] }],
        },
        runId: "r1",
        runLink: "http://x/runs/r1",
        taskId: "t1",
        taskName: "train",
        pipelineVersionId: "pv1",
        datasets: [{ name: "train", uri: "file:///d", digest: "sha256:d", task: "generate" }],
        metrics: { roc_auc: 0.93, p99_latency_ms: 3.5 },
        tags: { seed: "1" },
        userId: "ann",
      };
      const v1 = models().createVersion(input);
      expect(v1).toEqual({
        ...input,
        version: 1,
        status: "PENDING_REGISTRATION",
        currentStage: "None",
        aliases: [],
        createdAt: v1.createdAt,
        updatedAt: v1.createdAt,
      });
      expect(models().getModel("m")?.updatedAt).toBeGreaterThanOrEqual(before.updatedAt);
      const bare = models().createVersion({ name: "m" });
      expect(bare).toMatchObject({ version: 2, source: "", datasets: [], metrics: {}, tags: {} });
      expect(bare).not.toHaveProperty("runId");
      models().createVersion({ name: "m", status: "READY" });
      models().deleteVersion("m", 3);
      expect(models().createVersion({ name: "m" }).version).toBe(4);
      expect(models().getVersion("m", 3)).toBeUndefined();
    });

    it("refuses a version of a missing model, a bad status and a bad version number, naming them", () => {
      const missing = storeErrorOf(f, () => models().createVersion({ name: "ghost" }));
      expect(missing.code).toBe("NOT_FOUND");
      expect(missing.message).toContain("'ghost'");
      models().createModel({ name: "m" });
      const status = storeErrorOf(f, () => models().createVersion({ name: "m", status: "DONE" as "READY" }));
      expect(status.code).toBe("INVALID_INPUT");
      expect(status.message).toContain("DONE");
      const signature = storeErrorOf(f, () =>
        models().createVersion({ name: "m", signature: { inputs: [{ name: "x" }] } as never }),
      );
      expect(signature.code).toBe("INVALID_INPUT");
      expect(signature.message).toContain("signature.inputs.0.dtype");
      const metrics = storeErrorOf(f, () => models().createVersion({ name: "m", metrics: { auc: "high" } as never }));
      expect(metrics.message).toContain("metrics.auc");
      const datasets = storeErrorOf(f, () => models().createVersion({ name: "m", datasets: [{ name: "d" }] as never }));
      expect(datasets.message).toContain("datasets.0.uri");
      expect(count("model_versions")).toBe(0);
      expect(models().getModel("m")?.aliases).toEqual({});
      const noVersion = storeErrorOf(f, () => models().updateVersion("m", 7, { description: "x" }));
      expect(noVersion.code).toBe("NOT_FOUND");
      expect(noVersion.message).toContain("model 'm' has no version 7");
      expect(storeErrorOf(f, () => models().deleteVersion("m", 0)).code).toBe("INVALID_INPUT");
    });

    it("updates the patched fields only; null clears an optional one", () => {
      models().createModel({ name: "m" });
      const v = models().createVersion({ name: "m", digest: "sha256:a", format: "onnx", taskName: "train" });
      const u = models().updateVersion("m", 1, {
        status: "READY",
        statusMessage: "ok",
        metrics: { acc: 0.9 },
        datasets: [{ name: "d", uri: "file:///d" }],
        signature: { inputs: [], outputs: [] },
        format: null,
        pipelineVersionId: "pv",
        taskId: "t9",
      });
      expect(u).toMatchObject({
        status: "READY",
        statusMessage: "ok",
        metrics: { acc: 0.9 },
        digest: "sha256:a",
        taskName: "train",
        taskId: "t9",
        pipelineVersionId: "pv",
      });
      expect(u).not.toHaveProperty("format");
      expect(u.updatedAt).toBeGreaterThanOrEqual(v.updatedAt);
      expect(models().updateVersion("m", 1, { description: "desc" }).description).toBe("desc");
      expect(storeErrorOf(f, () => models().updateVersion("m", 1, { status: "NOPE" as "READY" })).code).toBe(
        "INVALID_INPUT",
      );
      expect(
        storeErrorOf(f, () => models().updateVersion("m", 1, { metrics: { a: null } as never })).message,
      ).toContain("metrics.a");
    });

    it("sets and deletes version tags; deleting an unset tag does nothing, a missing version is NOT_FOUND", () => {
      models().createModel({ name: "m" });
      models().createVersion({ name: "m", tags: { a: "1" } });
      models().setVersionTag("m", 1, "a", "2");
      models().setVersionTag("m", 1, "b", "3");
      expect(models().getVersion("m", 1)?.tags).toEqual({ a: "2", b: "3" });
      models().deleteVersionTag("m", 1, "a");
      expect(models().getVersion("m", 1)?.tags).toEqual({ b: "3" });
      models().deleteVersionTag("m", 1, "a");
      expect(storeErrorOf(f, () => models().deleteVersionTag("m", 3, "a")).message).toContain("no version 3");
      expect(storeErrorOf(f, () => models().setVersionTag("m", 2, "a", "1")).message).toContain("no version 2");
    });

    it("lists the versions a run produced across models", () => {
      models().createModel({ name: "b" });
      models().createModel({ name: "a" });
      models().createVersion({ name: "b", runId: "r1" });
      models().createVersion({ name: "a", runId: "r2" });
      models().createVersion({ name: "a", runId: "r1" });
      expect(
        models()
          .versionsOfRun("r1")
          .map((v) => `${v.name}/${v.version}`),
      ).toEqual(["a/2", "b/1"]);
      expect(models().versionsOfRun("none")).toEqual([]);
    });
  });

  describe("registry: stages", () => {
    it("moves a version to a stage (any case) and archive_existing moves the others in that stage to Archived", () => {
      models().createModel({ name: "m" });
      versionsOf({ name: "m" }, 4);
      expect(models().transitionStage("m", 1, "production").currentStage).toBe("Production");
      models().transitionStage("m", 2, "Production");
      models().transitionStage("m", 3, "STAGING");
      const v4 = models().transitionStage("m", 4, "Production", { archiveExistingVersions: true, userId: "ann" });
      expect(v4.currentStage).toBe("Production");
      const stages = [1, 2, 3, 4].map((n) => models().getVersion("m", n)?.currentStage);
      expect(stages).toEqual(["Archived", "Archived", "Staging", "Production"]);
      const bad = storeErrorOf(f, () => models().transitionStage("m", 1, "Live"));
      expect(bad.code).toBe("INVALID_INPUT");
      expect(bad.message).toContain("None, Staging, Production, Archived");
      const notActive = storeErrorOf(f, () =>
        models().transitionStage("m", 1, "None", { archiveExistingVersions: true }),
      );
      expect(notActive.code).toBe("INVALID_INPUT");
      expect(storeErrorOf(f, () => models().transitionStage("m", 9, "Staging")).code).toBe("NOT_FOUND");
    });

    it("latest versions: the highest version in each stage, in MLflow's stage order, or in the stages asked", () => {
      models().createModel({ name: "m" });
      versionsOf({ name: "m" }, 5);
      models().transitionStage("m", 1, "Production");
      models().transitionStage("m", 2, "Production");
      models().transitionStage("m", 3, "Staging");
      const all = models().latestVersions("m");
      expect(all.map((v) => [v.currentStage, v.version])).toEqual([
        ["None", 5],
        ["Staging", 3],
        ["Production", 2],
      ]);
      expect(
        models()
          .latestVersions("m", ["production", "Archived"])
          .map((v) => v.version),
      ).toEqual([2]);
      expect(models().latestVersions("m", []).length).toBe(3);
      expect(storeErrorOf(f, () => models().latestVersions("m", ["Prod"])).code).toBe("INVALID_INPUT");
      expect(storeErrorOf(f, () => models().latestVersions("ghost")).code).toBe("NOT_FOUND");
    });
  });

  describe("registry: aliases", () => {
    it("moves an alias atomically with a history whose from is the previous move's to", () => {
      models().createModel({ name: "m" });
      versionsOf({ name: "m" }, 3);
      models().setAlias("m", "champion", 1, "ann");
      models().setAlias("m", "champion", 3, "bob");
      models().setAlias("m", "champion", 3, "bob");
      models().setAlias("m", "challenger", 2);
      expect(models().getByAlias("m", "champion").version).toBe(3);
      expect(models().getVersion("m", 3)?.aliases).toEqual(["champion"]);
      expect(models().getModel("m")?.aliases).toEqual({ challenger: 2, champion: 3 });
      models().deleteAlias("m", "champion", "cat");
      models().deleteAlias("m", "champion", "cat");
      const history = models().aliasHistory("m", "champion");
      expect(history.map((h) => [h.fromVersion, h.toVersion, h.movedBy])).toEqual([
        [null, 1, "ann"],
        [1, 3, "bob"],
        [3, null, "cat"],
      ]);
      expect(history.every((h) => h.movedAt > 0 && h.alias === "champion")).toBe(true);
      expect(models().aliasHistory("m")).toHaveLength(4);
      const missing = storeErrorOf(f, () => models().getByAlias("m", "champion"));
      expect(missing.code).toBe("NOT_FOUND");
      expect(missing.message).toContain("'champion'");
    });

    it("deleting a version deletes its aliases and keeps their history, recording the removal", () => {
      models().createModel({ name: "m" });
      versionsOf({ name: "m" }, 2);
      models().setAlias("m", "champion", 2);
      models().deleteVersion("m", 2);
      expect(models().getModel("m")?.aliases).toEqual({});
      expect(
        models()
          .aliasHistory("m", "champion")
          .map((h) => [h.fromVersion, h.toVersion]),
      ).toEqual([
        [null, 2],
        [2, null],
      ]);
    });

    it("refuses MLflow's reserved and malformed alias names and aliases to missing versions", () => {
      models().createModel({ name: "m" });
      models().createVersion({ name: "m" });
      for (const alias of ["latest", "LATEST", "v1", "V23", "has space", "a/b", "", "x".repeat(256)]) {
        const err = storeErrorOf(f, () => models().setAlias("m", alias, 1));
        expect(err.code, alias).toBe("INVALID_INPUT");
      }
      for (const alias of ["champion", "v1x", "ver-2", "prod_eu", "1"]) models().setAlias("m", alias, 1);
      expect(Object.keys(models().getModel("m")?.aliases ?? {}).sort()).toEqual(
        ["1", "champion", "prod_eu", "v1x", "ver-2"].sort(),
      );
      const noVersion = storeErrorOf(f, () => models().setAlias("m", "champion", 5));
      expect(noVersion.code).toBe("NOT_FOUND");
      expect(noVersion.message).toContain("no version 5");
      expect(models().getByAlias("m", "champion").version).toBe(1);
      expect(storeErrorOf(f, () => models().setAlias("ghost", "champion", 1)).code).toBe("NOT_FOUND");
    });
  });

  describe("registry: search", () => {
    function seed(): void {
      const names = ["fraud-detector", "Fraud-Legacy", "churn", "fraud_x", "ranker"];
      let t = 1000;
      for (const name of names) {
        models().createModel({
          name,
          createdAt: t++,
          tags: name.toLowerCase().startsWith("fraud") ? { team: "risk" } : { team: "growth" },
        });
      }
      models().setModelTag("churn", "my key", "spaced");
      for (let i = 0; i < 7; i++) {
        models().createVersion({
          name: "fraud-detector",
          runId: `run-${i % 3}`,
          source: `file:///a/run-${i}/model.onnx`,
          tags: { seed: String(i % 2) },
          createdAt: 2000 + i,
        });
      }
      models().createVersion({ name: "churn", runId: "run-0", source: "s3://b/churn", createdAt: 3000 });
    }

    it("filters models by name (=, !=, LIKE case-sensitive, ILIKE) and tags (also backquoted keys)", () => {
      seed();
      const names = (filter: string, orderBy?: string[]) =>
        models()
          .searchModels({ filter, orderBy })
          .items.map((m) => m.name);
      expect(names("name = 'churn'")).toEqual(["churn"]);
      expect(names("name != 'churn'")).toEqual(["Fraud-Legacy", "fraud-detector", "fraud_x", "ranker"]);
      expect(names("name LIKE '%fraud%'")).toEqual(["fraud-detector", "fraud_x"]);
      expect(names("name ILIKE '%fraud%'")).toEqual(["Fraud-Legacy", "fraud-detector", "fraud_x"]);
      expect(names("name LIKE 'fraud_x'")).toEqual(["fraud_x"]);
      expect(names("tags.team = 'risk' AND name ILIKE 'fraud-%'")).toEqual(["Fraud-Legacy", "fraud-detector"]);
      expect(names("tags.`my key` = 'spaced'")).toEqual(["churn"]);
      expect(names("tag.\"my key\" LIKE 'sp%'")).toEqual(["churn"]);
      expect(names('attribute.name = "churn"')).toEqual(["churn"]);
      expect(names("tags.team != 'risk'")).toEqual(["churn", "ranker"]);
      expect(names("")).toHaveLength(5);
      expect(names("", ["creation_timestamp DESC"])).toEqual([
        "ranker",
        "fraud_x",
        "churn",
        "Fraud-Legacy",
        "fraud-detector",
      ]);
      expect(names("name = 'x'' OR 1=1 --'")).toEqual([]);
    });

    it("filters versions by name, run_id (= and IN), source_path, version_number and tags", () => {
      seed();
      const ids = (filter: string, orderBy?: string[]) =>
        models()
          .searchVersions({ filter, orderBy })
          .items.map((v) => `${v.name}/${v.version}`);
      expect(ids("name = 'fraud-detector' AND version_number >= 6")).toEqual(["fraud-detector/7", "fraud-detector/6"]);
      expect(ids("run_id = 'run-0'")).toEqual(["churn/1", "fraud-detector/7", "fraud-detector/4", "fraud-detector/1"]);
      expect(ids("run_id IN ('run-1', 'run-2') AND version_number < 4")).toEqual([
        "fraud-detector/3",
        "fraud-detector/2",
      ]);
      expect(ids("source_path LIKE 's3://%'")).toEqual(["churn/1"]);
      expect(ids("version_number = '2'")).toEqual(["fraud-detector/2"]);
      expect(ids("tags.seed = '1' AND version_number != 2", ["version_number ASC"])).toEqual([
        "fraud-detector/4",
        "fraud-detector/6",
      ]);
      expect(ids("name ILIKE 'FRAUD%' AND version_number > 5", ["creation_timestamp ASC"])).toEqual([
        "fraud-detector/6",
        "fraud-detector/7",
      ]);
    });

    it("pages through several pages with opaque tokens: every item once, in order", () => {
      seed();
      for (let i = 0; i < 16; i++) models().createVersion({ name: "ranker" });
      const seen: number[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = models().searchVersions({ filter: "name = 'ranker'", maxResults: 5, pageToken: token });
        seen.push(...page.items.map((v) => v.version));
        token = page.nextPageToken;
        pages++;
        if (token !== undefined) expect(page.items).toHaveLength(5);
      } while (token !== undefined);
      expect(pages).toBe(4);
      expect(seen).toEqual(Array.from({ length: 16 }, (_, i) => 16 - i));
      const modelPage = models().searchModels({ maxResults: 2 });
      expect(modelPage.items.map((m) => m.name)).toEqual(["Fraud-Legacy", "churn"]);
      const second = models().searchModels({ maxResults: 2, pageToken: modelPage.nextPageToken });
      expect(second.items.map((m) => m.name)).toEqual(["fraud-detector", "fraud_x"]);
      const last = models().searchModels({ maxResults: 2, pageToken: second.nextPageToken });
      expect(last.items.map((m) => m.name)).toEqual(["ranker"]);
      expect(last.nextPageToken).toBeUndefined();
    });

    it("refuses bad filters, order_by entries, page sizes and tokens, naming the token and position", () => {
      seed();
      const err = (fn: () => unknown) => storeErrorOf(f, fn);
      const cases: [() => unknown, string][] = [
        [() => models().searchModels({ filter: "name = 'a' OR name = 'b'" }), "at position 11: OR"],
        [() => models().searchModels({ filter: "run_id = 'x'" }), "'run_id' is not a searchable attribute"],
        [() => models().searchVersions({ filter: "version_number LIKE '1'" }), "does not support LIKE"],
        [() => models().searchVersions({ filter: "name IN ('a')" }), "does not support IN"],
        [() => models().searchVersions({ filter: "name = churn" }), "position 7"],
        [() => models().searchVersions({ filter: "name = 'unterminated" }), "no closing '"],
        [() => models().searchVersions({ filter: "name = 'a' AND" }), "the end of the filter"],
        [() => models().searchVersions({ filter: "metrics.acc > 1" }), "'metrics' is not an entity type"],
        [() => models().searchVersions({ filter: "version_number > 'two'" }), "compares with an integer"],
        [() => models().searchVersions({ filter: "run_id IN 'a'" }), "parenthesized list"],
        [() => models().searchModels({ orderBy: ["version_number DESC"] }), 'order_by "version_number DESC"'],
        [() => models().searchModels({ orderBy: ["name", "name DESC"] }), "more than once"],
        [() => models().searchModels({ maxResults: 0 }), "max_results 0"],
        [() => models().searchModels({ maxResults: 1001 }), "1 to 1000"],
        [() => models().searchModels({ pageToken: "not-a-token" }), "page_token 'not-a-token'"],
        [() => models().searchVersions({ pageToken: Buffer.from('{"offset":-1}').toString("base64") }), "page_token"],
      ];
      for (const [fn, text] of cases) {
        const e = err(fn);
        expect(e.code).toBe("INVALID_QUERY");
        expect(e.message).toContain(text);
      }
    });
  });

  describe("registry: concurrency", () => {
    it("two processes moving the same alias at once leave one final value and a consistent history chain", async () => {
      const home = f.store.home;
      models().createModel({ name: "raced" });
      versionsOf({ name: "raced" }, 4);
      const moves = 300;
      // Each process alternates between its own two versions, so every one of its moves changes the alias.
      type Moved = { moves: number };
      const done = await Promise.all([
        writeInChild<Moved>([home, "2", "a", "alias", "raced", "champion", String(moves), "1,2"]),
        writeInChild<Moved>([home, "2", "b", "alias", "raced", "champion", String(moves), "3,4"]),
      ]);
      expect(done.map((d) => d.moves)).toEqual([moves, moves]);
      const history = models().aliasHistory("raced", "champion");
      expect(history).toHaveLength(2 * moves);
      expect(history[0]?.fromVersion).toBeNull();
      for (let i = 1; i < history.length; i++) {
        expect(history[i]?.fromVersion, `move ${i}`).toBe(history[i - 1]?.toVersion);
        expect(history[i]?.seq).toBeGreaterThan(history[i - 1]?.seq as number);
      }
      const byWriter = { a: 0, b: 0 };
      for (const h of history) byWriter[h.movedBy as "a" | "b"]++;
      expect(byWriter).toEqual({ a: moves, b: moves });
      const final = models().getByAlias("raced", "champion").version;
      expect(final).toBe(history[history.length - 1]?.toVersion);
      expect(models().getModel("raced")?.aliases).toEqual({ champion: final });
      expect(count("registered_model_aliases")).toBe(1);
    }, 120_000);

    it("two processes creating versions of one model at once get distinct numbers, 1 to the total", async () => {
      models().createModel({ name: "busy" });
      const each = 150;
      type Created = { created: number[]; label: string };
      const done = await Promise.all([
        writeInChild<Created>([f.store.home, "2", "a", "versions", "busy", String(each)]),
        writeInChild<Created>([f.store.home, "2", "b", "versions", "busy", String(each)]),
      ]);
      const all = done.flatMap((d) => d.created).sort((x, y) => x - y);
      expect(all).toEqual(Array.from({ length: 2 * each }, (_, i) => i + 1));
      for (const d of done) expect(d.created).toEqual([...d.created].sort((x, y) => x - y));
      const stored = models().searchVersions({ filter: "name = 'busy'", maxResults: 1000 }).items;
      expect(stored).toHaveLength(2 * each);
      expect(stored.filter((v) => v.userId === "a")).toHaveLength(each);
    }, 120_000);
  });
}

import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, sandbox, shPipeline, startWeftServer, type WeftServer, weft } from "./helpers.ts";

const box: Sandbox = sandbox();
afterAll(() => box.cleanup());

const pipelineFile = (name: string, word: string) =>
  box.write(
    `${name}.yaml`,
    shPipeline("managed", [{ name: "say", script: 'echo "$1"', params: { word: "word" } }], {
      word: { type: "STRING", default: word },
    }),
  );

const runIdOf = (stdout: string) => /Run ([0-9a-f-]{36}) SUCCEEDED/.exec(stdout)?.[1] ?? "";

// each command is a fresh node process: on a loaded machine a test of a dozen takes minutes
const SLOW = { timeout: 300_000 };

describe("weft run registers pipelines, descriptions and tags (local)", SLOW, () => {
  const home = join(box.dir, "local-home");
  let first = "";
  let second = "";
  let third = "";

  beforeAll(async () => {
    const a = pipelineFile("a", "apple");
    const r1 = await weft(home, ["run", a, "--tag", "team=fraud", "--tag", "stage=dev", "-d", "baseline"]);
    expect(r1.code, r1.stderr).toBe(0);
    first = runIdOf(r1.stdout);
    const r2 = await weft(home, ["run", a, "--tag", "team=ads"]);
    expect(r2.code, r2.stderr).toBe(0);
    second = runIdOf(r2.stdout);
    const r3 = await weft(home, ["run", pipelineFile("b", "banana"), "--experiment", "fruits"]);
    expect(r3.code, r3.stderr).toBe(0);
    third = runIdOf(r3.stdout);
  }, SLOW.timeout);

  it("records one pipeline with a version per distinct spec, which the runs reference", async () => {
    const list = JSON.parse((await weft(home, ["pipelines", "list", "--json"])).stdout);
    expect(list.pipelines.map((p: { name: string }) => p.name)).toEqual(["managed"]);
    const versions = JSON.parse((await weft(home, ["pipelines", "versions", "managed", "--json"])).stdout);
    expect(versions.versions).toHaveLength(2);
    const runs = JSON.parse((await weft(home, ["runs", "get", first, "--json"])).stdout);
    const again = JSON.parse((await weft(home, ["runs", "get", second, "--json"])).stdout);
    const other = JSON.parse((await weft(home, ["runs", "get", third, "--json"])).stdout);
    expect(runs.run.pipelineVersionId).toBe(again.run.pipelineVersionId);
    expect(other.run.pipelineVersionId).not.toBe(runs.run.pipelineVersionId);
    expect(versions.versions.map((v: { id: string }) => v.id).sort()).toEqual(
      [runs.run.pipelineVersionId, other.run.pipelineVersionId].sort(),
    );
    expect(runs.run).toMatchObject({ description: "baseline", tags: { team: "fraud", stage: "dev" } });
  });

  it("shows description and tags, filters by tag and edits them", async () => {
    const shown = await weft(home, ["runs", "get", first]);
    expect(shown.stdout).toMatch(/description baseline/);
    expect(shown.stdout).toMatch(/tags\s+team=fraud stage=dev/);
    const fraud = JSON.parse((await weft(home, ["runs", "list", "--tag", "team=fraud", "--json"])).stdout);
    expect(fraud.runs.map((r: { id: string }) => r.id)).toEqual([first]);
    const edited = await weft(home, ["runs", "edit", first, "--tag", "team=ads", "--untag", "stage", "-d", "v2"]);
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.stdout).toMatch(/tags\s+team=ads\n/);
    const ads = JSON.parse((await weft(home, ["runs", "list", "--tag", "team=ads", "--json"])).stdout);
    expect(ads.runs.map((r: { id: string }) => r.id).sort()).toEqual([first, second].sort());
    const nothing = await weft(home, ["runs", "edit", first]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/nothing to change/);
    const bad = await weft(home, ["run", pipelineFile("c", "cherry"), "--tag", "a.b=1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--tag "a\.b=1" is not of the form key=value/);
  });

  it("archives, unarchives and deletes runs; deletes experiments and pipelines only when asked to cascade", async () => {
    expect((await weft(home, ["runs", "archive", second])).stdout).toContain(`archived run ${second}`);
    const listed = JSON.parse((await weft(home, ["runs", "list", "--json"])).stdout);
    expect(listed.runs.map((r: { id: string }) => r.id)).not.toContain(second);
    const archived = JSON.parse((await weft(home, ["runs", "list", "--archived", "--json"])).stdout);
    expect(archived.runs.map((r: { id: string }) => r.id)).toEqual([second]);
    expect((await weft(home, ["runs", "unarchive", second])).code).toBe(0);
    const del = await weft(home, ["runs", "delete", second]);
    expect(del.code, del.stderr).toBe(0);
    expect((await weft(home, ["runs", "get", second])).code).toBe(2);

    const refused = await weft(home, ["experiments", "delete", "fruits"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/has 1 run\(s\).*cascade/);
    expect((await weft(home, ["experiments", "archive", "fruits"])).stdout).toMatch(/archived experiment fruits/);
    const archivedRuns = JSON.parse((await weft(home, ["runs", "list", "--archived", "--json"])).stdout);
    expect(archivedRuns.runs.map((r: { id: string }) => r.id)).toEqual([third]);
    expect((await weft(home, ["experiments", "delete", "fruits", "--cascade"])).code).toBe(0);
    expect((await weft(home, ["runs", "get", third])).code).toBe(2);

    const keep = await weft(home, ["pipelines", "delete", "managed"]);
    expect(keep.code).toBe(2);
    expect(keep.stderr).toMatch(/has 2 version\(s\); delete them first .* or add --cascade/);
    expect((await weft(home, ["pipelines", "delete", "managed", "--cascade"])).code).toBe(0);
    // the runs keep their specs: the remaining run is still shown in full
    const still = await weft(home, ["runs", "get", first]);
    expect(still.code).toBe(0);
    expect(still.stdout).toMatch(/pipeline\s+managed/);
  });
});

describe("the same commands against a server (weft --host)", SLOW, () => {
  const serverHome = join(box.dir, "server-home");
  const clientHome = join(box.dir, "client-home");
  let server: WeftServer | undefined;
  let url = "";

  beforeAll(async () => {
    server = await startWeftServer(serverHome);
    url = server.url;
  }, 40_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("tags, edits, archives and deletes a run, and refuses to delete a pipeline with versions", async () => {
    const remote = (args: string[]) => weft(clientHome, ["--host", url, ...args]);
    const r = await remote(["run", pipelineFile("r", "remote"), "--tag", "team=fraud", "-d", "over http"]);
    expect(r.code, r.stderr).toBe(0);
    const id = runIdOf(r.stdout);
    // the same spec again: the server's pipeline gets no second version
    const again = await remote(["run", pipelineFile("r", "remote")]);
    expect(again.code, again.stderr).toBe(0);
    const versions = JSON.parse((await remote(["pipelines", "versions", "managed", "--json"])).stdout);
    expect(versions.versions).toHaveLength(1);
    const refs = await Promise.all(
      [id, runIdOf(again.stdout)].map(
        async (run) => JSON.parse((await remote(["runs", "get", run, "--json"])).stdout).run.pipeline_version_reference,
      ),
    );
    expect(refs).toEqual([
      { pipeline_id: versions.pipeline.id, pipeline_version_id: versions.versions[0].id },
      { pipeline_id: versions.pipeline.id, pipeline_version_id: versions.versions[0].id },
    ]);
    const got = await remote(["runs", "get", id]);
    expect(got.stdout).toMatch(/description over http/);
    expect(got.stdout).toMatch(/tags\s+team=fraud/);
    const edited = await remote(["runs", "edit", id, "--tag", "stage=prod"]);
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.stdout).toMatch(/tags\s+team=fraud stage=prod/);
    const tagged = JSON.parse((await remote(["runs", "list", "--tag", "stage=prod", "--json"])).stdout);
    expect(tagged.runs.map((x: { run_id: string }) => x.run_id)).toEqual([id]);
    expect((await remote(["runs", "archive", id])).stdout).toContain(`archived run ${id}`);
    const archived = JSON.parse((await remote(["runs", "list", "--archived", "--json"])).stdout);
    expect(archived.runs.map((x: { run_id: string }) => x.run_id)).toEqual([id]);
    expect((await remote(["runs", "delete", id])).code).toBe(0);
    expect((await remote(["runs", "get", id])).code).toBe(2);
    const missing = await remote(["pipelines", "delete", "no-such-pipeline"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no pipeline with id or name "no-such-pipeline" on http/);
  });
});

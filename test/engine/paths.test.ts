/**
 * Every path the engine builds stays inside its root, whatever names reach it: task,
 * output and component names with `../` or absolute paths (recorded straight in the store, so
 * no validation stands in front), symbolic links among a task's outputs, and a previous
 * attempt's log replaced by a link. Each test puts a sentinel directory beside
 * `$WEFT_HOME` and checks that it survives untouched. Last, a 768 MiB sparse output: the
 * task succeeds, its digest is what `sha256sum` says, and memory stays bounded (files of
 * 2 GiB and more are measured by `bench/artifacts/digest.bench.ts`).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { digestArtifact, LocalArtifactStore } from "../../src/artifacts/index.ts";
import { Engine, type RunSummary } from "../../src/engine/index.ts";
import type { PipelinePackage } from "../../src/ir/index.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { IrBuilder, task } from "./ir-builder.ts";

let parent: string;
let home: string;
let sentinel: string;
let store: Store;
let engine: Engine;

/** Every file and directory under `dir` with its kind, size, mode and content digest. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const full = path.join(dir, r);
      const st = fs.lstatSync(full);
      if (st.isDirectory()) {
        out[r] = `dir ${st.mode}`;
        walk(r);
      } else if (st.isSymbolicLink()) out[r] = `link ${fs.readlinkSync(full)}`;
      else out[r] = `file ${st.size} ${createHash("sha256").update(fs.readFileSync(full)).digest("hex")}`;
    }
  };
  walk("");
  return out;
}

/** Everything beside the home: the sentinel tree. */
const outside = () => snapshot(sentinel);

beforeEach(() => {
  parent = fs.mkdtempSync(path.join(os.tmpdir(), "weft-paths-"));
  home = path.join(parent, "home");
  sentinel = path.join(parent, "sentinel");
  // What the old code would have deleted or written through: a whole tree beside the home.
  for (const d of ["attempt-1", "out", "p", "deep/er"]) fs.mkdirSync(path.join(sentinel, d), { recursive: true });
  for (const f of ["secret", "attempt-1/keep", "out/keep", "p/data", "deep/er/keep"]) {
    fs.writeFileSync(path.join(sentinel, f), `sentinel ${f}\n`);
  }
  store = openStore(home);
  engine = new Engine({
    home,
    store,
    artifacts: new LocalArtifactStore(path.join(home, "artifacts")),
    programRoot: path.join(home, "programs"),
    capacity: { cpus: 4000 },
    killGraceMs: 500,
  });
});

afterEach(() => {
  store.close();
  fs.rmSync(parent, { recursive: true, force: true });
});

/**
 * Runs `p` as a queued run recorded straight in the store (as a store written before
 * validation existed, or edited by hand, could hold it): `startRun` validates names and
 * would refuse these pipelines, so this is what reaches the engine when validation is
 * bypassed.
 */
async function run(p: PipelinePackage): Promise<RunSummary> {
  const queued = store.runs.create({ displayName: p.pipelineSpec.pipelineInfo.name, pipelineSpec: p.pipelineSpec });
  return engine.resumeRun(queued.id).done;
}

/** Every path below `parent` that is neither the home nor the sentinel: none may appear. */
function strays(): string[] {
  return fs.readdirSync(parent).filter((n) => n !== "home" && n !== "sentinel");
}

describe("traversal names reaching the engine directly", () => {
  it("fails a task named ../../../sentinel without writing, reading or deleting outside the home", async () => {
    const before = outside();
    const name = "../../../sentinel";
    const b = new IrBuilder("evil-task")
      .sh("w", "echo hi; echo x > {{$.outputs.artifacts['out'].path}}", { outArt: ["out"] })
      .root({ [name]: task("w", { name }) });
    const s = await run(b.build());
    expect(s.state).toBe("FAILED");
    const t = s.tasks.find((x) => x.path === `root/${name}`);
    expect(t?.state).toBe("FAILED");
    expect(t?.error).toMatch(/task 'root\/\.\.\/\.\.\/\.\.\/sentinel'.*"\.\."/);
    expect(outside()).toEqual(before);
    expect(strays()).toEqual([]);
  });

  it("fails a task whose name is an absolute path", async () => {
    const before = outside();
    const name = `${sentinel}/abs`;
    const b = new IrBuilder("abs-task").sh("w", "echo hi").root({ [name]: task("w", { name }) });
    const s = await run(b.build());
    expect(s.state).toBe("FAILED");
    expect(s.tasks.find((x) => x.name === name)?.error).toMatch(/cannot be part of a path/);
    expect(fs.existsSync(path.join(sentinel, "abs"))).toBe(false);
    expect(fs.existsSync(path.join(sentinel, "abs.log"))).toBe(false);
    expect(outside()).toEqual(before);
  });

  it("fails a task whose output artifact or parameter name climbs out, removing nothing", async () => {
    const before = outside();
    const b = new IrBuilder("evil-outputs")
      // <home>/artifacts/<run>/a/../../../../sentinel is the sentinel itself: the old code removed it.
      .sh("a", "echo x > {{$.outputs.artifacts['../../../../sentinel'].path}}", {
        outArt: ["../../../../sentinel"],
      })
      // <home>/work/<run>/p/attempt-1/outputs/<name>/data lands in sentinel/p/data.
      .sh("p", "echo 1 > {{$.outputs.parameters['../../../../../../sentinel/p'].output_file}}", {
        out: { "../../../../../../sentinel/p": "STRING" },
      })
      .sh("abs", "echo 1", { outArt: [`${sentinel}/out`] })
      .root({ a: task("a"), p: task("p"), abs: task("abs") });
    const s = await run(b.build());
    expect(s.state).toBe("FAILED");
    for (const [p, out] of [
      ["root/a", "../../../../sentinel"],
      ["root/p", "../../../../../../sentinel/p"],
      ["root/abs", `${sentinel}/out`],
    ] as const) {
      const t = s.tasks.find((x) => x.path === p);
      expect(t?.state, p).toBe("FAILED");
      expect(t?.error, p).toContain(JSON.stringify(out));
      expect(t?.errorCode, p).toBe("PATH_UNSAFE");
    }
    expect(outside()).toEqual(before);
    expect(strays()).toEqual([]);
  });

  it("builds no path from component names, so a climbing component name changes nothing outside", async () => {
    const before = outside();
    const b = new IrBuilder("evil-component").sh(
      "../../../../sentinel/c",
      "echo x > {{$.outputs.artifacts['o'].path}}",
      {
        outArt: ["o"],
      },
    );
    b.root({ t: task("../../../../sentinel/c") });
    const s = await run(b.build());
    expect(s.state).toBe("SUCCEEDED");
    expect(outside()).toEqual(before);
    expect(strays()).toEqual([]);
  });

  it("refuses an executor_output.json that moves an output outside the artifact store", async () => {
    const before = outside();
    const secret = path.join(sentinel, "secret");
    const b = new IrBuilder("evil-uri")
      .sh(
        "m",
        `f=$(printf '%s' '{{$}}' | sed -n 's/.*"outputFile":"\\([^"]*\\)".*/\\1/p'); printf '{"artifacts":{"o":{"artifacts":[{"uri":"file://${secret}"}]}}}' > "$f"`,
        { outArt: ["o"] },
      )
      .root({ m: task("m") });
    const s = await run(b.build());
    expect(s.state).toBe("FAILED");
    expect(s.tasks.find((x) => x.path === "root/m")?.error).toMatch(
      /output artifact 'o' to "file:\/\/.*secret".*not a place in the artifact store/,
    );
    expect(s.tasks.find((x) => x.path === "root/m")?.errorCode).toBe("PATH_UNSAFE");
    expect(store.artifacts.listByRun(s.runId)).toEqual([]);
    expect(outside()).toEqual(before);
  });
});

describe("symbolic links among outputs", () => {
  it("fails a task whose output is a link to a file outside, recording no digest or size of it", async () => {
    const before = outside();
    const b = new IrBuilder("link-file")
      .sh("l", `ln -s ${sentinel}/secret {{$.outputs.artifacts['o'].path}}`, { outArt: ["o"] })
      .root({ l: task("l") });
    const s = await run(b.build());
    expect(s.state).toBe("FAILED");
    expect(s.tasks.find((x) => x.path === "root/l")?.error).toMatch(
      /output artifact 'o' at .* is a symbolic link \(to .*sentinel\/secret\); links are not followed/,
    );
    expect(s.tasks.find((x) => x.path === "root/l")?.errorCode).toBe("PATH_UNSAFE");
    expect(store.artifacts.listByRun(s.runId)).toEqual([]);
    expect(outside()).toEqual(before);
  });

  it("fails a task whose output is a link to a directory outside", async () => {
    const before = outside();
    const b = new IrBuilder("link-dir")
      .sh("l", `ln -s ${sentinel} {{$.outputs.artifacts['o'].path}}`, { outArt: ["o"] })
      .root({ l: task("l") });
    const s = await run(b.build());
    expect(s.state).toBe("FAILED");
    expect(s.tasks.find((x) => x.path === "root/l")?.error).toMatch(/is a symbolic link/);
    expect(outside()).toEqual(before);
  });

  it("digests a directory output with etc -> outside as its link text, never walking the target", async () => {
    const before = outside();
    const b = new IrBuilder("dir-with-link")
      .sh(
        "d",
        `o={{$.outputs.artifacts['o'].path}}; mkdir -p "$o"; echo data > "$o/f"; ln -s ${sentinel} "$o/etc"; ln -s ${sentinel}/secret "$o/s"`,
        { outArt: ["o"] },
      )
      .root({ d: task("d") });
    const s = await run(b.build());
    expect(s.state).toBe("SUCCEEDED");
    const [a] = store.artifacts.listByRun(s.runId);
    // Only the real file counts: the target's files are neither read nor sized.
    expect(a?.sizeBytes).toBe(5);
    const dir = path.join(home, "artifacts", s.runId, "d", "o");
    expect((await digestArtifact(dir)) as unknown).toMatchObject({ kind: "directory", digest: a?.digest });
    // Changing what the links point to does not change the digest: they were not followed.
    fs.writeFileSync(path.join(sentinel, "secret"), "changed\n");
    fs.writeFileSync(path.join(sentinel, "new"), "new\n");
    expect((await digestArtifact(dir)) as unknown).toMatchObject({ digest: a?.digest });
    fs.writeFileSync(path.join(sentinel, "secret"), "sentinel secret\n");
    fs.rmSync(path.join(sentinel, "new"));
    expect(outside()).toEqual(before);
  });

  it("never records the target of a link written as an output parameter file", async () => {
    const before = outside();
    const b = new IrBuilder("param-link")
      .sh("p", `ln -s ${sentinel}/secret {{$.outputs.parameters['v'].output_file}}`, { out: { v: "STRING" } })
      .root({ p: task("p") });
    const s = await run(b.build());
    expect(s.state).toBe("FAILED");
    expect(s.tasks.find((x) => x.path === "root/p")?.error).toMatch(
      /wrote a symbolic link as its output parameter 'v'.*links are not followed/,
    );
    expect(JSON.stringify(store.tasks.listByRun(s.runId))).not.toContain("sentinel secret");
    expect(outside()).toEqual(before);
  });

  it("never appends to what a previous attempt's log was replaced with", async () => {
    const before = outside();
    const b = new IrBuilder("log-link")
      .sh("t", `L=${home}/logs/{{$.pipeline_job_uuid}}/t.log; rm -f "$L"; ln -s ${sentinel}/secret "$L"; exit 1`)
      .root({ t: task("t", { retryPolicy: { maxRetryCount: 1, backoffDuration: "0s" } }) });
    const s = await run(b.build());
    expect(s.state).toBe("FAILED");
    expect(s.tasks.find((x) => x.path === "root/t")?.error).toMatch(
      /t\.log is a symbolic link; logs are never written through/,
    );
    expect(outside()).toEqual(before);
  });
});

describe("huge artifacts", () => {
  it("digests a 768 MiB sparse output by streaming: the task succeeds, sha256sum agrees, memory stays bounded", async () => {
    // three times the memory bound below, so reading it whole would fail the test
    const size = 768 * 1024 ** 2;
    const b = new IrBuilder("huge")
      .sh(
        "big",
        `node -e 'require("fs").writeFileSync(process.argv[1], "head"); require("fs").truncateSync(process.argv[1], ${size})' {{$.outputs.artifacts['o'].path}}`,
        { outArt: ["o"] },
      )
      .root({ big: task("big") });
    const rssBefore = process.memoryUsage().rss;
    const s = await run(b.build());
    const peak = process.resourceUsage().maxRSS * 1024;
    expect(s.state, JSON.stringify(s.tasks.map((t) => t.error))).toBe("SUCCEEDED");
    const [a] = store.artifacts.listByRun(s.runId);
    const file = path.join(home, "artifacts", s.runId, "big", "o");
    expect(fs.statSync(file).size).toBe(size);
    expect(a?.sizeBytes).toBe(size);
    const sum = execFileSync("sha256sum", [file], { encoding: "utf8" }).split(" ")[0];
    expect(a?.digest).toBe(`sha256:${sum}`);
    // Reading the file whole would need 768 MiB; streaming needs a few chunks.
    expect(peak - rssBefore).toBeLessThan(256 * 1024 ** 2);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 ** 2);
  }, 300_000);
});

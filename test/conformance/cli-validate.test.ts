import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { CORPUS_DIR as CORPUS, corpusFiles, CORPUS as SHARED } from "./corpus.ts";

const ROOT = resolve(import.meta.dirname, "../..");

function weft(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/weft.js", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!SHARED.present)("weft validate (child process)", () => {
  it("accepts every file of the corpus's valid/ and kubernetes/ folders", () => {
    const files = [...corpusFiles("valid"), ...corpusFiles("kubernetes")].map((f) => join(CORPUS, f));
    expect(files.length).toBe(64 + 17);
    const r = weft("validate", ...files);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(files.map((f) => `OK ${f}\n`).join(""));
    expect(r.status).toBe(0);
  });

  it("rejects every file of the corpus's invalid/ folder", () => {
    const files = corpusFiles("invalid").map((f) => join(CORPUS, f));
    expect(files.length).toBe(3);
    const r = weft("validate", ...files);
    expect(r.stdout).toBe("");
    for (const f of files) expect(r.stderr).toContain(`${f}: `);
    expect(r.status).toBe(1);
  });

  it("prints OK for valid files and exits 0", () => {
    const files = [`${CORPUS}/valid/critical/flip_coin.yaml`, `${CORPUS}/valid/critical/pipeline_with_workspace.yaml`];
    const r = weft("validate", ...files);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(files.map((f) => `OK ${f}\n`).join(""));
    expect(r.status).toBe(0);
  });

  it("reports each problem as file: path: message and exits 1", () => {
    const good = `${CORPUS}/valid/essential/container_no_input.yaml`;
    const bad = `${CORPUS}/invalid/no_name.yaml`;
    const r = weft("validate", good, bad);
    expect(r.stdout).toBe(`OK ${good}\n`);
    expect(r.stderr).toBe(`${bad}: pipelineInfo.name: required (expected string); add pipelineInfo.name to the file\n`);
    expect(r.status).toBe(1);
  });

  it("lists every validation issue of a JSON file and names a missing file", () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-validate-"));
    const file = join(dir, "p.json");
    writeFileSync(
      file,
      JSON.stringify({
        pipelineInfo: { name: "p" },
        schemaVersion: "9.9.9",
        root: { dag: { tasks: { a: { taskInfo: { name: "a" }, componentRef: { name: "comp-a" } } } } },
      }),
    );
    const missing = join(dir, "missing.yaml");
    const r = weft("validate", file, missing);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")).toEqual([
      `${file}: schemaVersion: '9.9.9' is not supported; Weft reads KFP IR schemaVersion 2.0.0 or 2.1.0 (compile with the KFP v2 SDK)`,
      `${file}: root.dag.tasks.a.componentRef.name: component 'comp-a' is not defined in components; add it under components or fix the reference`,
      `${missing}: cannot read ${missing}: file not found; check the path`,
      "",
    ]);
    expect(r.status).toBe(1);
  });
});

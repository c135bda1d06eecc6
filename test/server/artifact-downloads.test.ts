/**
 * The artifact download and log routes over a real HTTP server on 127.0.0.1: `../` in
 * names and ids, encoded forms (`%2e%2e%2f`), absolute paths, recorded URIs outside the
 * store, and symbolic links (to files and directories, outside and inside the store).
 * Nothing outside the artifact store is ever served, and a sentinel directory beside
 * `$WEFT_HOME` survives untouched.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IrBuilder, task } from "../engine/ir-builder.ts";
import { type Harness, makeHarness } from "./harness.ts";

const SECRET = "sentinel secret text\n";

let parent: string;
let sentinel: string;
let h: Harness;
let base: string;
let runId: string;
let taskId: string;
let dirId: string;
let fileId: string;
let before: Record<string, string>;

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const full = path.join(dir, name);
    const st = fs.lstatSync(full);
    out[name] = st.isFile()
      ? `file ${createHash("sha256").update(fs.readFileSync(full)).digest("hex")}`
      : st.isSymbolicLink()
        ? `link ${fs.readlinkSync(full)}`
        : "dir";
  }
  return out;
}

/** GET with the path sent byte for byte (no URL normalisation of `..` or `%2e`). */
function rawGet(rawPath: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: rawPath, method: "GET" }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

const content = (id: string, query = "") => `/apis/weft/v1/artifacts/${id}/content${query}`;

function record(name: string, uri: string): string {
  return h.store.artifacts.create({ runId, taskId, name, uri, schemaTitle: "system.Artifact" }).id;
}

beforeAll(async () => {
  parent = fs.mkdtempSync(path.join(os.tmpdir(), "weft-downloads-"));
  sentinel = path.join(parent, "sentinel");
  fs.mkdirSync(path.join(sentinel, "sub"), { recursive: true });
  fs.writeFileSync(path.join(sentinel, "secret"), SECRET);
  fs.writeFileSync(path.join(sentinel, "sub", "secret"), SECRET);
  h = makeHarness({ concurrency: 1 }, path.join(parent, "home"));
  const b = new IrBuilder("downloads")
    .sh(
      "w",
      `echo log-line; printf 'a,b\\n' > {{$.outputs.artifacts['file'].path}}; d={{$.outputs.artifacts['dir'].path}}; mkdir -p "$d"; echo inside > "$d/f"`,
      { outArt: ["file", "dir"] },
    )
    .root({ w: task("w") });
  const s = await h.engine.startRun({ pipeline: b.build() }).done;
  expect(s.state).toBe("SUCCEEDED");
  runId = s.runId;
  const artifacts = h.store.artifacts.listByRun(runId);
  dirId = artifacts.find((a) => a.name === "dir")?.id ?? "";
  fileId = artifacts.find((a) => a.name === "file")?.id ?? "";
  taskId = artifacts[0]?.taskId ?? "";
  // Links planted in the store after the run: inside the directory artifact, and as artifacts.
  const dir = path.join(h.home, "artifacts", runId, "w", "dir");
  fs.symlinkSync(sentinel, path.join(dir, "etc"));
  fs.symlinkSync(path.join(sentinel, "secret"), path.join(dir, "s"));
  fs.symlinkSync(path.join(dir, "f"), path.join(dir, "inner"));
  before = snapshot(sentinel);
  base = await h.server.listen(0, "127.0.0.1");
});

afterAll(async () => {
  await h.dispose();
  fs.rmSync(parent, { recursive: true, force: true });
});

describe("artifact downloads stay inside the store", () => {
  it("serves a real artifact and a real member of a directory artifact", async () => {
    expect(await rawGet(content(fileId))).toEqual({ status: 200, body: "a,b\n" });
    expect(await rawGet(content(dirId, "?path=f"))).toEqual({ status: 200, body: "inside\n" });
  });

  it("refuses ../, encoded ../ and absolute paths in the member path", async () => {
    for (const q of [
      `?path=${encodeURIComponent("../../../../sentinel/secret")}`,
      "?path=%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fsentinel%2fsecret",
      "?path=%2E%2E/%2E%2E/%2E%2E/%2E%2E/%2E%2E/sentinel/secret",
      `?path=${encodeURIComponent(path.join(sentinel, "secret"))}`,
      `?path=${encodeURIComponent("f/../../../../../../sentinel/secret")}`,
    ]) {
      const res = await rawGet(content(dirId, q));
      expect(res.status, q).toBe(400);
      expect(res.body, q).toMatch(/outside the artifact store/);
      expect(res.body).not.toContain(SECRET.trim());
    }
    // Doubly encoded: a literal name inside the artifact, which does not exist.
    const res = await rawGet(content(dirId, "?path=%252e%252e%252f%252e%252e%252fsentinel%252fsecret"));
    expect(res.status).toBe(404);
  });

  it("finds nothing for ../ and encoded ../ in the artifact id", async () => {
    for (const id of ["..%2f..%2f..%2fsentinel%2fsecret", "%2e%2e", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..\\..\\x"]) {
      const res = await rawGet(content(id));
      expect(res.status, id).toBe(404);
      expect(res.body).not.toContain(SECRET.trim());
    }
    const raw = await rawGet(`/apis/weft/v1/artifacts/../../../../${sentinel}/secret/content`);
    expect(raw.status).toBe(404);
    expect(raw.body).not.toContain(SECRET.trim());
  });

  it("refuses recorded URIs that lead outside the store, in every spelling", async () => {
    const root = path.join(h.home, "artifacts");
    for (const uri of [
      `file://${root}/../../sentinel/secret`,
      `file://${root}/%2e%2e/%2e%2e/sentinel/secret`,
      `file://${root}/${runId}/%2E%2E%2F%2E%2E%2F%2E%2E%2Fsentinel/secret`,
      path.join(sentinel, "secret"),
      "../sentinel/secret",
    ]) {
      const res = await rawGet(content(record("evil", uri)));
      expect(res.status, uri).toBe(400);
      expect(res.body, uri).toMatch(/outside the artifact store/);
      expect(res.body).not.toContain(SECRET.trim());
    }
  });

  it("never serves a link's target: links to files and directories, outside and inside the store", async () => {
    const root = path.join(h.home, "artifacts", runId);
    fs.symlinkSync(path.join(sentinel, "secret"), path.join(root, "to-file"));
    fs.symlinkSync(sentinel, path.join(root, "to-dir"));
    fs.symlinkSync(path.join(root, "w", "file"), path.join(root, "to-inside"));
    for (const [id, q] of [
      [record("to-file", `file://${root}/to-file`), ""],
      [record("to-dir", `file://${root}/to-dir`), ""],
      [record("to-dir", `file://${root}/to-dir`), "?path=secret"],
      [record("to-inside", `file://${root}/to-inside`), ""],
      [dirId, "?path=s"],
      [dirId, "?path=etc"],
      [dirId, "?path=etc/secret"],
      [dirId, "?path=etc/sub/secret"],
      [dirId, "?path=inner"],
    ] as const) {
      const res = await rawGet(content(id, q));
      expect(res.status, `${id}${q}`).toBe(400);
      expect(res.body, `${id}${q}`).toMatch(/symbolic link/);
      expect(res.body).not.toContain(SECRET.trim());
    }
    // The listing of the directory names its members; it does not descend into a link.
    const listing = await rawGet(content(dirId));
    expect(JSON.parse(listing.body).entries).toEqual(["etc", "f", "inner", "s"]);
  });

  it("serves no log line of a file a task's log was replaced with", async () => {
    const t = h.store.tasks.get(taskId);
    const logPath = t?.logPath ?? "";
    expect(fs.readFileSync(logPath, "utf8")).toContain("log-line");
    fs.rmSync(logPath);
    fs.symlinkSync(path.join(sentinel, "secret"), logPath);
    const res = await rawGet(`/apis/weft/v1/runs/${runId}/tasks/${taskId}/logs`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).lines).toEqual([]);
    const sse = await rawGet(`/apis/weft/v1/runs/${runId}/tasks/${taskId}/logs?follow=true`);
    expect(sse.body).toContain("event: end");
    expect(sse.body).not.toContain(SECRET.trim());
  });

  it("left everything beside the home untouched", () => {
    expect(snapshot(sentinel)).toEqual(before);
  });
});

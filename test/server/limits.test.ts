/**
 * Size limits over real HTTP: over-long fields are 400s that name the field and the limit
 * and store nothing, over-size bodies and files are 413s with the KFP error body, an upload
 * with two files is a 400, and list pages stop at their byte budget yet page through
 * completely.
 */
import { describe, expect, it } from "vitest";
import { FIELD_LIMITS, SIZE_LIMITS } from "../../src/server/limits.ts";
import { corpusFile, listeningHarnessPerTest } from "./harness.ts";

const API = "/apis/v2beta1";
const server = listeningHarnessPerTest({ concurrency: 0 });

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(server.base + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function get(path: string): Promise<{ status: number; body: Record<string, unknown>; bytes: number }> {
  const res = await fetch(server.base + path);
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown>, bytes: Buffer.byteLength(text) };
}

function multipart(files: { field: string; name: string; content: string | Uint8Array<ArrayBuffer> }[]): FormData {
  const form = new FormData();
  for (const f of files) form.append(f.field, new Blob([f.content]), f.name);
  return form;
}

describe("field limits", () => {
  it("answers a 30 MB description with a 400 naming the field and the limit, and stores nothing", async () => {
    const res = await post(`${API}/experiments`, { display_name: "big", description: "x".repeat(30 * 1024 * 1024) });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(3);
    expect(String(res.body.message)).toMatch(/experiment\.description: is 31457280 bytes long; the limit is 16 KiB/);
    expect(server.h.store.experiments.getByName("big")).toBeUndefined();
    // a description at the limit is accepted
    const ok = await post(`${API}/experiments`, {
      display_name: "at-limit",
      description: "é".repeat(FIELD_LIMITS.description / 2),
    });
    expect(ok.status).toBe(200);
  });

  it("bounds names, run parameter values and upload query parameters", async () => {
    const name = await post(`${API}/experiments`, { display_name: "n".repeat(FIELD_LIMITS.name + 1) });
    expect(name.status).toBe(400);
    expect(String(name.body.message)).toMatch(/experiment\.display_name: .*the limit is 256 bytes/);

    const param = await post(`${API}/runs`, {
      display_name: "r",
      pipeline_spec: { pipelineInfo: { name: "p" }, root: { dag: { tasks: {} } }, schemaVersion: "2.1.0" },
      runtime_config: { parameters: { blob: "b".repeat(FIELD_LIMITS.parameterValue + 1) } },
    });
    expect(param.status).toBe(400);
    expect(String(param.body.message)).toMatch(
      /run\.runtime_config\.parameters\.blob: the value is \d+ bytes as JSON; the limit is 1 MiB/,
    );
    expect(server.h.store.runs.list().totalSize).toBe(0);

    const form = multipart([
      { field: "uploadfile", name: "p.yaml", content: corpusFile("valid/critical/add_numbers.yaml") },
    ]);
    const res = await fetch(`${server.base}${API}/pipelines/upload?name=${"n".repeat(FIELD_LIMITS.name + 1)}`, {
      method: "POST",
      body: form,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/query parameter name: .*256 bytes/);
    expect(server.h.store.pipelines.list().totalSize).toBe(0);
  });
});

describe("body and file limits", () => {
  it("answers a body over the limit with 413 and the KFP error body", async () => {
    const huge = JSON.stringify({ display_name: "e", description: "x".repeat(SIZE_LIMITS.requestBody) });
    const res = await post(`${API}/experiments`, huge);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 8, error: expect.stringMatching(/too large|larger/i) });
    expect(res.body.message).toBe(res.body.error);
    expect(Array.isArray(res.body.details)).toBe(true);
    expect(server.h.store.experiments.getByName("e")).toBeUndefined();
  });

  it("answers an uploaded file over the limit with 413", async () => {
    const big = new Uint8Array(SIZE_LIMITS.pipelineSpec + 1).fill(0x20);
    const res = await fetch(`${server.base}${API}/pipelines/upload`, {
      method: "POST",
      body: multipart([{ field: "uploadfile", name: "big.yaml", content: big }]),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { code: number; message: string };
    expect(body.code).toBe(8);
    expect(body.message).toMatch(/uploadfile.*64 MiB/);
    expect(server.h.store.pipelines.list().totalSize).toBe(0);
  });

  it("answers a multipart upload with two files with a 400 that says to send one file", async () => {
    const yaml = corpusFile("valid/critical/add_numbers.yaml");
    for (const second of ["uploadfile", "other"]) {
      const res = await fetch(`${server.base}${API}/pipelines/upload`, {
        method: "POST",
        body: multipart([
          { field: "uploadfile", name: "a.yaml", content: yaml },
          { field: second, name: "b.yaml", content: yaml },
        ]),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/more than one file.*send one pipeline file/);
    }
    expect(server.h.store.pipelines.list().totalSize).toBe(0);
    const one = await fetch(`${server.base}${API}/pipelines/upload`, {
      method: "POST",
      body: multipart([{ field: "uploadfile", name: "a.yaml", content: yaml }]),
    });
    expect(one.status).toBe(200);
  });
});

describe("list byte budget", () => {
  it("stops a page of large versions at the byte budget and pages through all of them", async () => {
    const pipeline = server.h.store.pipelines.create({ name: "big-specs" });
    const pad = "p".repeat(3 * 1024 * 1024);
    const ids = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const v = server.h.store.pipelines.createVersion({
        pipelineId: pipeline.id,
        name: `v${i}`,
        createdAt: 1_700_000_000_000 + i,
        spec: { pipelineInfo: { name: "big", description: pad }, root: { dag: { tasks: {} } }, schemaVersion: "2.1.0" },
      });
      ids.add(v.id);
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const q = `?page_size=100${token ? `&page_token=${encodeURIComponent(token)}` : ""}`;
      const page = await get(`${API}/pipelines/${pipeline.id}/versions${q}`);
      expect(page.status).toBe(200);
      expect(page.bytes).toBeLessThanOrEqual(SIZE_LIMITS.listPageBytes + 4096);
      expect(page.body.total_size).toBe(12);
      const items = page.body.pipeline_versions as { pipeline_version_id: string }[];
      expect(items.length).toBeGreaterThan(0);
      seen.push(...items.map((v) => v.pipeline_version_id));
      token = page.body.next_page_token as string | undefined;
      pages++;
    } while (token);
    expect(pages).toBeGreaterThan(1);
    expect(seen.length).toBe(12);
    expect(new Set(seen)).toEqual(ids);
  });

  it("pages through many experiments with descriptions at the limit, page sizes as asked", async () => {
    for (let i = 0; i < 30; i++) {
      server.h.store.experiments.create({ name: `e${i}`, description: "d".repeat(FIELD_LIMITS.description) });
    }
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      const page = await get(
        `${API}/experiments?page_size=7${token ? `&page_token=${encodeURIComponent(token)}` : ""}`,
      );
      const items = page.body.experiments as { experiment_id: string }[];
      expect(items.length).toBeLessThanOrEqual(7);
      for (const e of items) seen.add(e.experiment_id);
      token = page.body.next_page_token as string | undefined;
    } while (token);
    expect(seen.size).toBe(30);
  });
});

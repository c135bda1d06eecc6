import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "./harness.ts";

const INDEX =
  '<!doctype html><html><body><div id="root"></div><script src="/assets/app-1a2b.js"></script></body></html>';
const APP_JS = `console.log("weft ui");\n${"// padding\n".repeat(2000)}`;

let dir: string;
let outside: string;
let h: Harness;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weft-ui-dist-"));
  outside = mkdtempSync(join(tmpdir(), "weft-ui-outside-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), INDEX);
  writeFileSync(join(dir, "assets", "app-1a2b.js"), APP_JS);
  writeFileSync(join(dir, "assets", "app-1a2b.css"), "body{margin:0}");
  writeFileSync(join(dir, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  writeFileSync(join(dir, ".secret"), "hidden");
  writeFileSync(join(outside, "passwd"), "root:x:0:0");
  symlinkSync(join(outside, "passwd"), join(dir, "assets", "escape.js"));
  h = makeHarness({ uiDir: dir });
});

afterAll(async () => {
  await h.dispose();
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}) => h.server.app.inject({ method: "GET", url, headers });

describe("static UI", () => {
  it("serves index.html at / without caching", async () => {
    const res = await get("/");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.body).toBe(INDEX);
  });

  it("streams hashed assets with their content type and a one-year immutable cache", async () => {
    const js = await get("/assets/app-1a2b.js");
    expect(js.statusCode).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(js.headers["content-length"]).toBe(String(Buffer.byteLength(APP_JS)));
    expect(js.body).toBe(APP_JS);
    const css = await get("/assets/app-1a2b.css?v=1");
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    const svg = await get("/favicon.svg");
    expect(svg.headers["content-type"]).toBe("image/svg+xml");
    expect(svg.headers["cache-control"]).toBe("no-cache");
  });

  it("answers a repeated request with a matching ETag with 304", async () => {
    const first = await get("/assets/app-1a2b.js");
    const etag = String(first.headers.etag);
    const again = await get("/assets/app-1a2b.js", { "if-none-match": etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe("");
  });

  it("answers client-side routes with index.html", async () => {
    for (const url of ["/runs/0b6f1c2e-1234", "/pipelines/p1/versions/v2", "/experiments?x=1", "/index.html"]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers["cache-control"], url).toBe("no-cache");
      expect(res.body, url).toBe(INDEX);
    }
  });

  it("keeps the API's JSON 404 under /apis, /docs and /metrics", async () => {
    for (const url of ["/apis/v2beta1/nothing", "/apis/weft/v1/runs/x/y/z", "/apis", "/docs/nope", "/metrics/x"]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers["content-type"], url).toMatch(/application\/json/);
      expect(JSON.parse(res.body), url).toMatchObject({ code: 5, error: expect.stringContaining("no route GET") });
    }
    expect((await get("/docs")).headers["content-type"]).toMatch(/text\/html/);
    expect((await get("/metrics")).statusCode).toBe(200);
  });

  it("answers a missing asset with 404 instead of HTML", async () => {
    const res = await get("/assets/gone-9f9f.js");
    expect(res.statusCode).toBe(404);
  });

  it("never serves files outside the UI folder or dot files", async () => {
    for (const url of [
      "/../../etc/passwd",
      "/assets/..%2F..%2F..%2Fetc%2Fpasswd",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/assets/escape.js",
      "/.secret",
      "/assets/%00.js",
      "/assets/..%5C..%5Cindex.html",
    ]) {
      const res = await get(url);
      expect(res.body, url).not.toContain("root:x");
      expect(res.body, url).not.toContain("hidden");
      if (res.statusCode === 200) expect(res.body, url).toBe(INDEX);
    }
  });

  it("answers HEAD like GET without a body", async () => {
    const res = await h.server.app.inject({ method: "HEAD", url: "/assets/app-1a2b.js" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(res.body).toBe("");
  });

  it("says how to build the UI when ui/dist is missing", async () => {
    const bare = makeHarness({ uiDir: join(dir, "does-not-exist") });
    try {
      const res = await bare.server.app.inject({ method: "GET", url: "/" });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(res.body).toContain("npm run build:ui");
      const deep = await bare.server.app.inject({ method: "GET", url: "/runs/abc" });
      expect(deep.body).toContain("npm run build:ui");
      const api = await bare.server.app.inject({ method: "GET", url: "/apis/v2beta1/nothing" });
      expect(api.statusCode).toBe(404);
    } finally {
      await bare.dispose();
    }
  });

  it("serves this package's ui/dist by default, whatever the working directory", async () => {
    const { defaultUiDir } = await import("../../src/server/index.ts");
    expect(defaultUiDir()).toBe(join(import.meta.dirname, "..", "..", "ui", "dist"));
  });
});

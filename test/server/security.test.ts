/**
 * Local server safety against a real listening server: the Host check (DNS rebinding),
 * the Origin / Sec-Fetch-Site / content-type rules for state changes (cross-site
 * requests), and the CLI's refusal to bind a non-loopback address.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WeftClient } from "../../src/client/index.ts";
import { isLoopbackName, parseHostHeader } from "../../src/server/index.ts";
import { CORPUS, corpusFile, type Harness, makeHarness, multipartBody } from "./harness.ts";

const API = "/apis/v2beta1";
const BIN = resolve(import.meta.dirname, "../../bin/weft.js");

interface Answer {
  status: number;
  body: string;
}

/** A raw HTTP request with exactly the given headers (fetch does not let a caller set Host). */
function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Buffer,
  address = "127.0.0.1",
): Promise<Answer> {
  return new Promise((res, rej) => {
    const req = request({ host: address, port, method, path, headers, setHost: false }, (r) => {
      let text = "";
      r.setEncoding("utf8");
      r.on("data", (d: string) => {
        text += d;
      });
      r.on("end", () => res({ status: r.statusCode ?? 0, body: text }));
    });
    req.on("error", rej);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

let h: Harness;
let port: number;
let base: string;
let pipelineYaml: string;

/** How many experiments, pipelines and runs the store holds. */
function counts(): { experiments: number; pipelines: number; runs: number } {
  return {
    experiments: h.store.experiments.list({}).totalSize,
    pipelines: h.store.pipelines.list({}).totalSize,
    runs: h.store.runs.list({}).totalSize,
  };
}

/** A 403 with the KFP error body whose message says what to do. */
function expectForbidden(a: Answer, hint: RegExp): void {
  expect(a.status, a.body).toBe(403);
  const body = JSON.parse(a.body) as { code: number; message: string; details: { reason: string }[] };
  expect(body.code).toBe(7);
  expect(body.message).toMatch(hint);
  expect(body.details[0]?.reason).toMatch(/^API_FORBIDDEN_(HOST|ORIGIN)$/);
}

beforeAll(async () => {
  h = makeHarness({
    concurrency: 0,
    allowedHosts: ["weft.internal", "proxy.internal:8443"],
    allowedOrigins: ["http://localhost:5173"],
  });
  base = await h.server.listen(0, "127.0.0.1");
  port = Number(new URL(base).port);
  pipelineYaml = corpusFile("valid/critical/add_numbers.yaml");
});
afterAll(async () => {
  await h.dispose();
});

describe("Host check", () => {
  it("answers GETs addressed to localhost, the loopback addresses and configured names", async () => {
    const allowed = [
      `127.0.0.1:${port}`,
      "127.0.0.1",
      `localhost:${port}`,
      "localhost",
      `LOCALHOST:${port}`,
      `localhost.:${port}`,
      `[::1]:${port}`,
      "[::1]",
      `[0:0:0:0:0:0:0:1]:${port}`,
      `[::ffff:127.0.0.1]:${port}`,
      `127.0.0.2:${port}`,
      "weft.internal",
      `weft.internal:${port}`,
      "proxy.internal:8443",
    ];
    for (const host of allowed) {
      const a = await send(port, "GET", `${API}/healthz`, { host });
      expect(a.status, `Host: ${host}: ${a.body}`).toBe(200);
    }
    // the web UI and the lists too, and a read carrying a foreign Origin (the browser's CORS keeps it from reading)
    expect((await send(port, "GET", "/", { host: `localhost:${port}` })).status).toBe(200);
    const list = await send(port, "GET", `${API}/experiments`, {
      host: `127.0.0.1:${port}`,
      origin: "http://attacker.example",
    });
    expect(list.status).toBe(200);
    expect(list.body).not.toContain("access-control");
  });

  it("refuses foreign names, wrong ports and malformed Host values with a 403 naming --allowed-host", async () => {
    const refused = [
      `attacker.example:${port}`,
      "attacker.example",
      `localhost:${port + 1}`,
      `127.0.0.1:${port === 65535 ? 1 : port + 1}`,
      `[::1]:${port + 1}`,
      `127.0.0.1.attacker.example:${port}`,
      `localhost.attacker.example:${port}`,
      `evil.localhost:${port}`,
      `weft.internal.attacker.example:${port}`,
      "proxy.internal:8444",
      "proxy.internal",
      `user@localhost:${port}`,
      `10.1.2.3:${port}`,
      `0.0.0.0:${port}`,
      "",
    ];
    for (const host of refused) {
      const a = await send(port, "GET", `${API}/healthz`, { host });
      expectForbidden(a, /does not name this server.*--allowed-host/);
    }
    expectForbidden(await send(port, "GET", "/", { host: "attacker.example" }), /DNS rebinding/);
    expectForbidden(await send(port, "GET", "/metrics", { host: "attacker.example" }), /--allowed-host/);
  });

  it("runs nothing for a DNS-rebound request: no pipeline, experiment or run is recorded", async () => {
    const before = counts();
    const host = `attacker.example:${port}`;
    const json = { host, "content-type": "application/json" };
    const m = multipartBody("uploadfile", "p.yaml", pipelineYaml);
    expectForbidden(
      await send(port, "POST", `${API}/pipelines/upload?name=rebound`, { host, "content-type": m.contentType }, m.body),
      /--allowed-host/,
    );
    expectForbidden(
      await send(port, "POST", `${API}/experiments`, json, JSON.stringify({ display_name: "rebound" })),
      /--allowed-host/,
    );
    expectForbidden(
      await send(
        port,
        "POST",
        `${API}/runs`,
        json,
        JSON.stringify({ display_name: "rebound", pipeline_version_reference: { pipeline_id: "any" } }),
      ),
      /--allowed-host/,
    );
    expect(counts()).toEqual(before);
  });

  it("accepts the IPv6 loopback with its port on a server bound to ::1", async (ctx) => {
    const probe = createNetServer();
    const v6 = await new Promise<boolean>((res) => {
      probe.once("error", () => res(false));
      probe.listen(0, "::1", () => probe.close(() => res(true)));
    });
    if (!v6) {
      process.stderr.write("security test: this machine cannot bind ::1; skipping the IPv6 listener check\n");
      ctx.skip();
      return;
    }
    const h6 = makeHarness({ concurrency: 0 });
    try {
      const url = await h6.server.listen(0, "::1");
      const p6 = Number(new URL(url).port);
      expect((await send(p6, "GET", `${API}/healthz`, { host: `[::1]:${p6}` }, undefined, "::1")).status).toBe(200);
      expect((await send(p6, "GET", `${API}/healthz`, { host: `localhost:${p6}` }, undefined, "::1")).status).toBe(200);
      const json = { host: `[::1]:${p6}`, origin: `http://[::1]:${p6}`, "content-type": "application/json" };
      const ok = await send(p6, "POST", `${API}/experiments`, json, JSON.stringify({ display_name: "v6" }), "::1");
      expect(ok.status, ok.body).toBe(200);
      expectForbidden(
        await send(p6, "GET", `${API}/healthz`, { host: `attacker.example:${p6}` }, undefined, "::1"),
        /--allowed-host/,
      );
    } finally {
      await h6.dispose();
    }
  });
});

describe("state changes and Origin", () => {
  const own = () => ({ host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` });
  let seq = 0;
  const experiment = () => JSON.stringify({ display_name: `e-${++seq}` });

  it("accepts JSON from non-browser clients (no Origin) and from the server's own pages", async () => {
    const before = counts();
    const noOrigin = await send(
      port,
      "POST",
      `${API}/experiments`,
      { host: `127.0.0.1:${port}`, "content-type": "application/json" },
      experiment(),
    );
    expect(noOrigin.status, noOrigin.body).toBe(200);
    const sameOrigin = await send(
      port,
      "POST",
      `${API}/experiments`,
      { ...own(), "content-type": "application/json", "sec-fetch-site": "same-origin" },
      experiment(),
    );
    expect(sameOrigin.status, sameOrigin.body).toBe(200);
    const localhost = await send(
      port,
      "POST",
      `${API}/experiments`,
      { host: `localhost:${port}`, origin: `http://localhost:${port}`, "content-type": "application/json" },
      experiment(),
    );
    expect(localhost.status, localhost.body).toBe(200);
    const configured = await send(
      port,
      "POST",
      `${API}/experiments`,
      { host: `127.0.0.1:${port}`, origin: "http://localhost:5173", "content-type": "application/json" },
      experiment(),
    );
    expect(configured.status, configured.body).toBe(200);
    expect(counts().experiments).toBe(before.experiments + 4);
  });

  it("refuses state changes from foreign, null and other-port origins, whatever the content type", async () => {
    const before = counts();
    const origins = [
      "http://attacker.example",
      `http://attacker.example:${port}`,
      "null",
      `http://localhost:${port + 1}`,
      `http://127.0.0.1:${port + 1}`,
      // the right port on another loopback name is still another origin
      `http://localhost:${port}`,
      "file://",
      "not a url",
    ];
    const m = multipartBody("uploadfile", "p.yaml", pipelineYaml);
    const bodies: [string, string | Buffer][] = [
      ["application/json", experiment()],
      ["text/plain", experiment()],
      ["application/x-www-form-urlencoded", "display_name=x"],
      [m.contentType, m.body],
    ];
    for (const origin of origins) {
      for (const [type, body] of bodies) {
        const path = type.startsWith("multipart") ? `${API}/pipelines/upload?name=x${++seq}` : `${API}/experiments`;
        const a = await send(port, "POST", path, { host: `127.0.0.1:${port}`, origin, "content-type": type }, body);
        expectForbidden(a, origin === "null" ? /opaque origin/ : /may not change this server's state/);
      }
    }
    // DELETE and custom verbs are state changes too
    const exp = h.store.experiments.list({}).items[0];
    expect(exp).toBeDefined();
    const foreign = { host: `127.0.0.1:${port}`, origin: "http://attacker.example" };
    expectForbidden(await send(port, "DELETE", `${API}/experiments/${exp?.id}`, foreign), /--allowed-origin/);
    expectForbidden(
      await send(port, "POST", `${API}/experiments/${exp?.id}:archive`, {
        ...foreign,
        "content-type": "application/json",
      }),
      /--allowed-origin http:\/\/attacker\.example/,
    );
    expect(counts()).toEqual(before);
    expect(h.store.experiments.get(exp?.id ?? "")?.storageState).not.toBe("ARCHIVED");
  });

  it("refuses text/plain and form bodies even without an Origin, and a cross-site Sec-Fetch-Site", async () => {
    const before = counts();
    for (const [type, body] of [
      ["text/plain", experiment()],
      ["text/plain;charset=UTF-8", experiment()],
      ["application/x-www-form-urlencoded", "display_name=x"],
    ] as const) {
      for (const headers of [{}, own()]) {
        const a = await send(
          port,
          "POST",
          `${API}/experiments`,
          { host: `127.0.0.1:${port}`, ...headers, "content-type": type },
          body,
        );
        expectForbidden(a, /send JSON/);
      }
    }
    const m = multipartBody("uploadfile", "p.yaml", pipelineYaml);
    for (const site of ["cross-site", "same-site"]) {
      const a = await send(
        port,
        "POST",
        `${API}/pipelines/upload?name=cross-${site}`,
        { host: `127.0.0.1:${port}`, "content-type": m.contentType, "sec-fetch-site": site },
        m.body,
      );
      expectForbidden(a, /Sec-Fetch-Site/);
    }
    expect(counts()).toEqual(before);
  });

  it("accepts a multipart upload as kfp.Client sends it (no Origin) and as the web UI sends it (its own origin)", async () => {
    const before = counts();
    const kfp = multipartBody("uploadfile", "p.yaml", pipelineYaml);
    const a = await send(
      port,
      "POST",
      `${API}/pipelines/upload?name=from-kfp`,
      { host: `127.0.0.1:${port}`, "content-type": kfp.contentType, "user-agent": "OpenAPI-Generator/2.0.0/python" },
      kfp.body,
    );
    expect(a.status, a.body).toBe(200);
    const ui = multipartBody("uploadfile", "p.yaml", pipelineYaml);
    const b = await send(
      port,
      "POST",
      `${API}/pipelines/upload?name=from-ui`,
      { ...own(), "content-type": ui.contentType, "sec-fetch-site": "same-origin" },
      ui.body,
    );
    expect(b.status, b.body).toBe(200);
    expect(counts().pipelines).toBe(before.pipelines + 2);
  });

  it("keeps the typed client working (JSON, multipart upload, custom verbs)", async () => {
    const client = new WeftClient({ host: base });
    const e = await client.createExperiment({ displayName: "typed-client" });
    expect(e.experiment_id).toBeTruthy();
    const p = await client.uploadPipeline(join(CORPUS, "valid/critical/add_numbers.yaml"), { name: "typed-upload" });
    expect(p.pipeline_id).toBeTruthy();
    await client.archiveExperiment(e.experiment_id as string);
    expect(h.store.experiments.get(e.experiment_id as string)?.storageState).toBe("ARCHIVED");
  });
});

describe("Host parsing", () => {
  it("normalizes names and addresses and rejects malformed values", () => {
    expect(parseHostHeader("LocalHost.:8888")).toEqual({ name: "localhost", port: 8888 });
    expect(parseHostHeader("[::ffff:127.0.0.1]:1")).toEqual({ name: "127.0.0.1", port: 1 });
    expect(parseHostHeader("[0::1]")).toEqual({ name: "::1" });
    for (const bad of ["a b", "a/b", "a@b", "[::1", "x:99999", "x:", ":80"])
      expect(parseHostHeader(bad)).toBeUndefined();
    expect(isLoopbackName("127.9.9.9")).toBe(true);
    expect(isLoopbackName("0.0.0.0")).toBe(false);
    expect(isLoopbackName("::")).toBe(false);
    expect(isLoopbackName("localhost.example")).toBe(false);
  });
});

describe("weft server --host", () => {
  let home: string | undefined;
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    if (home) rmSync(home, { recursive: true, force: true });
  });

  function run(args: string[]): { child: ChildProcess; out: () => string; err: () => string } {
    home ??= mkdtempSync(join(tmpdir(), "weft-sec-cli-"));
    const c = spawn(process.execPath, [BIN, "server", "--port", "0", ...args], {
      env: { ...process.env, WEFT_HOME: home },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    c.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    c.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    return { child: c, out: () => out, err: () => err };
  }

  it("refuses 0.0.0.0 without --allow-remote-unauthenticated, naming the flag", async () => {
    for (const host of ["0.0.0.0", "::"]) {
      const r = run(["--host", host]);
      const code = await new Promise<number | null>((res) => r.child.on("exit", (c) => res(c)));
      expect(code).toBe(2);
      expect(r.err()).toMatch(/refusing to listen on --host .*no authentication.*--allow-remote-unauthenticated/);
      expect(r.out()).not.toMatch(/http:\/\//);
    }
  });

  it("rejects a malformed --allowed-host or --allowed-origin", async () => {
    for (const args of [
      ["--allowed-host", "a/b"],
      ["--allowed-origin", "localhost:5173"],
    ]) {
      const r = run(args);
      const code = await new Promise<number | null>((res) => r.child.on("exit", (c) => res(c)));
      expect(code).toBe(2);
      expect(r.err()).toMatch(new RegExp(args[0] as string));
    }
  });

  it("binds 0.0.0.0 with --allow-remote-unauthenticated, warns, answers its names and stops on SIGTERM", async () => {
    const r = run(["--host", "0.0.0.0", "--allow-remote-unauthenticated", "--allowed-host", "weft.lan"]);
    child = r.child;
    const url = await new Promise<string>((res, rej) => {
      const timer = setInterval(() => {
        const m = /weft server: (http:\/\/0\.0\.0\.0:\d+)/.exec(r.out());
        if (m?.[1]) {
          clearInterval(timer);
          res(m[1]);
        }
      }, 50);
      r.child.on("exit", (c) => {
        clearInterval(timer);
        rej(new Error(`exited early with ${c}: ${r.err()}`));
      });
    });
    expect(r.err()).toMatch(/WARNING: listening on 0\.0\.0\.0 without authentication/);
    const p = Number(new URL(url).port);
    expect((await send(p, "GET", `${API}/healthz`, { host: `127.0.0.1:${p}` })).status).toBe(200);
    expect((await send(p, "GET", `${API}/healthz`, { host: `0.0.0.0:${p}` })).status).toBe(200);
    expect((await send(p, "GET", `${API}/healthz`, { host: `weft.lan:${p}` })).status).toBe(200);
    expect((await send(p, "GET", `${API}/healthz`, { host: `attacker.example:${p}` })).status).toBe(403);
    const exited = new Promise<number | null>((res) => r.child.on("exit", (c) => res(c)));
    r.child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});

describe("createServer().listen", () => {
  it("refuses a non-loopback address unless allowRemoteUnauthenticated is set", async () => {
    const h2 = makeHarness({ concurrency: 0 });
    try {
      await expect(h2.server.listen(0, "0.0.0.0")).rejects.toThrow(/allowRemoteUnauthenticated/);
    } finally {
      await h2.dispose();
    }
  });
});

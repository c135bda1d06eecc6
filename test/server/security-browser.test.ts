/**
 * Local server safety in a real browser (Debian's Chromium through playwright-core): the
 * server's own page can create and upload, while a page of another origin (another local
 * port, and a DNS-rebound name) changes nothing, whatever it sends.
 */
import { existsSync } from "node:fs";
import { createServer as createHttpServer, request, type Server } from "node:http";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corpusFile, type Harness, makeHarness } from "./harness.ts";

const CHROMIUM = process.env.WEFT_CHROMIUM ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available) process.stderr.write(`security browser test: ${CHROMIUM} is not installed; skipping\n`);

let h: Harness;
let base: string;
let port: number;
let attacker: Server;
let attackerPort: number;
let browser: Browser | undefined;
const statuses: number[] = [];

/** A page another local process serves, which tries every kind of request a page can send. */
const ATTACK_PAGE = `<!doctype html><html><body><h1>cat pictures</h1></body></html>`;

beforeAll(async () => {
  if (!available) return;
  h = makeHarness({ concurrency: 0 });
  h.server.app.addHook("onResponse", async (req, reply) => {
    if (req.url.startsWith("/apis/")) statuses.push(reply.statusCode);
  });
  base = await h.server.listen(0, "127.0.0.1");
  port = Number(new URL(base).port);
  // serves its page at `/`; every other request it hands on unchanged to the Weft server,
  // Host header included: what a DNS rebinding achieves once the name points at 127.0.0.1
  attacker = createHttpServer((req, res) => {
    if (req.url === "/") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(ATTACK_PAGE);
      return;
    }
    const onward = request(
      { host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers, setHost: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    onward.on("error", () => res.destroy());
    req.pipe(onward);
  });
  await new Promise<void>((r) => attacker.listen(0, "127.0.0.1", r));
  const addr = attacker.address();
  attackerPort = typeof addr === "object" && addr ? addr.port : 0;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      // attacker.test resolves to this machine, as after a DNS rebinding
      "--host-resolver-rules=MAP attacker.test 127.0.0.1",
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (!available) return;
  await new Promise<void>((r) => attacker.close(() => r()));
  await h.dispose();
});

function counts(): { experiments: number; pipelines: number } {
  return { experiments: h.store.experiments.list({}).totalSize, pipelines: h.store.pipelines.list({}).totalSize };
}

/** Runs in the page: every state-changing request a page can make, aimed at `target`; returns what it could see. */
async function attack(page: import("playwright-core").Page, target: string, yaml: string): Promise<string[]> {
  return page.evaluate(
    async ({ target, yaml }) => {
      const seen: string[] = [];
      const tryFetch = async (label: string, url: string, init: RequestInit) => {
        try {
          const res = await fetch(url, init);
          seen.push(`${label}:${res.type}:${res.status}`);
        } catch (err) {
          seen.push(`${label}:error:${(err as Error).message}`);
        }
      };
      const form = () => {
        const f = new FormData();
        f.append("uploadfile", new Blob([yaml], { type: "application/x-yaml" }), "p.yaml");
        return f;
      };
      const exp = JSON.stringify({ display_name: "evil" });
      await tryFetch("text", `${target}/apis/v2beta1/experiments`, {
        method: "POST",
        mode: "no-cors",
        headers: { "content-type": "text/plain" },
        body: exp,
      });
      await tryFetch("multipart", `${target}/apis/v2beta1/pipelines/upload?name=evil`, {
        method: "POST",
        mode: "no-cors",
        body: form(),
      });
      await tryFetch("json", `${target}/apis/v2beta1/experiments`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: exp,
      });
      await tryFetch("read", `${target}/apis/v2beta1/experiments`, {});
      // a plain HTML form post in a hidden frame
      await new Promise<void>((resolve) => {
        const frame = document.createElement("iframe");
        frame.name = "sink";
        document.body.append(frame);
        const f = document.createElement("form");
        f.method = "POST";
        f.enctype = "multipart/form-data";
        f.action = `${target}/apis/v2beta1/pipelines/upload?name=evil-form`;
        f.target = "sink";
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = "uploadfile";
        input.value = yaml;
        f.append(input);
        document.body.append(f);
        frame.addEventListener("load", () => resolve(), { once: true });
        f.submit();
        setTimeout(resolve, 5000);
      });
      return seen;
    },
    { target, yaml },
  );
}

describe("in Chromium", () => {
  it("lets the server's own page create an experiment and upload a pipeline", async (ctx) => {
    if (!browser) {
      ctx.skip();
      return;
    }
    const before = counts();
    const page = await browser.newPage();
    try {
      await page.goto(`${base}/`);
      const yaml = corpusFile("valid/critical/add_numbers.yaml");
      const results = await page.evaluate(
        async ({ yaml }) => {
          const f = new FormData();
          f.append("uploadfile", new Blob([yaml], { type: "application/x-yaml" }), "p.yaml");
          const up = await fetch("/apis/v2beta1/pipelines/upload?name=from-page", { method: "POST", body: f });
          const exp = await fetch("/apis/v2beta1/experiments", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ display_name: "from-page" }),
          });
          return [up.status, exp.status];
        },
        { yaml },
      );
      expect(results).toEqual([200, 200]);
      expect(counts()).toEqual({ experiments: before.experiments + 1, pipelines: before.pipelines + 1 });
    } finally {
      await page.close();
    }
  });

  it("changes nothing for a page of another local port: text/plain, multipart, JSON and a form post", async (ctx) => {
    if (!browser) {
      ctx.skip();
      return;
    }
    const before = counts();
    const refusedBefore = statuses.filter((s) => s === 403).length;
    const page = await browser.newPage();
    try {
      await page.goto(`http://localhost:${attackerPort}/`);
      const seen = await attack(page, `http://127.0.0.1:${port}`, corpusFile("valid/critical/add_numbers.yaml"));
      // the no-cors requests reach the server (opaque answers); the JSON one and the read are blocked by CORS
      expect(seen.filter((s) => s.startsWith("text:") || s.startsWith("multipart:"))).toEqual([
        "text:opaque:0",
        "multipart:opaque:0",
      ]);
      expect(counts()).toEqual(before);
      // the server itself refused the requests that reached it (the two no-cors fetches and the form post)
      expect(statuses.filter((s) => s === 403).length - refusedBefore).toBeGreaterThanOrEqual(3);
    } finally {
      await page.close();
    }
  });

  it("changes and reveals nothing for a DNS-rebound page (attacker.test resolving to 127.0.0.1)", async (ctx) => {
    if (!browser) {
      ctx.skip();
      return;
    }
    const before = counts();
    const page = await browser.newPage();
    try {
      // the Weft server's own port under the rebound name: even the page load is refused
      const direct = await page.goto(`http://attacker.test:${port}/`);
      expect(direct?.status()).toBe(403);
      // the attacker's page, whose later same-origin requests reach the Weft server
      await page.goto(`http://attacker.test:${attackerPort}/`);
      const seen = await attack(page, "", corpusFile("valid/critical/add_numbers.yaml"));
      // same-origin now, so the page sees the answers: all refused
      expect(seen).toEqual(["text:basic:403", "multipart:basic:403", "json:basic:403", "read:basic:403"]);
      expect(counts()).toEqual(before);
    } finally {
      await page.close();
    }
  });
});

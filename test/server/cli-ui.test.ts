import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { browserOpener, browserUrl } from "../../src/cli/commands/ui.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/weft.js");
let home: string | undefined;

afterEach(() => {
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

describe("weft ui", () => {
  it("--no-open serves the app at / and prints its URL; SIGTERM stops it with exit 0", async () => {
    home = mkdtempSync(join(tmpdir(), "weft-cli-ui-"));
    // another directory as cwd: the UI is found relative to the package, not the working directory
    const child = spawn(process.execPath, [BIN, "ui", "--port", "0", "--no-open"], {
      cwd: home,
      env: { ...process.env, WEFT_HOME: home },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const url = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`no URL printed; stdout: ${out} stderr: ${err}`)), 30_000);
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /weft ui: open (http:\/\/127\.0\.0\.1:\d+\/) in a browser/.exec(out);
        if (m?.[1]) {
          clearTimeout(timer);
          res(m[1]);
        }
      });
      child.on("exit", (code) => rej(new Error(`exited early with ${code}: ${err}`)));
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await page.text();
    const dist = join(ROOT, "ui", "dist", "index.html");
    if (existsSync(dist)) {
      expect(html).toBe(readFileSync(dist, "utf8"));
      expect(html).toContain('id="root"');
      const deep = await fetch(`${url}runs/some-run-id`);
      expect(await deep.text()).toBe(html);
    } else {
      expect(html).toContain("npm run build:ui");
    }
    expect((await fetch(`${url}apis/v2beta1/healthz`)).status).toBe(200);
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("rejects a bad port with a usage error", async () => {
    home = mkdtempSync(join(tmpdir(), "weft-cli-ui-"));
    const child = spawn(process.execPath, [BIN, "ui", "--port", "-1", "--no-open"], {
      env: { ...process.env, WEFT_HOME: home },
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(code).toBe(2);
    expect(err).toMatch(/--port "-1" must be a non-negative integer/);
  });

  it("opens a browser on this machine's address for a server bound to every interface", () => {
    expect(browserUrl("http://0.0.0.0:8888")).toBe("http://127.0.0.1:8888/");
    expect(browserUrl("http://[::]:8888")).toBe("http://[::1]:8888/");
    expect(browserUrl("http://127.0.0.1:9000")).toBe("http://127.0.0.1:9000/");
    expect(browserOpener("win32")?.[0]).toBe("cmd");
  });
});

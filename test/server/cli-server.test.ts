import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const BIN = resolve(import.meta.dirname, "../../bin/weft.js");
let home: string | undefined;

afterEach(() => {
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

describe("weft server", () => {
  it("listens on 127.0.0.1, answers healthz and /docs, and stops on SIGTERM with exit 0", async () => {
    home = mkdtempSync(join(tmpdir(), "weft-cli-server-"));
    const child = spawn(process.execPath, [BIN, "server", "--port", "0", "--host", "127.0.0.1"], {
      env: { ...process.env, WEFT_HOME: home },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const url = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`no URL printed; stderr: ${err}`)), 30_000);
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /weft server: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m?.[1]) {
          clearTimeout(timer);
          res(m[1]);
        }
      });
      child.on("exit", (code) => rej(new Error(`exited early with ${code}: ${err}`)));
    });
    const health = await fetch(`${url}/apis/v2beta1/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ multi_user: false, pipeline_store: "database" });
    expect((await fetch(`${url}/docs`)).status).toBe(200);
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("rejects a bad port with a usage error", async () => {
    home = mkdtempSync(join(tmpdir(), "weft-cli-server-"));
    const child = spawn(process.execPath, [BIN, "server", "--port", "http"], {
      env: { ...process.env, WEFT_HOME: home },
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(code).toBe(2);
    expect(err).toMatch(/--port "http" must be a non-negative integer/);
  });
});

/**
 * What the end-to-end tests run against: the UI built with Vite, a real `weft server`
 * child process over a temporary `$WEFT_HOME` (it serves `ui/dist` at `/` beside the API),
 * and Debian's Chromium driven by playwright-core.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { WeftError } from "../../src/ir/weft-error.ts";

/** The project root. */
export const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
/** Debian's Chromium. */
export const CHROMIUM = process.env.WEFT_CHROMIUM ?? "/usr/bin/chromium";
/** Where screenshots are kept. */
export const SCREENSHOTS = join(ROOT, "test-output", "screenshots");

/** Thrown in CI when Chromium is missing: there the browser tests must run, not skip. */
export class BrowserMissingError extends WeftError {
  constructor(message: string) {
    super("UI_E2E_NO_BROWSER", message);
  }
}

/** Whether `env` says this is a CI machine (`CI=true`, as CI services set it; `CI=1` too). */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.CI ?? "").trim().toLowerCase();
  return v === "true" || v === "1";
}

/**
 * The decision behind {@link skipReason}: `undefined` when Chromium is installed; otherwise
 * a reason to skip, except in CI, where it throws {@link BrowserMissingError} so that a
 * missing browser fails the run instead of passing it with every browser test skipped.
 */
export function browserSkipDecision(chromium: string, installed: boolean, env: NodeJS.ProcessEnv): string | undefined {
  if (installed) return undefined;
  const missing = `${chromium} is not installed (apt-get install -y chromium, or set WEFT_CHROMIUM to a Chromium binary)`;
  if (isCi(env)) {
    throw new BrowserMissingError(
      `${missing}; CI=${env.CI} requires the browser tests to run: install Chromium on the CI machine`,
    );
  }
  return `${missing}; skipping the browser tests`;
}

/**
 * Why the browser tests cannot run here (printed once per test file), or `undefined` when
 * they can. In CI a missing Chromium throws instead ({@link browserSkipDecision}).
 */
export function skipReason(): string | undefined {
  const reason = browserSkipDecision(CHROMIUM, existsSync(CHROMIUM), process.env);
  if (reason) process.stderr.write(`ui e2e: ${reason}\n`);
  return reason;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function uiIsStale(): boolean {
  const index = join(ROOT, "ui", "dist", "index.html");
  if (!existsSync(index)) return true;
  const sources = Math.max(
    newestMtime(join(ROOT, "ui", "src")),
    statSync(join(ROOT, "ui", "index.html")).mtimeMs,
    statSync(join(ROOT, "ui", "vite.config.ts")).mtimeMs,
  );
  return statSync(index).mtimeMs < sources;
}

/**
 * Builds the UI into ui/dist when its sources are newer. Test files run in parallel
 * processes, so a lock directory makes one build while the others wait and then find it
 * fresh.
 */
export function buildUi(): void {
  const lock = join(tmpdir(), `weft-ui-build-${createHash("sha256").update(ROOT).digest("hex").slice(0, 12)}.lock`);
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 180_000)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() - started > 240_000)
        throw new Error(`waited 4 minutes for ${lock}; remove it if no build is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (uiIsStale()) {
      execFileSync(
        process.execPath,
        [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--config", "ui/vite.config.ts", "--logLevel", "warn"],
        {
          cwd: ROOT,
          stdio: "inherit",
        },
      );
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A running server: `url` serves the UI and the API. */
export interface Weft {
  url: string;
  /** The same as `url`: the server answers the API and the UI on one port. */
  apiUrl: string;
  home: string;
  stop(): Promise<void>;
}

/** Starts `weft server --port 0` over a fresh `$WEFT_HOME`; `seed` may fill it first. */
export async function startWeft(opts: { seed?: (home: string) => void } = {}): Promise<Weft> {
  const home = mkdtempSync(join(tmpdir(), "weft-ui-e2e-"));
  opts.seed?.(home);
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, "bin/weft.js"), "server", "--port", "0"], {
    cwd: ROOT,
    env: { ...process.env, WEFT_HOME: home },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const apiUrl = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`weft server did not start in 60 s:\n${out}`)), 60_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`weft server exited with ${code}:\n${out}`));
    });
  });
  const index = await fetch(`${apiUrl}/`).then(
    async (r) => (r.ok ? await r.text() : ""),
    () => "",
  );
  if (!index.includes('id="root"')) {
    child.kill("SIGKILL");
    rmSync(home, { recursive: true, force: true });
    throw new Error(`weft server at ${apiUrl} does not serve the built UI at /; run npm run build:ui`);
  }
  return {
    url: apiUrl,
    apiUrl,
    home,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((ok) => child.once("exit", ok));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((ok) => setTimeout(ok, 5000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Launches headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}

/** Saves a full-page screenshot under test-output/screenshots. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** JSON over HTTP to the server, failing with the server's message. */
export async function api<T>(base: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Uploads a pipeline (as a YAML/JSON file) and returns its id and newest version id. */
export async function uploadPipeline(
  base: string,
  name: string,
  spec: unknown,
): Promise<{ pipelineId: string; versionId: string }> {
  const form = new FormData();
  form.append("uploadfile", new Blob([JSON.stringify(spec)], { type: "application/json" }), `${name}.json`);
  const res = await fetch(`${base}/apis/v2beta1/pipelines/upload?name=${encodeURIComponent(name)}`, {
    method: "POST",
    body: form,
  });
  if (!res.ok) throw new Error(`upload ${name}: HTTP ${res.status} ${await res.text()}`);
  const p = (await res.json()) as { pipeline_id: string };
  const versions = await api<{ pipeline_versions?: Array<{ pipeline_version_id: string }> }>(
    base,
    `/apis/v2beta1/pipelines/${p.pipeline_id}/versions`,
  );
  const versionId = versions.pipeline_versions?.[0]?.pipeline_version_id;
  if (!versionId) throw new Error(`upload ${name}: no version was created`);
  return { pipelineId: p.pipeline_id, versionId };
}

/** Starts a run of a pipeline version with parameters. */
export async function startRun(
  base: string,
  name: string,
  ref: { pipelineId: string; versionId: string },
  parameters: Record<string, unknown> = {},
): Promise<string> {
  const run = await api<{ run_id: string }>(base, "/apis/v2beta1/runs", {
    display_name: name,
    pipeline_version_reference: { pipeline_id: ref.pipelineId, pipeline_version_id: ref.versionId },
    runtime_config: { parameters },
  });
  return run.run_id;
}

/** Waits until a run is final; returns its state. */
export async function waitRun(base: string, runId: string, timeoutMs = 90_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await api<{ state?: string; error?: { message?: string } }>(base, `/apis/v2beta1/runs/${runId}`);
    if (r.state && ["SUCCEEDED", "FAILED", "CANCELED", "SKIPPED"].includes(r.state)) return r.state;
    if (Date.now() > end) throw new Error(`run ${runId} is still ${r.state} after ${timeoutMs} ms`);
    await new Promise((ok) => setTimeout(ok, 250));
  }
}

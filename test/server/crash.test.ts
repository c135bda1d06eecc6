import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WeftClient } from "../../src/client/index.ts";
import { corpusFile, SHARED_CORPUS } from "./harness.ts";

const BIN = resolve(import.meta.dirname, "../../bin/weft.js");
let home: string | undefined;
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

async function startServer(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, "server", "--port", "0", "--concurrency", "1"], {
    env: { ...process.env, WEFT_HOME: dir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start: ${err}`)), 30_000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /weft server: (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        res(m[1]);
      }
    });
  });
  return { child, url };
}

const sleeper = {
  pipelineInfo: { name: "sleeper" },
  schemaVersion: "2.1.0",
  root: { dag: { tasks: { nap: { taskInfo: { name: "nap" }, componentRef: { name: "comp-nap" } } } } },
  components: { "comp-nap": { executorLabel: "exec-nap" } },
  deploymentSpec: { executors: { "exec-nap": { container: { image: "busybox", command: ["sleep", "60"] } } } },
};

describe.skipIf(!SHARED_CORPUS.present)("server killed with SIGKILL", () => {
  it("marks the run it was executing as its owner having died, and runs what was queued after a restart", async () => {
    home = mkdtempSync(join(tmpdir(), "weft-crash-"));
    const first = await startServer(home);
    const client = new WeftClient({ host: first.url });
    const running = await client.createRun({ displayName: "interrupted", pipeline: sleeper as never });
    const queued = await client.createRun({
      displayName: "queued",
      pipeline: corpusFile("valid/essential/container_no_input.yaml"),
    });
    const deadline = Date.now() + 30_000;
    while ((await client.getRun(running.run_id)).state !== "RUNNING" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await client.getRun(queued.run_id)).state).toBe("PENDING");
    const killed = new Promise((r) => first.child.on("exit", r));
    first.child.kill("SIGKILL");
    await killed;

    const second = await startServer(home);
    const again = new WeftClient({ host: second.url });
    const interrupted = await again.waitForRunCompletion(running.run_id, { timeoutMs: 30_000, pollIntervalMs: 100 });
    expect(interrupted.state).toBe("FAILED");
    expect(JSON.stringify(interrupted.error)).toContain("OWNER_DIED");
    const done = await again.waitForRunCompletion(queued.run_id, { timeoutMs: 30_000, pollIntervalMs: 100 });
    expect(done.state).toBe("SUCCEEDED");
    expect((await again.listRuns()).totalSize).toBe(2);
    const exited = new Promise<number | null>((r) => second.child.on("exit", (code) => r(code)));
    second.child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});

/**
 * Remote mode: `weft --host URL ...` and `WEFT_HOST` against a real `weft server` child
 * process on 127.0.0.1 with its own `$WEFT_HOME`; the client's `$WEFT_HOME` stays empty.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandsFor } from "../../src/cli/command-table.ts";
import {
  collect,
  jsonLines,
  ROOT,
  type Sandbox,
  sandbox,
  shPipeline,
  spawnWeft,
  startWeftServer,
  type WeftServer,
  waitFor,
  weft,
} from "./helpers.ts";

const box: Sandbox = sandbox();
const serverHome = join(box.dir, "server-home");
let server: WeftServer | undefined;
let url = "";

beforeAll(async () => {
  server = await startWeftServer(serverHome);
  url = server.url;
}, 40_000);

afterAll(async () => {
  await server?.stop();
  box.cleanup();
});

const hello = () =>
  box.write(
    "hello.yaml",
    shPipeline(
      "remote-hello",
      [
        { name: "greet", script: 'echo "hello $1"', params: { who: "who" } },
        { name: "after", script: "echo done-after", after: ["greet"] },
      ],
      { who: { type: "STRING" } },
    ),
  );

describe("weft --host URL (remote mode)", () => {
  it("finds the command after the global --host value", () => {
    expect(commandsFor(["node", "weft", "--host", "http://127.0.0.1:1", "runs", "list"]).map((c) => c.name)).toEqual([
      "runs",
    ]);
    expect(commandsFor(["node", "weft", "server", "--host", "0.0.0.0"]).map((c) => c.name)).toEqual(["server"]);
  });

  it("runs a pipeline on the server, follows it, and lists, shows and prints its logs", async () => {
    const file = hello();
    const run = await weft(box.home, ["--host", url, "run", file, "-p", "who=world", "-e", "remote-exp", "-n", "r1"]);
    expect(run.stderr).toContain(`created on ${url}`);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/greet SUCCEEDED/);
    expect(run.stdout).toMatch(/after SUCCEEDED/);
    // each task's output lines, followed over the server's log stream
    expect(run.stdout).toContain("  [greet] hello world\n");
    expect(run.stdout).toContain("  [after] done-after\n");
    const id = /Run ([0-9a-f-]{36}) SUCCEEDED/.exec(run.stdout)?.[1];
    expect(id).toBeDefined();
    // nothing was written to the local $WEFT_HOME
    expect(existsSync(box.home)).toBe(false);

    const list = await weft(box.home, ["--host", url, "runs", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+r1\\s+SUCCEEDED.*remote-exp`));

    const get = await weft(box.home, ["--host", url, "runs", "get", "r1"]);
    expect(get.code).toBe(0);
    expect(get.stdout).toContain(`(${id})`);
    expect(get.stdout).toMatch(/greet\s+SUCCEEDED/);
    expect(get.stdout).toContain('who="world"');

    const logs = await weft(box.home, ["--host", url, "runs", "logs", String(id)]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain("[greet] hello world");
    expect(logs.stdout).toContain("[after] done-after");
    const one = await weft(box.home, ["--host", url, "runs", "logs", "r1", "greet"]);
    expect(one.stdout.trim()).toBe("hello world");
    const follow = await weft(box.home, ["--host", url, "runs", "logs", "r1", "greet", "-f"]);
    expect(follow.code).toBe(0);
    expect(follow.stdout.trim()).toBe("hello world");
    const badTask = await weft(box.home, ["--host", url, "runs", "logs", "r1", "nope"]);
    expect(badTask.code).toBe(2);
    expect(badTask.stderr).toContain('no task "nope"');
  }, 60_000);

  it("sends --pipeline-root to the server, which records it or refuses an object store", async () => {
    const file = hello();
    const root = join(box.dir, "remote-root");
    const run = await weft(box.home, [
      "--host",
      url,
      "run",
      file,
      "-p",
      "who=x",
      "-n",
      "rooted",
      "--pipeline-root",
      root,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const id = /Run ([0-9a-f-]{36}) SUCCEEDED/.exec(run.stdout)?.[1];
    const got = (await (await fetch(`${url}/apis/v2beta1/runs/${id}`)).json()) as {
      runtime_config?: { pipeline_root?: string };
    };
    expect(got.runtime_config?.pipeline_root).toBe(root);
    const refused = await weft(box.home, ["--host", url, "run", file, "-p", "who=x", "--pipeline-root", "s3://b/r"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/run\.runtime_config\.pipeline_root "s3:\/\/b\/r" .*only under file:\/\/ roots/);
  }, 60_000);

  it("leaves the task output out with --quiet", async () => {
    const quiet = await weft(box.home, ["--host", url, "run", hello(), "-p", "who=quietly", "--quiet"]);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toMatch(/greet SUCCEEDED/);
    expect(quiet.stdout).not.toContain("hello quietly");
  }, 60_000);

  it("takes the host from WEFT_HOST and lists experiments with their run counts", async () => {
    const file = hello();
    await weft(box.home, ["--host", url, "run", file, "-p", "who=env", "-e", "env-exp"]);
    const child = spawn(process.execPath, [join(ROOT, "bin/weft.js"), "experiments", "list", "--json"], {
      cwd: ROOT,
      env: { ...process.env, WEFT_HOME: box.home, WEFT_HOST: url, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const res = await collect(child);
    expect(res.code).toBe(0);
    const doc = JSON.parse(res.stdout) as { experiments: { display_name: string; runCount: number }[] };
    expect(doc.experiments.find((e) => e.display_name === "env-exp")?.runCount).toBe(1);
    const text = await weft(box.home, ["--host", url, "experiments", "list"]);
    expect(text.stdout).toMatch(/env-exp\s+1\s/);
  }, 60_000);

  it("ends with 1 on a failed run and prints events and the summary with --json", async () => {
    const file = box.write("fail.yaml", shPipeline("remote-fail", [{ name: "boom", script: "echo bad >&2; exit 4" }]));
    const res = await weft(box.home, ["--host", url, "run", file, "--json"]);
    expect(res.code).toBe(1);
    const lines = jsonLines(res.stdout);
    expect(lines.some((l) => l.type === "task" && l.path === "root/boom" && l.state === "FAILED")).toBe(true);
    const summary = lines.at(-1) as { type: string; state: string; tasks: { name: string; stderrTail?: string[] }[] };
    expect(summary.type).toBe("summary");
    expect(summary.state).toBe("FAILED");
    expect(summary.tasks.find((t) => t.name === "boom")?.stderrTail).toContain("bad");
  }, 60_000);

  it("cancels a run on the server", async () => {
    const file = box.write(
      "slow.yaml",
      shPipeline("remote-slow", [{ name: "nap", script: "echo napping; sleep 30", cache: false }]),
    );
    const running = collect(spawnWeft(box.home, ["--host", url, "run", file, "-n", "slow"]));
    await waitFor("the slow run to start", async () => {
      const r = await weft(box.home, ["--host", url, "runs", "get", "slow", "--json"]);
      return r.code === 0 && r.stdout.includes('"RUNNING"') ? true : undefined;
    });
    const cancel = await weft(box.home, ["--host", url, "runs", "cancel", "slow"]);
    expect(cancel.stdout).toMatch(/CANCELED/);
    expect(cancel.code).toBe(0);
    const ended = await running;
    expect(ended.code).toBe(1);
    expect(ended.stdout).toMatch(/Run [0-9a-f-]{36} CANCELED/);
  }, 60_000);

  it("rejects bad input with exit 2 and says what the server answered", async () => {
    const file = hello();
    const missing = await weft(box.home, ["--host", url, "run", file]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('requires parameter "who"');
    const noRun = await weft(box.home, ["--host", url, "runs", "get", "no-such-run"]);
    expect(noRun.code).toBe(2);
    expect(noRun.stderr).toContain(`no run with id or name "no-such-run" on ${url}`);
    const local = await weft(box.home, ["--host", url, "run", file, "-p", "who=x", "--no-cache"]);
    expect(local.code).toBe(2);
    expect(local.stderr).toContain("--no-cache only works locally");
    const badUrl = await weft(box.home, ["--host", "127.0.0.1:8888", "runs", "list"]);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain("must be an http:// or https:// URL");
  }, 60_000);

  it("says clearly when the server cannot be reached", async () => {
    const port = await new Promise<number>((res) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const addr = s.address();
        s.close(() => res(typeof addr === "object" && addr ? addr.port : 0));
      });
    });
    const res = await weft(box.home, ["--host", `http://127.0.0.1:${port}`, "runs", "list"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`error[REMOTE_UNREACHABLE]: cannot reach the Weft server at http://127.0.0.1:${port}`);
  }, 30_000);
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  HAS_SCRIPT,
  jsonLines,
  plainText,
  type Sandbox,
  sandbox,
  shPipeline,
  weft,
  weftInTerminal,
} from "./helpers.ts";

const hello = shPipeline(
  "hello-cli",
  [
    {
      name: "producer",
      params: { text: "text", count: "count" },
      outputs: ["greeting"],
      script: 'mkdir -p "$(dirname "$3")" && printf "%s x%s" "$1" "$2" > "$3" && echo "produced $1"',
    },
    { name: "consumer", fromTask: { message: ["producer", "greeting"] }, script: 'echo "consumed: $1"' },
  ],
  { text: { type: "STRING", default: "hi" }, count: { type: "NUMBER_INTEGER" } },
);

const failing = shPipeline("failing-cli", [
  { name: "ok", script: "echo fine" },
  {
    name: "boom",
    after: ["ok"],
    script: 'i=1; while [ $i -le 30 ]; do echo "err line $i" >&2; i=$((i+1)); done; exit 3',
  },
]);

describe("weft run", () => {
  let box: Sandbox;
  beforeAll(() => {
    box = sandbox();
  });
  afterAll(() => box.cleanup());

  it("runs a YAML pipeline to SUCCEEDED, prints progress lines and a summary, exits 0", async () => {
    const file = box.write("hello.yaml", hello);
    const r = await weft(box.home, ["run", file, "--param", "count=3", "--run-name", "first"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/producer RUNNING/);
    expect(r.stdout).toMatch(/consumer SUCCEEDED/);
    expect(r.stdout).toMatch(/Run [0-9a-f-]{36} SUCCEEDED in/);
    expect(r.stdout).toMatch(/Tasks: 2 succeeded/);
    expect(r.stdout).toContain(`Artifacts: ${box.home}`);
    // no ANSI escapes when stdout is not a terminal
    expect(r.stdout).not.toContain("\x1b[");
  });

  it("marks a failing task FAILED, shows its last 20 stderr lines and exits 1", async () => {
    const file = box.write("failing.yaml", failing);
    const r = await weft(box.home, ["run", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Run [0-9a-f-]{36} FAILED/);
    expect(r.stdout).toMatch(/boom FAILED/);
    // every line streamed while the task ran; the summary shows the last 20
    expect(r.stdout).toContain("  [boom] err line 1\n");
    const summary = r.stdout.slice(r.stdout.search(/Run [0-9a-f-]{36} FAILED/));
    expect(summary).toContain("err line 30");
    expect(summary).toContain("err line 11");
    expect(summary).not.toMatch(/err line 10\b/);
    expect(r.stdout).toMatch(/weft runs logs [0-9a-f-]{36} boom/);
  });

  it("rejects a parameter of the wrong type before starting anything (exit 2)", async () => {
    const file = box.write("hello.yaml", hello);
    const home = `${box.home}-badparam`;
    const r = await weft(home, ["run", file, "--param", "count=many"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/parameter "count" expects integer \(NUMBER_INTEGER\), got "many"/);
    const missing = await weft(home, ["run", file]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/requires parameter "count" \(integer \(NUMBER_INTEGER\)\)/);
    const unknown = await weft(home, ["run", file, "--param", "count=1", "--param", "nope=1"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no input parameter "nope"; its parameters are: text, count/);
    const list = await weft(home, ["runs", "list", "--json"]);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).runs).toEqual([]);
  });

  it("rejects a missing pipeline file with exit 2", async () => {
    const r = await weft(box.home, ["run", `${box.dir}/nope.yaml`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pipeline file .*nope\.yaml does not exist/);
  });

  it("prints one JSON object per line with --json, ending with the summary", async () => {
    const file = box.write("hello.yaml", hello);
    const r = await weft(box.home, ["run", file, "--param", "count=4", "--json", "--no-cache"]);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    const last = lines.at(-1)!;
    expect(last.type).toBe("summary");
    expect(last.state).toBe("SUCCEEDED");
    expect(typeof last.runId).toBe("string");
    expect(typeof last.durationMs).toBe("number");
    expect(Array.isArray(last.tasks)).toBe(true);
    const body = lines.slice(0, -1);
    expect(body.every((e) => ["run", "task", "log"].includes(String(e.type)))).toBe(true);
    expect(body.every((e) => e.runId === last.runId)).toBe(true);
    const producer = body.filter((e) => e.type === "task" && e.name === "producer").map((e) => e.state);
    expect(producer).toContain("RUNNING");
    expect(producer.at(-1)).toBe("SUCCEEDED");
    expect(body.some((e) => e.type === "run" && e.state === "SUCCEEDED")).toBe(true);
  });

  it("reuses cached results on a second run and says so", async () => {
    const file = box.write("hello.yaml", hello);
    const home = `${box.home}-cache`;
    const first = await weft(home, ["run", file, "--param", "count=5"]);
    expect(first.code).toBe(0);
    const second = await weft(home, ["run", file, "--param", "count=5"]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/producer CACHED/);
    expect(second.stdout).toMatch(/Tasks: 2 cached/);
  });

  it.skipIf(!HAS_SCRIPT)("draws a live task tree with ANSI redraws when stdout is a terminal", async () => {
    const file = box.write("hello.yaml", hello);
    const r = await weftInTerminal(`${box.home}-tty`, ["run", file, "--param", "count=2"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("\x1b[?25l"); // cursor hidden while drawing
    expect(r.stdout).toContain("\x1b[0J"); // frame redrawn in place
    expect(r.stdout).toContain("\x1b[?25h"); // and restored
    const text = plainText(r.stdout);
    expect(text).toMatch(/✔ producer\s+succeeded/);
    expect(text).toMatch(/✔ consumer\s+succeeded/);
    expect(text).toMatch(/Run [0-9a-f-]{36} SUCCEEDED in/);
  });

  it("runs at most --max-parallel tasks at once", async () => {
    const file = box.write(
      "pair.yaml",
      shPipeline("pair", [
        { name: "left", script: "sleep 0.4" },
        { name: "right", script: "sleep 0.4" },
      ]),
    );
    const home = `${box.home}-parallel`;
    // the two tasks are identical: without --no-cache the second, started after the first, is a cache hit
    const r = await weft(home, ["run", file, "--max-parallel", "1", "--no-cache", "--json"]);
    expect(r.code).toBe(0);
    const runId = String(jsonLines(r.stdout).at(-1)?.runId);
    const tasks = JSON.parse((await weft(home, ["runs", "get", runId, "--json"])).stdout).tasks as {
      name: string;
      durationMs: number;
    }[];
    const events = jsonLines(r.stdout).filter((e) => e.type === "task" && (e.name === "left" || e.name === "right"));
    const started = events.filter((e) => e.state === "RUNNING").map((e) => Number(e.startedAt));
    const finished = events.filter((e) => e.state === "SUCCEEDED").map((e) => Number(e.finishedAt));
    expect(started).toHaveLength(2);
    expect(Math.max(...started)).toBeGreaterThanOrEqual(Math.min(...finished));
    expect(tasks.filter((t) => t.name === "left" || t.name === "right")).toHaveLength(2);
    const bad = await weft(home, ["run", file, "--max-parallel", "0"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-parallel expects a positive integer, got "0"/);
  });
});

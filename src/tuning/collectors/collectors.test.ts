import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TuningError } from "../errors.ts";
import {
  compileFilters,
  createLineCollector,
  describeMiss,
  KATIB_DEFAULT_FILTER,
  LineCollector,
  MAX_MATCHED_LINE,
  reduce,
} from "./index.ts";

/** Runs a real trial-like process and returns what it printed on stdout. */
function runTrial(script: string): string {
  const res = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  expect(res.status).toBe(0);
  return res.stdout;
}

const TRIAL_OUTPUT = String.raw`
console.log("Downloading https://example.com/data.csv?loss=0.5&token=abc");
console.log("epoch 3/10");
console.log("lr=1e-3");
console.log("loss = nan");
console.log("val_accuracy=0.80");
console.log("accuracy=0.91 extra");
console.log("2024-05-01T10:00:00.123Z accuracy=0.93 loss=0.21");
console.log("accuracy = -1.5E-2, loss=+0.19");
console.log("accuracy:0.99");
console.log("accuracy==0.5");
console.log("myaccuracy=0.7");
process.stdout.write("loss=0.18\r");
process.stdout.write("loss=0.17");
`;

describe("StdOut collector with Katib's default filter on a real trial's output", () => {
  const out = runTrial(TRIAL_OUTPUT);
  const c = new LineCollector({ metrics: ["accuracy", "loss", "lr"] });
  const fed = c.feed(out);
  const all = [...fed, ...c.end()];

  it("is Katib's filter, verbatim", () => {
    expect(KATIB_DEFAULT_FILTER).toBe("([\\w|-]+)\\s*=\\s*([+-]?\\d*(\\.\\d+)?([Ee][+-]?\\d+)?)");
  });

  it("keeps the asked-for metrics in order, with per-metric steps", () => {
    expect(c.series("accuracy").map((p) => [p.value, p.step])).toEqual([
      [0.91, 0],
      [0.93, 1],
      [-0.015, 2],
    ]);
    // The URL's query string matches Katib's filter too (Katib's own behaviour).
    expect(c.series("loss").map((p) => p.value)).toEqual([0.5, 0.21, 0.19, 0.18, 0.17]);
    expect(c.series("lr").map((p) => p.value)).toEqual([0.001]);
    expect(all).toHaveLength(9);
  });

  it("reads Katib's timestamp prefix", () => {
    expect(c.series("accuracy")[1]?.timestamp).toBe("2024-05-01T10:00:00.123Z");
    expect(c.series("accuracy")[0]?.timestamp).toBeUndefined();
  });

  it("does not take values from lines that must not match", () => {
    const lines = ["epoch 3/10", "loss = nan", "val_accuracy=0.80", "accuracy:0.99", "accuracy==0.5", "myaccuracy=0.7"];
    for (const line of lines) {
      const one = new LineCollector({ metrics: ["accuracy", "loss"] });
      expect(one.collectLine(line), line).toEqual([]);
    }
    // Other metric names are counted, not kept.
    expect(c.stats().names.get("val_accuracy")).toBe(1);
    expect(c.stats().names.get("myaccuracy")).toBe(1);
    expect(c.stats().withoutNumber.get("loss")?.example).toBe("loss = nan");
  });

  it("reduces by strategy", () => {
    expect(reduce(c.series("loss"), "min")).toBe(0.17);
    expect(reduce(c.series("accuracy"), "max")).toBe(0.93);
    expect(reduce(c.series("accuracy"), "latest")).toBe(-0.015);
    expect(reduce([], "min")).toBeUndefined();
  });
});

describe("feeding a running process's output chunk by chunk", () => {
  it("gives the same values as the whole output, whatever the chunk boundaries", async () => {
    const child = spawn(process.execPath, ["-e", TRIAL_OUTPUT], { stdio: ["ignore", "pipe", "inherit"] });
    const streamed = new LineCollector({ metrics: ["accuracy", "loss", "lr"] });
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => streamed.feed(chunk));
    await new Promise((done) => child.on("close", done));
    streamed.end();
    const whole = new LineCollector({ metrics: ["accuracy", "loss", "lr"] });
    whole.feed(runTrial(TRIAL_OUTPUT));
    whole.end();
    for (const m of ["accuracy", "loss", "lr"]) expect(streamed.series(m)).toEqual(whole.series(m));
    // Byte by byte, "\r\n" split across chunks is one line break.
    const bytes = new LineCollector({ metrics: ["loss"] });
    for (const ch of "loss=1\r\nloss=2\rloss=3\r") bytes.feed(ch);
    bytes.end();
    expect(bytes.series("loss").map((p) => p.value)).toEqual([1, 2, 3]);
    expect(bytes.stats().lines).toBe(3);
  });
});

describe("describeMiss", () => {
  it("says what was expected, how many lines were seen and which names matched", () => {
    const out = runTrial(
      `for (let i = 0; i < 4; i++) console.log("epoch " + i + " loss=0." + (9 - i) + " val_acc=0." + i);`,
    );
    const c = new LineCollector({ metrics: ["accuracy", "loss"] });
    c.feed(out);
    c.end();
    const msg = describeMiss("accuracy", c.stats(), { collector: "StdOut" });
    expect(msg).toContain('Metric "accuracy" was not reported (StdOut collector, TEXT)');
    expect(msg).toContain("had 4 lines");
    expect(msg).toContain(KATIB_DEFAULT_FILTER);
    expect(msg).toContain("metrics seen: loss (4), val_acc (4)");
    expect(msg).toContain('Print a line such as "accuracy=0.93"');
  });

  it("tells a diverged metric and a near name apart", () => {
    const c = new LineCollector({ metrics: ["loss"] });
    c.collectLine("train_loss=0.3");
    c.collectLine("loss = nan");
    const msg = describeMiss("loss", c.stats(), { collector: "StdOut" });
    expect(msg).toContain('"loss" matched 1 time without a number (first: loss = nan)');
    expect(msg).toContain('did you mean "train_loss"?');
  });

  it("says an empty metrics file may not have been written", () => {
    const c = new LineCollector({ metrics: ["loss"], format: "JSON" });
    expect(describeMiss("loss", c.stats(), { collector: "File", path: "/tmp/m.json" })).toContain(
      "the metrics file /tmp/m.json was empty or never written",
    );
  });
});

describe("File collector", () => {
  const dir = mkdtempSync(join(tmpdir(), "weft-collectors-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads JSON lines a real process wrote (Katib's format: string values, timestamp; plus numbers and step)", () => {
    const file = join(dir, "metrics.json");
    runTrial(`
      const fs = require("node:fs");
      const f = ${JSON.stringify(file)};
      fs.writeFileSync(f, "");
      fs.appendFileSync(f, JSON.stringify({ accuracy: "0.8", loss: "0.5", timestamp: 1714557600.5 }) + "\\n");
      fs.appendFileSync(f, "not json\\n");
      fs.appendFileSync(f, JSON.stringify({ accuracy: 0.85, step: 10, timestamp: "2024-05-01T10:00:00Z" }) + "\\n");
      fs.appendFileSync(f, JSON.stringify({ accuracy: "nan", other: 1 }) + "\\n");
      fs.appendFileSync(f, JSON.stringify({ accuracy: 0.9 }) + "\\n");
    `);
    const c = createLineCollector({ kind: "File", path: file, format: "JSON", filters: [] }, ["accuracy", "loss"]);
    c.feed(readFileSync(file, "utf8"));
    c.end();
    expect(c.series("accuracy").map((p) => [p.value, p.step])).toEqual([
      [0.8, 0],
      [0.85, 10],
      [0.9, 11],
    ]);
    expect(c.series("accuracy")[0]?.timestamp).toBe("2024-05-01T10:00:00.500Z");
    expect(c.series("loss").map((p) => p.value)).toEqual([0.5]);
    const stats = c.stats();
    expect(stats.unparsable).toBe(1);
    expect(stats.withoutNumber.get("accuracy")?.count).toBe(1);
    expect(describeMiss("f1", stats, { collector: "File", path: file })).toContain('no line had the key "f1"');
  });

  it("reads TEXT with custom filters (RE2 named groups, case-insensitive flag)", () => {
    const c = createLineCollector(
      { kind: "File", path: "/x", format: "TEXT", filters: [String.raw`(?i)(?P<name>\w+):\s*(?P<value>\S+)`] },
      ["acc"],
    );
    expect(c.collectLine("ACC: 0.5").map((p) => p.value)).toEqual([]);
    expect(c.collectLine("acc: 0.75").map((p) => p.value)).toEqual([0.75]);
  });
});

describe("filters", () => {
  it("rejects an invalid expression and one without two groups, naming the field", () => {
    expect(() => compileFilters(["(a"], "f.yaml: spec.metricsCollectorSpec.source.filter.metricsFormat")).toThrow(
      /f\.yaml: spec\.metricsCollectorSpec\.source\.filter\.metricsFormat\[0\]: `\(a` is not a valid/,
    );
    const err = (() => {
      try {
        compileFilters(["ok", "(\\w+)=\\d+"]);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(TuningError);
    expect((err as TuningError).code).toBe("TUNING_SPEC_INVALID");
    expect((err as TuningError).message).toContain("metricsFormat[0]: `ok` has 0 group(s)");
  });

  it("matches what Go's find-all does on the default filter, and stays linear on long lines", () => {
    const goLike = new RegExp(KATIB_DEFAULT_FILTER, "g");
    const ours = compileFilters([])[0] as RegExp;
    const lines = ["a=1 b = 2.5e3 c-d=-.5", "x|y=3", "aa bb=1", "=1 q=", "acc=1.2.3", "k= +4E+2"];
    for (const line of lines) {
      const want = [...line.matchAll(goLike)].map((m) => [m[1], m[2]]);
      expect(
        [...line.matchAll(ours)].map((m) => [m[1], m[2]]),
        line,
      ).toEqual(want);
    }
    const long = `${"a".repeat(200_000)} loss=0.1`;
    const c = new LineCollector({ metrics: ["loss"] });
    // Only the first MAX_MATCHED_LINE characters are matched.
    expect(c.collectLine(long)).toEqual([]);
    expect(MAX_MATCHED_LINE).toBe(8192);
    expect(c.collectLine(`${"a".repeat(8000)} loss=0.1`).map((p) => p.value)).toEqual([0.1]);
  });
});

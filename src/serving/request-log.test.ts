import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { ServingError } from "./errors.ts";
import { createRequestLog, formatRequestLine } from "./request-log.ts";
import type { InferEvent } from "./types.ts";

const dir = mkdtempSync(join(tmpdir(), "weft-request-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event = (over: Partial<InferEvent> = {}): InferEvent => ({
  model: "fraud",
  version: "3",
  role: "primary",
  ok: true,
  queueSeconds: 0.0001,
  computeSeconds: 0.00025,
  totalSeconds: 0.0005,
  ...over,
});

describe("request log", () => {
  it("writes one JSON line per request with time, id, model, version, role, outcome and latency", () => {
    const line = formatRequestLine(
      event({ requestId: "r1", ok: false, error: "INVALID_ARGUMENT: input x" }),
      new Date(Date.UTC(2026, 11, 5, 21, 30)),
    );
    expect(line.endsWith("\n")).toBe(true);
    expect(JSON.parse(line)).toEqual({
      time: "2026-12-05T21:30:00.000Z",
      id: "r1",
      model: "fraud",
      version: "3",
      role: "primary",
      ok: false,
      error: "INVALID_ARGUMENT: input x",
      latency_ms: 0.5,
      queue_ms: 0.1,
      compute_ms: 0.25,
    });
    expect(Object.keys(JSON.parse(formatRequestLine(event())))).not.toContain("id");
  });

  it("appends to a file and keeps what was there", async () => {
    const file = join(dir, "requests.log");
    const first = createRequestLog({ file });
    first.observer.infer?.(event({ requestId: "a" }));
    await first.close();
    const second = createRequestLog({ file });
    second.observer.infer?.(event({ requestId: "b" }));
    await second.close();
    const ids = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).id);
    expect(ids).toEqual(["a", "b"]);
    expect(second.destination).toBe(file);
  });

  it("samples successful requests and logs every failure", () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on("data", (d: Buffer) => chunks.push(d.toString()));
    const draws = [0.05, 0.5, 0.09, 0.95, 0.99];
    const log = createRequestLog({ stream: out, sample: 0.1, random: () => draws.shift() ?? 1 });
    for (let i = 0; i < 5; i++) log.observer.infer?.(event({ requestId: `ok${i}` }));
    log.observer.infer?.(event({ requestId: "bad", ok: false, error: "INTERNAL" }));
    expect(log.written).toBe(3);
    expect(
      chunks
        .join("")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).id),
    ).toEqual(["ok0", "ok2", "bad"]);
    const none = createRequestLog({ stream: new PassThrough(), sample: 0 });
    none.observer.infer?.(event());
    none.observer.infer?.(event({ ok: false, error: "INTERNAL" }));
    expect(none.written).toBe(1);
  });

  it("refuses a sample outside 0..1 and a file it cannot open, naming them", () => {
    expect(() => createRequestLog({ sample: 1.5 })).toThrow(/--log-sample 1.5 must be a fraction from 0 to 1/);
    const missing = join(dir, "no-such-dir", "requests.log");
    let caught: unknown;
    try {
      createRequestLog({ file: missing });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ServingError);
    expect((caught as ServingError).message).toContain(`cannot open the request log ${missing} (ENOENT)`);
  });
});

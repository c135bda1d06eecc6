import { describe, expect, it } from "vitest";
import { MEMORY_UNITS, parseCpuCores, parseDurationMs, parseMemoryBytes } from "./units.ts";

/** Each case: the text and what it parses to (`undefined`: rejected). */
type Cases = ReadonlyArray<readonly [string, number | undefined]>;

function expectAll(parse: (text: string) => number | undefined, cases: Cases): void {
  for (const [text, expected] of cases) expect(parse(text), JSON.stringify(text)).toBe(expected);
}

function expectRejected(parse: (text: string) => number | undefined, texts: readonly string[]): void {
  expectAll(
    parse,
    texts.map((t) => [t, undefined] as const),
  );
}

describe("parseDurationMs", () => {
  it("accepts what the engine's retry and timeout durations accepted", () => {
    expectAll(parseDurationMs, [
      ["1m30s", 90_000],
      ["100ms", 100],
      ["7d", 7 * 86_400_000],
      ["30", 30_000],
      ["1.5", 1500],
      [".5s", 500],
      ["  5m ", 300_000],
    ]);
  });

  it("accepts what the scheduler's Go-style @every durations accepted", () => {
    expectAll(parseDurationMs, [
      ["1h30m", 5_400_000],
      ["90s", 90_000],
      ["1.5h", 5_400_000],
      ["500ms", 500],
      ["1h0m0s", 3_600_000],
    ]);
  });

  it("accepts what the SDK's retry options accepted", () => {
    expectAll(parseDurationMs, [
      ["30s", 30_000],
      ["45", 45_000],
      ["3600s", 3_600_000],
      ["0s", 0],
    ]);
  });

  it("rejects what none of them accepted", () => {
    const rejected = ["", "  ", "soon", "1 hour", "1h 30m", "5x", "-5s", "s", "1h30", "1w", "1S", "1.2.3s"];
    expectRejected(parseDurationMs, rejected);
  });
});

describe("parseMemoryBytes", () => {
  it("reads decimal and binary suffixes with one table", () => {
    expectAll(parseMemoryBytes, [
      ["1G", 1e9],
      ["4Gi", 4 * 2 ** 30],
      ["512Mi", 512 * 2 ** 20],
      ["1.5Gi", 1.5 * 2 ** 30],
      ["2k", 2000],
      ["2K", 2000],
      ["1Ei", 2 ** 60],
      ["1000", 1000],
      ["1e9", 1e9],
      [" 4 G ", 4e9],
    ]);
    expect(Object.keys(MEMORY_UNITS).sort()).toEqual(
      ["", "E", "Ei", "G", "Gi", "K", "Ki", "M", "Mi", "P", "Pi", "T", "Ti", "k"].sort(),
    );
  });

  it("rejects other text", () => {
    expectRejected(parseMemoryBytes, ["", "4 GB", "lots", "1ki", "1Xi", "-1G", "G"]);
  });
});

describe("parseCpuCores", () => {
  it("reads cores and millicores, and rejects other text", () => {
    expectAll(parseCpuCores, [
      ["500m", 0.5],
      ["2", 2],
      ["1.5", 1.5],
      [" 250m ", 0.25],
      ["", undefined],
      ["lots", undefined],
      ["2 cores", undefined],
      ["1k", undefined],
      ["m", undefined],
    ]);
  });
});

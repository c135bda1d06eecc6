import { describe, expect, it } from "vitest";
import { colorsFor, formatDuration, formatNumber, renderTable, stateSymbol, stripAnsi } from "./format.ts";

describe("format", () => {
  it("formats durations at every scale", () => {
    expect(formatDuration(undefined)).toBe("-");
    expect(formatDuration(850)).toBe("850ms");
    expect(formatDuration(1234)).toBe("1.2s");
    expect(formatDuration(184_000)).toBe("3m04s");
    expect(formatDuration(3_720_000)).toBe("1h02m");
  });

  it("aligns table columns, ignoring colour codes", () => {
    const c = { ...colorsFor({ isTTY: false }) };
    const red = (s: string) => `\x1b[31m${s}\x1b[39m`;
    const out = renderTable(
      ["A", "BB", "C"],
      [
        [red("long-value"), "x", "1"],
        ["s", "yy", "22"],
      ],
    );
    const lines = stripAnsi(out).split("\n");
    expect(lines).toEqual(["A           BB  C", "long-value  x   1", "s           yy  22"]);
    expect(c.enabled).toBe(false);
  });

  it("colours states only when colour is on", () => {
    const plain = colorsFor({ isTTY: false });
    expect(stateSymbol("FAILED", plain)).toBe("✖");
    const prev = process.env.FORCE_COLOR;
    process.env.FORCE_COLOR = "1";
    try {
      expect(stateSymbol("FAILED", colorsFor({ isTTY: false }))).toBe("\x1b[31m✖\x1b[39m");
    } finally {
      if (prev === undefined) delete process.env.FORCE_COLOR;
      else process.env.FORCE_COLOR = prev;
    }
    expect(formatNumber(0.123456789)).toBe("0.123457");
    expect(formatNumber(42)).toBe("42");
  });
});

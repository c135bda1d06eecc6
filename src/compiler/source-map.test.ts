import { describe, expect, it } from "vitest";
import { inlineSourceMapComment, trimSourceMap } from "./source-map.ts";

// "AAAA" = [0,0,0,0]; segments below are written as deltas, as in a real map
const map = {
  version: 3,
  sources: ["weft/src/executor.ts", "components/train.ts"],
  names: ["run", "helper"],
  // line 0: col 0 → executor 0:0; col 10 → train 4:2 (name run); col 20 → train 4:8;
  //         col 30 → executor 7:0; col 40 → executor 9:0; col 50 → train 10:0
  mappings: "AAAA,UCIEA,UAAM,UDGR,UAEA,UCCA",
};

describe("trimSourceMap", () => {
  it("keeps the project's sources, collapses a line's positions and marks the rest unmapped", () => {
    const out = trimSourceMap(map, { keep: (s) => s.startsWith("components/") });
    expect(out.sources).toEqual(["components/train.ts"]);
    expect(out.names).toEqual(["run"]);
    // col 0 unmapped; col 10 → train 4:2 run; (col 20 same line, dropped); col 30 unmapped
    // (col 40 still unmapped, dropped); col 50 → train 10:0 (deltas: +20 columns, +6 lines, -2 columns)
    expect(out.mappings).toBe("A,UAIEA,oB,oBAMF");
    expect(out).not.toHaveProperty("sourcesContent");
  });

  it("moves generated columns past text inserted after bundling", () => {
    const out = trimSourceMap(map, {
      keep: (s) => s.startsWith("components/"),
      insertions: new Map([[0, [15, 45]]]),
      growth: 3,
    });
    // col 10 stays; col 30 → 33; col 50 → 56 (+23 columns each time)
    expect(out.mappings).toBe("A,UAIEA,uB,uBAMF");
  });

  it("leaves a map without kept positions empty", () => {
    const out = trimSourceMap(map, { keep: () => false });
    expect(out.sources).toEqual([]);
    expect(out.mappings).toBe("");
    expect(inlineSourceMapComment(out)).toMatch(/^\/\/# sourceMappingURL=data:application\/json;base64,/);
  });
});

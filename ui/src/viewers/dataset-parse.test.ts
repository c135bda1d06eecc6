import { describe, expect, it } from "vitest";
import { parseCsv, previewText, sniffFormat } from "./dataset-parse.ts";

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("dataset preview parsing", () => {
  it("parses quoted CSV fields, escaped quotes and CRLF", () => {
    expect(parseCsv('a,b\r\n1,"x, ""y"""\r\n2,"multi\nline"\n', 10)).toEqual([
      ["a", "b"],
      ["1", 'x, "y"'],
      ["2", "multi\nline"],
    ]);
  });

  it("stops after the row limit and marks the preview truncated", () => {
    const text = `id\n${Array.from({ length: 100 }, (_, i) => i).join("\n")}\n`;
    const p = previewText("csv", text, 5, true);
    expect(p.columns).toEqual(["id"]);
    expect(p.rows).toEqual([["0"], ["1"], ["2"], ["3"], ["4"]]);
    expect(p.truncated).toBe(true);
  });

  it("drops the cut-off last line of a partial file", () => {
    const p = previewText("csv", "a,b\n1,2\n3,4\n5,", 10, false);
    expect(p.rows).toEqual([
      ["1", "2"],
      ["3", "4"],
    ]);
    const j = previewText("jsonl", '{"a":1}\n{"a":2,"b":"x"}\n{"a":', 10, false);
    expect(j.columns).toEqual(["a", "b"]);
    expect(j.rows).toEqual([
      ["1", ""],
      ["2", "x"],
    ]);
  });

  it("previews JSON arrays and falls back to text", () => {
    const p = previewText("json", '[{"k":1},{"k":{"n":2}}]', 10, true);
    expect(p).toMatchObject({ format: "json", columns: ["k"], rows: [["1"], ['{"n":2}']], totalRows: 2 });
    expect(previewText("text", "hello\nworld", 10, true).rows).toEqual([["hello"], ["world"]]);
  });

  it("sniffs the format from the name and the first bytes", () => {
    expect(sniffFormat("x.parquet", bytes(""))).toBe("parquet");
    expect(sniffFormat("data", bytes("PAR1\0\0"))).toBe("parquet");
    expect(sniffFormat("data", bytes('{"a":1}\n{"a":2}\n'))).toBe("jsonl");
    expect(sniffFormat("data", bytes('{\n "a": 1\n}'))).toBe("json");
    expect(sniffFormat("data", bytes("a,b\n1,2\n"))).toBe("csv");
    expect(sniffFormat("notes", bytes("just words"))).toBe("text");
    expect(sniffFormat("features", new Uint8Array([0x57, 0x46, 0x54, 0x01, 0x00, 0x9f]))).toBe("binary");
    expect(previewText("binary", "", 10, true).rows).toEqual([]);
  });
});

describe("Parquet preview", () => {
  it("reads the first rows and the row count of a Parquet file", async () => {
    const { writeParquet } = await import("../../e2e/parquet-writer.ts");
    const { previewParquet } = await import("./dataset-parse.ts");
    const n = 120;
    const file = writeParquet([
      { name: "id", values: Array.from({ length: n }, (_, i) => i) },
      { name: "amount", values: Array.from({ length: n }, (_, i) => i * 1.5) },
      { name: "city", values: Array.from({ length: n }, (_, i) => (i % 2 ? "Oslo" : "Lima")) },
    ]);
    expect(sniffFormat("data", file)).toBe("parquet");
    const p = await previewParquet(
      file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer,
      3,
    );
    expect(p).toEqual({
      format: "parquet",
      columns: ["id", "amount", "city"],
      rows: [
        ["0", "0", "Lima"],
        ["1", "1.5", "Oslo"],
        ["2", "3", "Lima"],
      ],
      totalRows: 120,
      truncated: true,
    });
  });
});

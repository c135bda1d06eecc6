/**
 * Parsing the first rows of a dataset for preview: CSV (quoted fields, CRLF), JSON lines,
 * and Parquet (via hyparquet). Pure functions, so they are unit-tested without a browser.
 */
import { parquetMetadata, parquetReadObjects } from "hyparquet";

/** A preview table. */
export interface Preview {
  format: "csv" | "jsonl" | "parquet" | "json" | "text" | "binary";
  columns: string[];
  rows: string[][];
  /** Rows in the whole file when known (Parquet). */
  totalRows?: number;
  truncated: boolean;
}

/** Whether the first bytes look like binary data rather than text (NUL or many control bytes). */
export function isBinary(head: Uint8Array): boolean {
  const n = Math.min(head.length, 1024);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = head[i] as number;
    if (b === 0) return true;
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  return n > 0 && control / n > 0.1;
}

/** Guesses the format from the file name and its first bytes. */
export function sniffFormat(name: string, head: Uint8Array): Preview["format"] {
  const lower = name.toLowerCase();
  if (lower.endsWith(".parquet") || (head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31))
    return "parquet";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  if (lower.endsWith(".csv") || lower.endsWith(".tsv")) return "csv";
  if (isBinary(head)) return "binary";
  const text = new TextDecoder().decode(head.subarray(0, 512)).trimStart();
  if (text.startsWith("{")) {
    const firstLine = text.split("\n", 1)[0] ?? "";
    try {
      JSON.parse(firstLine);
      return "jsonl";
    } catch {
      return "json";
    }
  }
  if (text.startsWith("[")) return "json";
  if (/^[^\n]*,[^\n]*\n/.test(text)) return "csv";
  return "text";
}

/** Splits CSV text into records (RFC 4180 quoting); stops after `maxRows` records. */
export function parseCsv(text: string, maxRows: number, delimiter = ","): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      field = "";
      rows.push(row);
      row = [];
      if (rows.length >= maxRows) return rows;
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const cellText = (v: unknown): string => {
  if (v === null || v === undefined) return "";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "object") return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
  return String(v);
};

function fromObjects(objects: Array<Record<string, unknown>>): { columns: string[]; rows: string[][] } {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    for (const k of Object.keys(o)) {
      if (seen.has(k)) continue;
      seen.add(k);
      columns.push(k);
    }
  }
  return { columns, rows: objects.map((o) => columns.map((c) => cellText(o[c]))) };
}

/** Previews text content (CSV, JSON lines, JSON array). `complete` says whether the text is the whole file. */
export function previewText(format: Preview["format"], text: string, maxRows: number, complete: boolean): Preview {
  if (format === "binary") return { format, columns: [], rows: [], truncated: false };
  if (format === "csv") {
    const delimiter = text.split("\n", 1)[0]?.includes("\t") && !text.split("\n", 1)[0]?.includes(",") ? "\t" : ",";
    const records = parseCsv(complete ? text : text.slice(0, text.lastIndexOf("\n") + 1), maxRows + 1, delimiter);
    const [header = [], ...rows] = records;
    return { format, columns: header, rows, truncated: !complete || rows.length >= maxRows };
  }
  if (format === "jsonl") {
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    if (!complete) lines.pop();
    const objects = lines.slice(0, maxRows).map((l, i) => {
      try {
        const v = JSON.parse(l) as unknown;
        return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
      } catch {
        return { [`line ${i + 1}`]: l };
      }
    });
    return { format, ...fromObjects(objects), truncated: !complete || lines.length > maxRows };
  }
  if (format === "json" && complete) {
    try {
      const v = JSON.parse(text) as unknown;
      if (Array.isArray(v)) {
        const objects = v
          .slice(0, maxRows)
          .map((x) =>
            x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : { value: x },
          );
        return { format, ...fromObjects(objects), totalRows: v.length, truncated: v.length > maxRows };
      }
    } catch {
      // shown as text below
    }
  }
  const lines = text.split("\n").slice(0, maxRows);
  return { format: "text", columns: ["line"], rows: lines.map((l) => [l]), truncated: !complete };
}

/** Previews the first rows of a Parquet file. */
export async function previewParquet(file: ArrayBuffer, maxRows: number): Promise<Preview> {
  const meta = parquetMetadata(file);
  const total = Number(meta.num_rows);
  const objects = (await parquetReadObjects({ file, rowStart: 0, rowEnd: Math.min(maxRows, total) })) as Array<
    Record<string, unknown>
  >;
  const columns = meta.schema
    .slice(1)
    .filter((s) => !s.num_children)
    .map((s) => s.name);
  return {
    format: "parquet",
    columns,
    rows: objects.map((o) => columns.map((c) => cellText(o[c]))),
    totalRows: total,
    truncated: total > maxRows,
  };
}

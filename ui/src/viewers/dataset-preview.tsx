/** The first rows of a dataset (CSV, JSON lines, Parquet; a directory shows its first data file). */
import type { Artifact } from "../api/index.ts";
import { ErrorAlert, Loading } from "../components/ui.tsx";
import { useAsync } from "../components/use-async.ts";
import { readContent } from "./content.ts";
import { type Preview, previewParquet, previewText, sniffFormat } from "./dataset-parse.ts";

const ROWS = 50;
const HEAD_BYTES = 256 * 1024;
const PARQUET_MAX = 64 * 1024 * 1024;
const DATA_EXT = [".parquet", ".csv", ".jsonl", ".ndjson", ".json", ".tsv"];

async function load(a: Artifact): Promise<{ preview: Preview; file?: string; entries?: string[] }> {
  let path: string | undefined;
  let entries: string[] | undefined;
  let c = await readContent(a.artifact_id, undefined, HEAD_BYTES);
  if (c.kind === "dir") {
    entries = c.entries;
    path = c.entries.find((e) => DATA_EXT.some((x) => e.toLowerCase().endsWith(x))) ?? c.entries[0];
    if (!path) return { preview: { format: "text", columns: [], rows: [], truncated: false }, entries };
    c = await readContent(a.artifact_id, path, HEAD_BYTES);
    if (c.kind === "dir")
      return {
        preview: { format: "text", columns: ["entry"], rows: c.entries.map((e) => [e]), truncated: false },
        entries,
      };
  }
  const name = path ?? a.uri;
  const format = sniffFormat(name, c.bytes);
  if (format === "parquet") {
    if ((c.size ?? 0) > PARQUET_MAX) throw new Error(`The Parquet file is ${c.size} bytes; download it to inspect it.`);
    const full = c.complete ? c : await readContent(a.artifact_id, path, PARQUET_MAX);
    if (full.kind !== "file") throw new Error("Expected a Parquet file.");
    const buf = full.bytes.buffer.slice(
      full.bytes.byteOffset,
      full.bytes.byteOffset + full.bytes.byteLength,
    ) as ArrayBuffer;
    return {
      preview: await previewParquet(buf, ROWS),
      ...(path ? { file: path } : {}),
      ...(entries ? { entries } : {}),
    };
  }
  const text = new TextDecoder().decode(c.bytes);
  return {
    preview: previewText(format, text, ROWS, c.complete),
    ...(path ? { file: path } : {}),
    ...(entries ? { entries } : {}),
  };
}

/** The viewer. */
export function DatasetPreview({ artifact }: { artifact: Artifact }): React.JSX.Element {
  const data = useAsync(() => load(artifact), [artifact.artifact_id]);
  if (data.error) return <ErrorAlert error={data.error} />;
  if (!data.data) return <Loading label="Reading the first rows" />;
  const { preview, file, entries } = data.data;
  if (preview.format === "binary") {
    return (
      <p className="muted" data-testid="dataset-preview" data-format="binary">
        {file ? `${file} is` : "This dataset is"} binary data in a format the preview cannot read; download it to
        inspect it.
      </p>
    );
  }
  return (
    <div data-testid="dataset-preview" data-format={preview.format}>
      <p className="small muted">
        {preview.format.toUpperCase()}
        {file ? ` · ${file}` : ""}
        {entries && entries.length > 1 ? ` · ${entries.length} files` : ""} · first {preview.rows.length} rows
        {preview.totalRows !== undefined
          ? ` of ${preview.totalRows.toLocaleString()}`
          : preview.truncated
            ? " (more in the file)"
            : ""}
      </p>
      <div className="table-wrap" style={{ maxHeight: 360 }}>
        <table className="table">
          <thead>
            <tr>
              {preview.columns.map((c) => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((r, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional
              <tr key={i}>
                {r.map((v, j) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                  <td key={j} className="mono">
                    {v.length > 80 ? `${v.slice(0, 79)}…` : v}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

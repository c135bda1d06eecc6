/**
 * The file name a download is saved under. A task writes its output to a path named after
 * the output (`.../onnx_model`), so the name often has no extension; one is chosen from
 * what is known about the artifact, in order: the file's own name, the artifact's metadata
 * (`file_extension`, `framework`, `format`), its type (HTML, Markdown, metrics) and the
 * file's first bytes (zip, gzip, PDF, PNG, JPEG, Parquet, JSON, CSV, text). A directory is
 * sent as `NAME.tar`.
 */
import { extname } from "node:path";
import type { Artifact } from "../store/index.ts";

const FRAMEWORKS: Record<string, string> = {
  onnx: ".onnx",
  pytorch: ".pt",
  torch: ".pt",
  keras: ".keras",
  tflite: ".tflite",
  pmml: ".pmml",
  joblib: ".joblib",
  pickle: ".pkl",
  safetensors: ".safetensors",
};

const FORMATS: Record<string, string> = {
  csv: ".csv",
  tsv: ".tsv",
  json: ".json",
  jsonl: ".jsonl",
  ndjson: ".jsonl",
  parquet: ".parquet",
  txt: ".txt",
  text: ".txt",
  npy: ".npy",
  npz: ".npz",
  zip: ".zip",
  html: ".html",
  markdown: ".md",
  md: ".md",
  onnx: ".onnx",
  arrow: ".arrow",
  avro: ".avro",
};

const SCHEMAS: Record<string, string> = {
  "system.HTML": ".html",
  "system.Markdown": ".md",
  "system.Metrics": ".json",
  "system.ClassificationMetrics": ".json",
  "system.SlicedClassificationMetrics": ".json",
};

function fromMetadata(metadata: Artifact["metadata"]): string | undefined {
  const explicit = metadata.file_extension ?? metadata.extension;
  if (typeof explicit === "string" && /^\.?[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/.test(explicit)) {
    return explicit.startsWith(".") ? explicit : `.${explicit}`;
  }
  for (const [key, table] of [
    ["framework", FRAMEWORKS],
    ["format", FORMATS],
  ] as const) {
    const v = metadata[key];
    if (typeof v === "string") {
      const ext = table[v.trim().toLowerCase()];
      if (ext) return ext;
    }
  }
  return undefined;
}

function isText(head: Uint8Array): boolean {
  for (const b of head) if (b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d)) return false;
  return true;
}

function fromContent(head: Uint8Array): string | undefined {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (head.length === 0) return undefined;
  if (starts(0x50, 0x4b, 0x03, 0x04)) return ".zip";
  if (starts(0x1f, 0x8b)) return ".gz";
  if (starts(0x25, 0x50, 0x44, 0x46)) return ".pdf";
  if (starts(0x89, 0x50, 0x4e, 0x47)) return ".png";
  if (starts(0xff, 0xd8, 0xff)) return ".jpg";
  if (starts(0x50, 0x41, 0x52, 0x31)) return ".parquet";
  if (!isText(head)) return undefined;
  const text = Buffer.from(head).toString("utf8").trimStart();
  if (text.startsWith("{") || text.startsWith("[")) return ".json";
  if (/^<(!doctype html|html)/i.test(text)) return ".html";
  const lines = text.split(/\r?\n/).filter((l) => l !== "");
  const first = lines[0] ?? "";
  if (first.includes(",") && lines.slice(1, 4).every((l) => l.includes(","))) return ".csv";
  if (first.includes("\t") && lines.slice(1, 4).every((l) => l.includes("\t"))) return ".tsv";
  return ".txt";
}

/**
 * The name to save `artifact` (or `base`, a file inside it) under: `base` when it has an
 * extension, else `base` with the extension the artifact's metadata, type or first bytes
 * (`head`) suggest; `base.tar` for a directory.
 */
export function downloadName(
  artifact: Artifact,
  base: string,
  what: { directory: true } | { directory: false; head: Uint8Array; inside: boolean },
): string {
  if (what.directory) return `${base}.tar`;
  if (extname(base) !== "" && !base.startsWith(".")) return base;
  const ext =
    (what.inside ? undefined : (fromMetadata(artifact.metadata) ?? SCHEMAS[artifact.schemaTitle])) ??
    fromContent(what.head);
  return ext ? `${base}${ext}` : base;
}

/**
 * A `Content-Disposition: attachment` value for `name`: a plain `filename` with anything
 * outside printable ASCII (and `"`, `\`) replaced by `_`, and `filename*` (RFC 5987) with
 * the exact UTF-8 name when the two differ.
 */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  if (ascii === name) return `attachment; filename="${name}"`;
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

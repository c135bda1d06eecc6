/**
 * Reading artifact content for viewers: the head of a file (stops reading after a byte
 * limit, so a large dataset is not downloaded for a preview), or a directory listing.
 */
import { artifactContentUrl, errorFromResponse } from "../api/index.ts";

/** What an artifact path holds. */
export type Content =
  | { kind: "dir"; entries: string[] }
  | { kind: "file"; bytes: Uint8Array; complete: boolean; size: number | undefined };

/** Reads up to `maxBytes` of an artifact (or a file inside a directory artifact). */
export async function readContent(
  id: string,
  path: string | undefined,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<Content> {
  const res = await fetch(artifactContentUrl(id, path), signal ? { signal } : {});
  if (!res.ok) throw await errorFromResponse(res);
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("application/json") && !res.headers.get("content-disposition")) {
    const body = (await res.json()) as { entries?: string[] };
    return { kind: "dir", entries: body.entries ?? [] };
  }
  const size = Number(res.headers.get("content-length") ?? Number.NaN);
  const reader = res.body?.getReader();
  if (!reader) {
    const all = new Uint8Array(await res.arrayBuffer());
    return { kind: "file", bytes: all.subarray(0, maxBytes), complete: all.length <= maxBytes, size: all.length };
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  let complete = true;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.length;
    if (total >= maxBytes) {
      complete = total === size;
      if (!complete) await reader.cancel();
      break;
    }
  }
  const bytes = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    bytes.set(c, off);
    off += c.length;
  }
  return { kind: "file", bytes, complete, size: Number.isFinite(size) ? size : total };
}

/** Reads a text file (directory artifacts: the first file with one of `prefer`'s extensions). */
export async function readText(
  id: string,
  maxBytes: number,
  prefer: string[],
): Promise<{ text: string; complete: boolean; path?: string }> {
  const c = await readContent(id, undefined, maxBytes);
  if (c.kind === "file") return { text: new TextDecoder().decode(c.bytes), complete: c.complete };
  const entry = c.entries.find((e) => prefer.some((p) => e.toLowerCase().endsWith(p))) ?? c.entries[0];
  if (!entry) return { text: "", complete: true };
  const f = await readContent(id, entry, maxBytes);
  if (f.kind !== "file") return { text: "", complete: true, path: entry };
  return { text: new TextDecoder().decode(f.bytes), complete: f.complete, path: entry };
}

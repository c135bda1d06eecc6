/** The one presentation of `weft artifacts list` over an {@link ArtifactSource}, local or remote. */
import type { ArtifactListPage, ArtifactSource } from "./artifact-source.ts";
import { artifactType } from "./artifact-source.ts";
import { CliError } from "./errors.ts";
import { colorsFor, formatTime, renderTable } from "./format.ts";

/** Options of `weft artifacts list`. */
export interface ArtifactsListOptions {
  run?: string;
  type?: string;
  name?: string;
  limit: number;
  /** `table` (default) or `json`. */
  output?: string;
  json?: boolean;
}

/** Bytes as `812 B`, `1.2 KiB`, `3.4 MiB`; `-` when unknown. */
export function formatSize(bytes: number | undefined): string {
  if (bytes === undefined) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** Lists artifacts from `source`; returns the exit code. */
export async function showArtifactList(source: ArtifactSource, opts: ArtifactsListOptions): Promise<number> {
  const format = opts.json ? "json" : (opts.output ?? "table");
  if (format !== "table" && format !== "json") {
    throw new CliError("BAD_OPTION", `-o ${format} is not an output format; use -o table or -o json`);
  }
  const page = await source.listArtifacts({
    limit: opts.limit,
    ...(opts.run !== undefined ? { run: opts.run } : {}),
    ...(opts.type !== undefined ? { type: artifactType(opts.type) } : {}),
    ...(opts.name !== undefined ? { name: opts.name } : {}),
  });
  if (format === "json") {
    process.stdout.write(`${JSON.stringify({ artifacts: page.items.map((a) => a.doc), totalSize: page.totalSize })}\n`);
    return 0;
  }
  process.stdout.write(renderArtifactList(source, page));
  return 0;
}

function renderArtifactList(source: ArtifactSource, page: ArtifactListPage): string {
  if (page.items.length === 0) return `no artifacts ${source.where}\n`;
  const c = colorsFor(process.stdout);
  const rows = page.items.map((a) => [
    a.id,
    a.name,
    a.type.replace(/^system\./, ""),
    a.runName ? `${a.runName} (${a.runId.slice(0, 8)})` : a.runId,
    (a.task ?? "-").replace(/^root\//, ""),
    formatSize(a.sizeBytes),
    formatTime(a.createdAt),
  ]);
  let text = `${renderTable(["ARTIFACT ID", "NAME", "TYPE", "RUN", "TASK", "SIZE", "CREATED"], rows)}\n`;
  if (page.totalSize > page.items.length) {
    text += c.gray(`(${page.items.length} of ${page.totalSize}; use --limit to see more)\n`);
  }
  return text;
}

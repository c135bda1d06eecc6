/**
 * Streaming content digests: sha256 of a file, and a canonical sha256 over a directory
 * tree. Content is streamed in 1 MiB chunks, never read whole, so multi-gigabyte artifacts
 * digest in constant memory. Symbolic links are never followed: inside a tree a link is a
 * member whose content is its link text; a link given as the artifact itself is reported
 * as such ({@link digestArtifact}) so the caller can refuse it.
 */
import { createHash, type Hash } from "node:crypto";
import { constants } from "node:fs";
import { lstat, open, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";

/** One member of a directory tree, with a `/`-separated path relative to the tree's root. */
export interface TreeEntry {
  relPath: string;
  kind: "file" | "directory" | "symlink";
  size: number;
}

const CHUNK = 1024 * 1024;

/** Members of a tree, depth-first, sorted by name at every level; links are listed, never entered. */
async function* entriesOf(root: string, prefix = ""): AsyncGenerator<TreeEntry> {
  const names = (await readdir(join(root, prefix))).sort();
  for (const name of names) {
    const relPath = prefix === "" ? name : `${prefix}/${name}`;
    const stat = await lstat(join(root, relPath));
    if (stat.isSymbolicLink()) {
      yield { relPath, kind: "symlink", size: 0 };
    } else if (stat.isDirectory()) {
      yield { relPath, kind: "directory", size: 0 };
      yield* entriesOf(root, relPath);
    } else if (stat.isFile()) {
      yield { relPath, kind: "file", size: stat.size };
    }
  }
}

/** Lists a directory tree depth-first with entries sorted by name at every level, so the order is stable. */
export async function walkTree(root: string): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  for await (const entry of entriesOf(root)) entries.push(entry);
  return entries;
}

/** Streams a regular file into the hash; a link put in its place meanwhile is refused (`O_NOFOLLOW`). */
async function feedFile(hash: Hash, path: string): Promise<number> {
  let size = 0;
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  const source = handle.createReadStream({ highWaterMark: CHUNK });
  await pipeline(source, async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) {
      hash.update(chunk);
      size += chunk.length;
    }
  });
  return size;
}

/** Hex sha256 of one file's content (equal to `sha256sum`), streamed. */
export async function digestFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  await feedFile(hash, path);
  return hash.digest("hex");
}

async function treeDigest(root: string): Promise<{ hex: string; sizeBytes: number }> {
  const hash = createHash("sha256");
  hash.update("weft-tree-v1\0");
  let sizeBytes = 0;
  for await (const entry of entriesOf(root)) {
    hash.update(`${entry.kind}\0${entry.relPath}\0${entry.size}\0`);
    const path = join(root, entry.relPath);
    if (entry.kind === "file") sizeBytes += await feedFile(hash, path);
    if (entry.kind === "symlink") hash.update(`${await readlink(path)}\0`);
  }
  return { hex: hash.digest("hex"), sizeBytes };
}

/**
 * Hex sha256 over a directory tree: `weft-tree-v1 NUL`, then for each member in sorted
 * order (depth-first, names relative to the tree's root, `/`-separated) a header
 * `kind NUL path NUL size NUL` followed by a file's content, or a link's text and NUL (the
 * link is not followed). Equal trees give equal digests wherever they are stored;
 * renaming, retyping or changing any member changes it.
 */
export async function digestTree(root: string): Promise<string> {
  return (await treeDigest(root)).hex;
}

/** What {@link digestArtifact} found at a path. */
export type ArtifactDigest =
  | { kind: "file" | "directory"; digest: string; sizeBytes: number }
  | { kind: "symlink"; target: string }
  | { kind: "other" };

/**
 * The one content digest of an artifact on disk, used by the engine (outputs, importer,
 * cache, lineage) and the artifact store: `sha256:<hex>` of a file's bytes (equal to
 * `sha256sum`), or of the canonical tree ({@link digestTree}) of a directory, with the size
 * in bytes (a directory's is the sum of its files). Streams; never follows a link. A link
 * or a special file (FIFO, socket, device) at `path` itself is reported, not digested, so
 * the caller can refuse it; `undefined` when nothing is there.
 */
export async function digestArtifact(path: string): Promise<ArtifactDigest | undefined> {
  let stat: Awaited<ReturnType<typeof lstat>>;
  try {
    stat = await lstat(path);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT" || (cause as NodeJS.ErrnoException).code === "ENOTDIR") {
      return undefined;
    }
    throw cause;
  }
  if (stat.isSymbolicLink()) return { kind: "symlink", target: await readlink(path) };
  if (stat.isDirectory()) {
    const { hex, sizeBytes } = await treeDigest(path);
    return { kind: "directory", digest: `sha256:${hex}`, sizeBytes };
  }
  if (!stat.isFile()) return { kind: "other" };
  const hash = createHash("sha256");
  const sizeBytes = await feedFile(hash, path);
  return { kind: "file", digest: `sha256:${hash.digest("hex")}`, sizeBytes };
}

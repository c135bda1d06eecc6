/**
 * Streaming content digests: sha256 of a file, and a stable sha256 over a directory tree.
 * Content is streamed, never read whole, so multi-gigabyte artifacts digest in constant memory.
 */
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";

/** One member of a directory tree, with a `/`-separated path relative to the tree's root. */
export interface TreeEntry {
  relPath: string;
  kind: "file" | "directory" | "symlink";
  size: number;
}

/** Lists a directory tree depth-first with entries sorted by name at every level, so the order is stable. */
export async function walkTree(root: string, prefix = ""): Promise<TreeEntry[]> {
  const names = (await readdir(join(root, prefix))).sort();
  const entries: TreeEntry[] = [];
  for (const name of names) {
    const relPath = prefix === "" ? name : `${prefix}/${name}`;
    const stat = await lstat(join(root, relPath));
    if (stat.isDirectory()) {
      entries.push({ relPath, kind: "directory", size: 0 });
      entries.push(...(await walkTree(root, relPath)));
    } else if (stat.isSymbolicLink()) {
      entries.push({ relPath, kind: "symlink", size: 0 });
    } else if (stat.isFile()) {
      entries.push({ relPath, kind: "file", size: stat.size });
    }
  }
  return entries;
}

async function feedFile(hash: Hash, path: string): Promise<void> {
  await pipeline(createReadStream(path), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) hash.update(chunk);
  });
}

/** Hex sha256 of one file's content (equal to `sha256sum`). */
export async function digestFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  await feedFile(hash, path);
  return hash.digest("hex");
}

/**
 * Hex sha256 over a directory tree: for each member in sorted order a header
 * (`kind NUL path NUL size NUL`) followed by a file's content or a link's target. Equal
 * trees give equal digests wherever they are stored; renaming or changing any member changes it.
 */
export async function digestTree(root: string): Promise<string> {
  const hash = createHash("sha256");
  hash.update("weft-tree-v1\0");
  for (const entry of await walkTree(root)) {
    hash.update(`${entry.kind}\0${entry.relPath}\0${entry.size}\0`);
    const path = join(root, entry.relPath);
    if (entry.kind === "file") await feedFile(hash, path);
    if (entry.kind === "symlink") hash.update(`${await readlink(path)}\0`);
  }
  return hash.digest("hex");
}

/**
 * Writing a downloaded model to the path the user gave, for both sources: the path is
 * refused when it exists (unless `--force`), nothing is written outside it (a directory's
 * members are plain names checked one by one, links are never copied or followed), and
 * the digest of what was written is checked against the one recorded at registration; on
 * a mismatch what was written is removed and the download is refused.
 */
import { constants, copyFileSync, createWriteStream, lstatSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { digestArtifact } from "../artifacts/index.ts";
import { CliError, ExitCode } from "./errors.ts";
import { type DownloadResult, type ModelVersionView, versionUri } from "./model-source.ts";

/** Makes room for `dest`: refused when it exists unless `force`, which removes it first. */
export function prepareDestination(dest: string, force: boolean): void {
  let exists = false;
  try {
    lstatSync(dest);
    exists = true;
  } catch {
    exists = false;
  }
  if (exists) {
    if (!force)
      throw new CliError("OUTPUT_EXISTS", `${dest} already exists; choose another path with -o or pass --force`);
    rmSync(dest, { recursive: true, force: true });
  }
  mkdirSync(dirname(dest), { recursive: true });
}

/** A member name of a directory that stays inside it: no separator, not `.` or `..`. */
export function safeMemberName(name: string, where: string): string {
  if (name === "" || name === "." || name === ".." || /[/\\\0]/.test(name)) {
    throw new CliError(
      "MODEL_CONTENT_MISSING",
      `${where} holds an entry named ${JSON.stringify(name)}, which would be written outside the download path; nothing more is written`,
      { exitCode: ExitCode.failed },
    );
  }
  return name;
}

/**
 * Copies a file or a directory tree from `src` to `dest` (which must not exist), never
 * following a link: a link or special file anywhere in the source refuses the copy.
 */
export function copyModelContent(src: string, dest: string, label: string): "file" | "directory" {
  const st = lstatSync(src);
  if (st.isSymbolicLink() || (!st.isFile() && !st.isDirectory())) {
    throw new CliError(
      "MODEL_CONTENT_MISSING",
      `${label} at ${src} is ${st.isSymbolicLink() ? "a symbolic link" : "not a regular file or directory"}; links are never followed or copied`,
      { exitCode: ExitCode.failed },
    );
  }
  if (st.isFile()) {
    copyFileSync(src, dest, constants.COPYFILE_EXCL);
    return "file";
  }
  mkdirSync(dest);
  for (const name of readdirSync(src).sort()) {
    safeMemberName(name, label);
    copyModelContent(join(src, name), join(dest, name), label);
  }
  return "directory";
}

/** Writes one downloaded file below the download path from a stream (the parent folders are made). */
export async function streamMember(
  dest: string,
  relParts: string[],
  body: ReadableStream<Uint8Array>,
  label: string,
): Promise<void> {
  const parts = relParts.map((p) => safeMemberName(p, label));
  const path = join(dest, ...parts);
  mkdirSync(dirname(path), { recursive: true });
  await pipeline(Readable.fromWeb(body as WebReadableStream<Uint8Array>), createWriteStream(path, { flags: "wx" }));
}

/**
 * Digests what was written at `dest` and compares it with the version's recorded digest.
 * On a mismatch `dest` is removed and `MODEL_DIGEST_MISMATCH` is thrown.
 */
export async function verifyDownload(v: ModelVersionView, dest: string): Promise<DownloadResult> {
  const found = await digestArtifact(dest);
  if (!found || (found.kind !== "file" && found.kind !== "directory")) {
    throw new CliError("MODEL_CONTENT_MISSING", `nothing was written at ${dest}`, { exitCode: ExitCode.failed });
  }
  const recorded = v.digest ? normalizeDigest(v.digest) : undefined;
  if (recorded !== undefined && recorded !== found.digest) {
    rmSync(dest, { recursive: true, force: true });
    throw new CliError(
      "MODEL_DIGEST_MISMATCH",
      `${versionUri(v.name, v.version)}: the copied ${found.kind} has digest ${found.digest}, but ${recorded} was recorded at registration; the model at ${v.source ?? "its source"} changed since it was registered, so the copy was removed. Register the current file as a new version, or restore the registered one`,
      { exitCode: ExitCode.failed },
    );
  }
  return { path: dest, kind: found.kind, digest: found.digest, checked: recorded !== undefined };
}

/** `sha256:<hex>` for a digest recorded with or without its algorithm prefix. */
function normalizeDigest(d: string): string {
  return /^[0-9a-f]{64}$/i.test(d) ? `sha256:${d.toLowerCase()}` : d;
}

/** How many parent folders of a source are tried as the artifact that holds it. */
const MAX_PARENT_STEPS = 8;

/**
 * The recorded artifact that holds a model's source, and the source's path inside it
 * (`[]` when the source is the artifact itself): the source URI, else its nearest parent
 * folder that `find` knows (a file inside a folder artifact).
 */
export async function artifactHolding<T>(
  source: string | undefined,
  find: (uri: string) => Promise<T | undefined> | T | undefined,
): Promise<{ artifact: T; inside: string[] } | undefined> {
  const inside: string[] = [];
  let uri = source?.replace(/\/+$/, "");
  for (let step = 0; uri && step <= MAX_PARENT_STEPS; step++) {
    const found = await find(uri);
    if (found !== undefined) return { artifact: found, inside };
    const cut = uri.lastIndexOf("/");
    if (cut <= uri.indexOf("://") + 3) return undefined;
    let segment: string;
    try {
      segment = decodeURIComponent(uri.slice(cut + 1));
    } catch {
      return undefined;
    }
    inside.unshift(segment);
    uri = uri.slice(0, cut);
  }
  return undefined;
}

/** Guards that keep every store operation inside its root. */
import { existsSync, realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { uriToLocalPath } from "../executor/index.ts";
import { ArtifactError } from "./errors.ts";

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel);
}

/**
 * Resolves an artifact URI (`file:///abs/path`, an absolute path, or a path relative to
 * the root) to a local path, and rejects anything outside `root`: `..` segments, encoded
 * traversal, symbolic links that lead out, or the root itself. Servers call this before
 * serving a download.
 *
 * @throws ArtifactError `ARTIFACT_URI_UNSUPPORTED` for non-local URIs (`gs://`, `s3://`...),
 *   `ARTIFACT_OUTSIDE_STORE` for paths that leave the root.
 */
export function resolveInside(root: string, uri: string): string {
  if (uri.includes("\0")) {
    throw new ArtifactError("ARTIFACT_OUTSIDE_STORE", `artifact URI ${JSON.stringify(uri)} contains a NUL byte.`);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith("file://")) {
    throw new ArtifactError(
      "ARTIFACT_URI_UNSUPPORTED",
      `artifact URI "${uri}" is not a file:// URI; the local artifact store at ${root} only serves file:// URIs.`,
    );
  }
  const absRoot = resolve(root);
  const local = uriToLocalPath(uri);
  const path = resolve(absRoot, local);
  const outside = () =>
    new ArtifactError(
      "ARTIFACT_OUTSIDE_STORE",
      `artifact URI "${uri}" resolves to ${path}, outside the artifact store ${absRoot}; use a URI of an artifact in this store.`,
    );
  if (!isInside(absRoot, path)) throw outside();
  // A symbolic link inside the store must not lead out of it.
  if (existsSync(path) && existsSync(absRoot) && !isInside(realpathSync(absRoot), realpathSync(path))) throw outside();
  return path;
}

/**
 * Checks one path segment of a run id, task path or output name: non-empty, not `.` or
 * `..`, no slashes, backslashes or NUL.
 *
 * @throws ArtifactError `ARTIFACT_INVALID_SEGMENT` naming the field.
 */
export function checkSegment(field: string, value: string): string {
  if (value === "" || value === "." || value === ".." || /[/\\\0]/.test(value)) {
    throw new ArtifactError(
      "ARTIFACT_INVALID_SEGMENT",
      `${field} ${JSON.stringify(value)} cannot be part of an artifact path; use a non-empty name without "/", "\\", "." or "..".`,
    );
  }
  return value;
}

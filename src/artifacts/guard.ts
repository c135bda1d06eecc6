/**
 * Guards that keep every path Weft builds or serves inside its root: names are checked
 * segment by segment, the result is resolved and compared with the root, and symbolic
 * links inside the root are never walked through.
 */
import { lstatSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { uriToLocalPath } from "../executor/uri.ts";
import { ArtifactError } from "./errors.ts";

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel);
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * The first symbolic link among the members of `path` below `root` (the last member
 * included when `leaf`), or undefined. `path` must be inside `root`.
 */
function linkOnTheWay(root: string, path: string, leaf: boolean): string | undefined {
  const parts = relative(root, path).split(sep);
  let at = root;
  for (let i = 0; i < parts.length; i++) {
    at = `${at}${sep}${parts[i]}`;
    if (i === parts.length - 1 && !leaf) break;
    if (isLink(at)) return at;
  }
  return undefined;
}

/**
 * The absolute path `<root>/<segment>/...`, proved to lie inside `root`. Each segment is a
 * name or a `/`-separated relative path (a task path such as `for-loop-2/iteration-0/train`);
 * every part of it must be non-empty, not `.` or `..`, and free of `\` and NUL, so an
 * absolute path, `../` or an encoded form that was decoded earlier cannot leave the root.
 * No member between the root and the last one may be a symbolic link, so creating,
 * writing or removing the result never reaches outside the root through a link. The last
 * member itself may be a link: read it with `lstat`, remove it with `rm` (which removes
 * the link, not its target).
 *
 * @example
 * insideRoot("/home/.weft/logs", runId, "for-loop-2/iteration-0/train.log");
 * @throws ArtifactError `ARTIFACT_INVALID_SEGMENT` naming the segment, or
 *   `ARTIFACT_OUTSIDE_STORE` when a member on the way is a symbolic link.
 */
export function insideRoot(root: string, ...segments: string[]): string {
  const absRoot = resolve(root);
  const parts: string[] = [];
  for (const segment of segments) {
    for (const part of segment.split("/")) {
      if (part === "" || part === "." || part === ".." || /[\\\0]/.test(part)) {
        throw new ArtifactError(
          "ARTIFACT_INVALID_SEGMENT",
          `name ${JSON.stringify(segment)} cannot be part of a path under ${absRoot} (segment ${JSON.stringify(part)}); use names without "..", ".", "\\", NUL, empty parts or a leading "/".`,
        );
      }
      parts.push(part);
    }
  }
  const path = resolve(absRoot, ...parts);
  if (parts.length === 0) return absRoot;
  if (!isInside(absRoot, path)) {
    throw new ArtifactError(
      "ARTIFACT_OUTSIDE_STORE",
      `path ${path} built from ${JSON.stringify(segments.join("/"))} is outside ${absRoot}; use names without "..".`,
    );
  }
  const link = linkOnTheWay(absRoot, path, false);
  if (link) {
    throw new ArtifactError(
      "ARTIFACT_OUTSIDE_STORE",
      `${link} is a symbolic link, so ${path} could lead outside ${absRoot}; remove the link.`,
    );
  }
  return path;
}

/**
 * Resolves an artifact URI (`file:///abs/path`, an absolute path, or a path relative to
 * the root) to a local path, and rejects anything outside `root`: `..` segments, encoded
 * traversal, any symbolic link on the way (the last member included: a link is never
 * followed, wherever it points), or the root itself. Servers call this before serving a
 * download. With `linkAtEnd: "allow"` the last member may be a link (to remove the link
 * itself, never to read through it).
 *
 * @throws ArtifactError `ARTIFACT_URI_UNSUPPORTED` for non-local URIs (`gs://`, `s3://`...),
 *   `ARTIFACT_OUTSIDE_STORE` for paths that leave the root or pass a symbolic link.
 */
export function resolveInside(root: string, uri: string, options: { linkAtEnd?: "refuse" | "allow" } = {}): string {
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
  if (!isInside(absRoot, path)) {
    throw new ArtifactError(
      "ARTIFACT_OUTSIDE_STORE",
      `artifact URI "${uri}" resolves to ${path}, outside the artifact store ${absRoot}; use a URI of an artifact in this store.`,
    );
  }
  const link = linkOnTheWay(absRoot, path, options.linkAtEnd !== "allow");
  if (link) {
    throw new ArtifactError(
      "ARTIFACT_OUTSIDE_STORE",
      `artifact URI "${uri}" passes the symbolic link ${link}, which could lead outside the artifact store ${absRoot}; links inside artifacts are never followed.`,
    );
  }
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

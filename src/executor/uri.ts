/**
 * URI to local path mapping as KFP's `dsl.Artifact.path` does it: remote object stores are
 * mounted under `/gcs/`, `/s3/` and `/minio/` inside a task; local URIs are paths already.
 */

const REMOTE_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ["gs://", "/gcs/"],
  ["s3://", "/s3/"],
  ["minio://", "/minio/"],
];

/**
 * Maps an artifact URI to the path a task reads or writes.
 *
 * @example
 * uriToLocalPath("gs://bucket/run/model") // "/gcs/bucket/run/model"
 * uriToLocalPath("file:///tmp/x")          // "/tmp/x"
 */
export function uriToLocalPath(uri: string): string {
  for (const [prefix, mount] of REMOTE_PREFIXES) {
    if (uri.startsWith(prefix)) return mount + uri.slice(prefix.length);
  }
  if (uri.startsWith("file://")) {
    // file:///abs/path (empty authority) or file://localhost/abs/path
    const rest = uri.slice("file://".length);
    const path = rest.startsWith("localhost/") ? rest.slice("localhost".length) : rest;
    return decodePath(path);
  }
  return uri;
}

/**
 * Maps a local path back to the URI it stands for: the inverse of {@link uriToLocalPath}
 * for the mounted prefixes. Any other path is returned as it is (KFP's local convention),
 * or as a `file://` URI when `options.file` is set.
 *
 * @example
 * localPathToUri("/s3/bucket/key")              // "s3://bucket/key"
 * localPathToUri("/a b/c", { file: true })      // "file:///a%20b/c"
 */
export function localPathToUri(path: string, options?: { file?: boolean }): string {
  for (const [prefix, mount] of REMOTE_PREFIXES) {
    if (path.startsWith(mount)) return prefix + path.slice(mount.length);
  }
  return options?.file ? `file://${encodeURI(path)}` : path;
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * URI to local path mapping as KFP's `dsl.Artifact.path` does it: remote object stores are
 * mounted under `/gcs/`, `/s3/` and `/minio/` inside a task, an `oci://` image under
 * `/oci/` (its `/` written as `_`); any other URI is used as the path itself. The local
 * engine hands tasks absolute paths as URIs, as KFP's local runner does; a `file://` URI
 * (which KFP's runtime would take as the relative path `file:/...`) is still read here as
 * the path it names.
 */

const REMOTE_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ["gs://", "/gcs/"],
  ["s3://", "/s3/"],
  ["minio://", "/minio/"],
];

/** An OCI image (a KServe modelcar): mounted under `/oci/` with each `/` written as `_`. */
const OCI = "oci://";
const OCI_MOUNT = "/oci/";

/**
 * Maps an artifact URI to the path a task reads or writes.
 *
 * @example
 * uriToLocalPath("gs://bucket/run/model") // "/gcs/bucket/run/model"
 * uriToLocalPath("oci://reg/img:1")        // "/oci/reg_img:1"
 * uriToLocalPath("/tmp/x")                 // "/tmp/x"
 * uriToLocalPath("file:///tmp/x")          // "/tmp/x"
 */
export function uriToLocalPath(uri: string): string {
  for (const [prefix, mount] of REMOTE_PREFIXES) {
    if (uri.startsWith(prefix)) return mount + uri.slice(prefix.length);
  }
  if (uri.startsWith(OCI)) return OCI_MOUNT + uri.slice(OCI.length).replaceAll("/", "_");
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
  if (path.startsWith(OCI_MOUNT)) {
    // KFP's convert_local_path_to_remote_path: `_` back to `/`, a Model's `/models` left out
    const remote = path.slice(OCI_MOUNT.length).replaceAll("_", "/");
    return OCI + (remote.endsWith("/models") ? remote.slice(0, -"/models".length) : remote);
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

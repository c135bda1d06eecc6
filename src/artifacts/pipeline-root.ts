/**
 * A run's pipeline root (KFP's `runtime_config.pipeline_root`): the directory its output
 * artifacts are laid out under, `<root>/<run id>/<task path>/<output>`. The local engine
 * writes to local directories only: `file:///abs/dir` or an absolute path. Object-store
 * roots (`gs://`, `s3://`, `minio://`) are refused, never accepted and then ignored.
 */
import { isAbsolute, resolve } from "node:path";
import { uriToLocalPath } from "../executor/uri.ts";
import { ArtifactError } from "./errors.ts";
import { insideRoot, resolveInside } from "./guard.ts";

/**
 * The local directory a pipeline root names, or undefined when it is unset or empty (the
 * run then uses `$WEFT_HOME/artifacts`). `field` names the setting in the message.
 *
 * @example
 * pipelineRootDir("file:///data/weft") // "/data/weft"
 * pipelineRootDir("/data/weft")        // "/data/weft"
 * @throws ArtifactError `ARTIFACT_ROOT_UNSUPPORTED` for any other scheme or a relative path.
 */
export function pipelineRootDir(root: string | undefined, field = "pipeline_root"): string | undefined {
  if (root === undefined || root === "") return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(root)?.[1];
  if (scheme !== undefined && scheme.toLowerCase() !== "file") {
    throw new ArtifactError(
      "ARTIFACT_ROOT_UNSUPPORTED",
      `${field} "${root}" is a ${scheme}:// location; the local engine writes artifacts only under file:// roots (file:///abs/dir or an absolute path), and object-store roots come with a later change. Give a local directory, or leave ${field} unset to use $WEFT_HOME/artifacts.`,
    );
  }
  if (scheme !== undefined && !/^file:\/\/(localhost)?\//i.test(root)) {
    throw new ArtifactError(
      "ARTIFACT_ROOT_UNSUPPORTED",
      `${field} "${root}" is not a local file:// URI; write file:///abs/dir (three slashes: no host) or an absolute path.`,
    );
  }
  const path = scheme === undefined ? root : uriToLocalPath(`file:${root.slice("file:".length)}`);
  if (path.includes("\0") || !isAbsolute(path)) {
    throw new ArtifactError(
      "ARTIFACT_ROOT_UNSUPPORTED",
      `${field} "${root}" is not an absolute path; give an absolute directory or file:///abs/dir, since a relative one would depend on where the server or the CLI was started.`,
    );
  }
  return resolve(path);
}

/**
 * Resolves an artifact URI inside the first of `roots` that holds it, with every check of
 * {@link resolveInside}; when none does, throws what the first root said.
 */
export function resolveInsideAny(roots: readonly string[], uri: string): string {
  let first: unknown;
  for (const root of roots) {
    try {
      return resolveInside(root, uri);
    } catch (err) {
      first ??= err;
    }
  }
  throw first ?? new ArtifactError("ARTIFACT_OUTSIDE_STORE", `artifact URI "${uri}" is in no artifact store.`);
}

/**
 * The directories an artifact's content may be read from: the home's artifact store, and
 * `<root>/<run id>` for each of `runs` that has its own local pipeline root (the run that
 * recorded the artifact, and the run whose outputs a cached task reused). Anything else a
 * record might name, a path elsewhere on the disk included, stays refused.
 */
export function artifactContentRoots(
  homeRoot: string,
  runs: readonly { id: string; pipelineRoot?: string | undefined }[],
): string[] {
  const roots = [resolve(homeRoot)];
  for (const run of runs) {
    let dir: string | undefined;
    try {
      dir = pipelineRootDir(run.pipelineRoot);
    } catch {
      dir = undefined; // a root recorded before object-store roots were refused: nothing local
    }
    if (dir === undefined || dir === roots[0]) continue;
    try {
      roots.push(insideRoot(dir, run.id));
    } catch {
      // a run id that is no path segment, or a link on the way: nothing is served from it
    }
  }
  return roots;
}

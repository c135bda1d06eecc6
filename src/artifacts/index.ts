/**
 * Artifact storage: where task outputs live and how URIs map to content. The local
 * `file://` store comes first; other backends implement the same {@link ArtifactStore}
 * contract and run the shared suite in `contract.ts`.
 */

/** URI to local path mapping (KFP's: `gs://` to `/gcs/`, `s3://` to `/s3/`, `file://` as is). */
export { localPathToUri, uriToLocalPath } from "../executor/uri.ts";
export { type ArtifactDigest, digestArtifact, digestFile, digestTree, type TreeEntry, walkTree } from "./digest.ts";
export { ArtifactError, type ArtifactErrorCode } from "./errors.ts";
export { checkSegment, insideRoot, resolveInside } from "./guard.ts";
export { LocalArtifactStore } from "./local-store.ts";
export { artifactContentRoots, pipelineRootDir, resolveInsideAny } from "./pipeline-root.ts";
export type { ArtifactData, ArtifactStore } from "./store.ts";

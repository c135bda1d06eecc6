/**
 * Where the server reads an artifact's content from: the home's artifact store, or the
 * pipeline root its run chose (`<root>/<run id>`), never any other path a record names.
 */
import { artifactContentRoots, resolveInsideAny } from "../artifacts/index.ts";
import type { Artifact } from "../store/index.ts";
import type { ServerContext } from "./context.ts";

/** The runs whose pipeline roots may hold the artifact: its own, and the run a cached task reused. */
function writersOf(ctx: ServerContext, a: Artifact): { id: string; pipelineRoot?: string | undefined }[] {
  const ids = [a.runId];
  const source = ctx.store.tasks.get(a.taskId)?.cache?.sourceRunId;
  if (source && source !== a.runId) ids.push(source);
  return ids.flatMap((id) => {
    const run = ctx.store.runs.get(id);
    return run ? [{ id: run.id, pipelineRoot: run.pipelineRoot }] : [];
  });
}

/**
 * The local path of an artifact's content, proved inside one of its roots with every check
 * of `resolveInside` (no `..`, no symbolic link on the way).
 *
 * @throws ArtifactError `ARTIFACT_OUTSIDE_STORE` or `ARTIFACT_URI_UNSUPPORTED` otherwise.
 */
export function artifactContentPath(ctx: ServerContext, a: Artifact): string {
  return resolveInsideAny(artifactContentRoots(ctx.artifactsRoot, writersOf(ctx, a)), a.uri);
}

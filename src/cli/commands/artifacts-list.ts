/**
 * `weft artifacts list` over the local store: the store-backed {@link ArtifactSource};
 * `artifact-views.ts` prints what it reads. Filters and paging run in SQL.
 */
import type { Predicate, Store, Task } from "../../store/index.ts";
import type { ArtifactListPage, ArtifactListRequest, ArtifactSource } from "../artifact-source.ts";
import { type ArtifactsListOptions, showArtifactList } from "../artifact-views.ts";
import { withContext } from "../context.ts";
import { resolveRun } from "../resolve.ts";

/** Lists the artifacts of `$WEFT_HOME`, newest first; returns the exit code. */
export async function artifactsList(opts: ArtifactsListOptions): Promise<number> {
  return withContext(({ store }) => showArtifactList(storeArtifactSource(store), opts));
}

/** Artifacts read from the local store. */
export function storeArtifactSource(store: Store): ArtifactSource {
  return {
    where: `in ${store.home}`,
    async listArtifacts(request: ArtifactListRequest): Promise<ArtifactListPage> {
      const filter: Predicate[] = [];
      if (request.run !== undefined)
        filter.push({ field: "runId", op: "EQUALS", value: resolveRun(store, request.run).id });
      if (request.type !== undefined) filter.push({ field: "schemaTitle", op: "EQUALS", value: request.type });
      if (request.name !== undefined) filter.push({ field: "name", op: "IS_SUBSTRING", value: request.name });
      const page = store.artifacts.list({ filter, sort: { field: "createdAt", desc: true }, pageSize: request.limit });
      const tasks = new Map<string, Task | undefined>();
      const runs = new Map<string, string | undefined>();
      const items = page.items.map((a) => {
        if (!tasks.has(a.taskId)) tasks.set(a.taskId, store.tasks.get(a.taskId));
        if (!runs.has(a.runId)) runs.set(a.runId, store.runs.get(a.runId)?.displayName);
        const task = tasks.get(a.taskId)?.path;
        const runName = runs.get(a.runId);
        return {
          id: a.id,
          name: a.name,
          type: a.schemaTitle,
          uri: a.uri,
          runId: a.runId,
          ...(runName !== undefined ? { runName } : {}),
          ...(task !== undefined ? { task } : {}),
          ...(a.sizeBytes !== undefined ? { sizeBytes: a.sizeBytes } : {}),
          createdAt: a.createdAt,
          doc: { ...a, ...(task !== undefined ? { task } : {}), ...(runName !== undefined ? { runName } : {}) },
        };
      });
      return { items, totalSize: page.totalSize };
    },
  };
}

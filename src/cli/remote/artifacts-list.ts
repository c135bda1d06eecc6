/**
 * Remote mode of `weft artifacts list`: the client-backed {@link ArtifactSource} (the
 * server's `/apis/weft/v1/artifacts`), printed by the same presentation as the local command.
 */
import type { ArtifactListPage, ArtifactListRequest, ArtifactSource } from "../artifact-source.ts";
import { type ArtifactsListOptions, showArtifactList } from "../artifact-views.ts";
import { parseTime, type Remote, resolveRemoteRun, withRemote } from "./connect.ts";

/** `weft --host URL artifacts list`. */
export async function remoteArtifactsList(host: string, opts: ArtifactsListOptions): Promise<number> {
  return withRemote(host, (remote) => showArtifactList(clientArtifactSource(remote), opts));
}

/** Artifacts read from a server through the typed client. */
export function clientArtifactSource(remote: Remote): ArtifactSource {
  const { host, client } = remote;
  return {
    where: `on ${host}`,
    async listArtifacts(request: ArtifactListRequest): Promise<ArtifactListPage> {
      const runId = request.run !== undefined ? (await resolveRemoteRun(remote, request.run)).run_id : undefined;
      const page = await client.weft.listArtifacts({
        pageSize: request.limit,
        sortBy: "created_at desc",
        ...(runId !== undefined ? { runId } : {}),
        ...(request.type !== undefined ? { type: request.type } : {}),
        ...(request.name !== undefined ? { name: request.name } : {}),
      });
      const items = page.items.map((a) => {
        const createdAt = parseTime(a.created_at);
        return {
          id: a.artifact_id,
          name: a.name,
          type: a.schema_title,
          uri: a.uri,
          runId: a.run_id,
          ...(a.run_name !== undefined ? { runName: a.run_name } : {}),
          ...(a.task !== undefined ? { task: a.task } : {}),
          ...(a.size_bytes !== undefined ? { sizeBytes: a.size_bytes } : {}),
          ...(createdAt !== undefined ? { createdAt } : {}),
          doc: { ...a },
        };
      });
      return { items, totalSize: page.totalSize };
    },
  };
}

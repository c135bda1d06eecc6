/**
 * The {@link Catalog} of a server: runs, experiments and pipelines through the typed
 * client (remote mode of `weft runs archive|unarchive|delete|edit`, `weft experiments
 * archive|unarchive|delete` and `weft pipelines ...`).
 */
import { type ApiPipeline, type ApiRun, ClientError } from "../../client/index.ts";
import { isActiveRunState } from "../../ir/index.ts";
import { activeRunError, type Catalog, type CatalogPipeline, type CatalogRun } from "../catalog.ts";
import { CliError } from "../errors.ts";
import { parseTime, type Remote, resolveRemoteRun } from "./connect.ts";

function toRun(r: ApiRun): CatalogRun {
  return {
    id: r.run_id,
    displayName: r.display_name ?? "",
    description: r.description ?? "",
    state: r.state ?? "",
    storageState: r.storage_state ?? "AVAILABLE",
    tags: r.tags ?? {},
  };
}

function toPipeline(p: ApiPipeline): CatalogPipeline {
  return {
    id: p.pipeline_id,
    name: p.name ?? p.display_name ?? "",
    description: p.description ?? "",
    createdAt: parseTime(p.created_at),
  };
}

/** Whether `err` is the server's "not found" (or a malformed id, which cannot exist). */
const missing = (err: unknown) => err instanceof ClientError && (err.status === 404 || err.status === 400);

/** The catalog of the server `remote` talks to. */
export function clientCatalog(remote: Remote): Catalog {
  const { host, client } = remote;
  return {
    where: `on ${host}`,
    async resolveRun(ref) {
      return toRun(await resolveRemoteRun(remote, ref));
    },
    archiveRun: (id) => client.archiveRun(id),
    unarchiveRun: (id) => client.unarchiveRun(id),
    async deleteRun(id) {
      const run = await client.getRun(id);
      if (run.state && isActiveRunState(run.state)) {
        throw activeRunError({ id, state: run.state }, `weft --host ${host} runs cancel ${id}`);
      }
      await client.deleteRun(id);
    },
    async updateRun(id, edit) {
      return toRun(await client.updateRun(id, edit));
    },
    async resolveExperiment(ref) {
      try {
        const e = await client.getExperiment(ref);
        return { id: e.experiment_id, name: e.display_name };
      } catch (err) {
        if (!missing(err)) throw err;
      }
      const page = await client.listExperiments({
        filter: [{ key: "display_name", op: "EQUALS", value: ref }],
        pageSize: 1,
      });
      const e = page.items[0];
      if (!e) {
        throw new CliError(
          "EXPERIMENT_NOT_FOUND",
          `no experiment with id or name "${ref}" on ${host}; list them with: weft --host ${host} experiments list`,
        );
      }
      return { id: e.experiment_id, name: e.display_name };
    },
    archiveExperiment: (id) => client.archiveExperiment(id),
    unarchiveExperiment: (id) => client.unarchiveExperiment(id),
    deleteExperiment: (id, cascade) => client.deleteExperiment(id, { cascade }),
    async listPipelines() {
      return (await client.listPipelines({ sortBy: "created_at desc", pageSize: 200 })).items.map(toPipeline);
    },
    async resolvePipeline(ref) {
      for (const get of [() => client.getPipeline(ref), () => client.getPipelineByName(ref)]) {
        try {
          return toPipeline(await get());
        } catch (err) {
          if (!missing(err)) throw err;
        }
      }
      throw new CliError(
        "PIPELINE_NOT_FOUND",
        `no pipeline with id or name "${ref}" on ${host}; list them with: weft --host ${host} pipelines list`,
      );
    },
    async listVersions(pipelineId) {
      const page = await client.listPipelineVersions(pipelineId, { sortBy: "created_at desc", pageSize: 200 });
      return page.items.map((v) => ({
        id: v.pipeline_version_id,
        pipelineId: v.pipeline_id,
        name: v.name ?? v.display_name ?? "",
        description: v.description ?? "",
        createdAt: parseTime(v.created_at),
      }));
    },
    deletePipeline: (id, cascade) => client.deletePipeline(id, { cascade }),
    deleteVersion: (pipelineId, versionId) => client.deletePipelineVersion(pipelineId, versionId),
  };
}

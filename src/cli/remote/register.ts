/**
 * Remote mode of `weft run` records its pipeline on the server as a local run does in the
 * store: the pipeline named by `pipelineInfo.name` (uploaded when missing) and the version
 * holding the same spec, uploaded as a new version when none does. The server's own
 * upload routes create them (names, descriptions and limits as for any upload); specs are
 * compared by content (keys sorted), so the same spec never gets a second version.
 */
import { type ApiPipelineVersion, ClientError, type WeftClient } from "../../client/index.ts";
import type { PipelinePackage } from "../../ir/index.ts";

/** JSON text with object keys sorted: equal for equal content, whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The spec of a version as the API returns it (bare, or wrapped with its platform spec). */
function specOf(v: ApiPipelineVersion): unknown {
  const s = v.pipeline_spec as { pipeline_spec?: unknown; root?: unknown } | undefined;
  return s && s.root === undefined && s.pipeline_spec !== undefined ? s.pipeline_spec : s;
}

async function pipelineIdByName(client: WeftClient, name: string): Promise<string | undefined> {
  try {
    return (await client.getPipelineByName(name)).pipeline_id;
  } catch (err) {
    if (err instanceof ClientError && err.status === 404) return undefined;
    throw err;
  }
}

async function versionHolding(client: WeftClient, pipelineId: string, text: string): Promise<string | undefined> {
  let pageToken: string | undefined;
  do {
    const page = await client.listPipelineVersions(pipelineId, {
      pageSize: 50,
      sortBy: "created_at desc",
      ...(pageToken ? { pageToken } : {}),
    });
    const same = page.items.find((v) => canonical(specOf(v)) === text);
    if (same) return same.pipeline_version_id;
    pageToken = page.nextPageToken;
  } while (pageToken);
  return undefined;
}

/** The pipeline and version on the server that hold `pkg`'s spec, created when missing. */
export async function registerRemotePipeline(
  client: WeftClient,
  pkg: PipelinePackage,
): Promise<{ pipelineId: string; pipelineVersionId: string }> {
  const name = pkg.pipelineSpec.pipelineInfo.name;
  const text = canonical(pkg.pipelineSpec);
  let pipelineId = await pipelineIdByName(client, name);
  if (pipelineId === undefined) {
    try {
      pipelineId = (await client.uploadPipeline(pkg, { name })).pipeline_id;
    } catch (err) {
      // another process registered it meanwhile: use theirs
      if (!(err instanceof ClientError) || err.status !== 409) throw err;
      pipelineId = await pipelineIdByName(client, name);
      if (pipelineId === undefined) throw err;
    }
  }
  const found = await versionHolding(client, pipelineId, text);
  if (found) return { pipelineId, pipelineVersionId: found };
  // no name: the server names it as any upload without one (`<pipeline>-<time>`)
  const version = await client.uploadPipelineVersion(pkg, { pipelineId, name: "" });
  return { pipelineId, pipelineVersionId: version.pipeline_version_id };
}

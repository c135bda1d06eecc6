/**
 * Remote mode of `weft runs list`, `weft runs get` and `weft experiments list`: the
 * client-backed {@link RunSource} (the server's API), printed by the same presentation as
 * the local commands (`run-views.ts`).
 */
import type { ApiRun, FilterPredicate, GraphNode, WeftClient } from "../../client/index.ts";
import { labelledPath, labelsByPath } from "../../ir/index.ts";
import { CliError } from "../errors.ts";
import { elapsed, formatTime, renderTable } from "../format.ts";
import type { MetricValue, RunDetail, RunListPage, RunListRequest, RunSource } from "../run-source.ts";
import { type RunsListOptions, showRun, showRunList } from "../run-views.ts";
import { parseTime, type Remote, resolveRemoteRun, withRemote } from "./connect.ts";

/** `weft --host URL runs list`. */
export async function remoteRunsList(host: string, opts: RunsListOptions): Promise<number> {
  return withRemote(host, (remote) => showRunList(clientRunSource(remote), opts));
}

/** `weft --host URL runs get <run>`. */
export async function remoteRunsGet(host: string, ref: string, opts: { json?: boolean }): Promise<number> {
  return withRemote(host, (remote) => showRun(clientRunSource(remote), ref, opts));
}

/** Runs read from a server through the typed client. */
export function clientRunSource(remote: Remote): RunSource {
  const { host, client } = remote;
  return {
    where: `on ${host}`,
    host,
    async listRuns(request: RunListRequest): Promise<RunListPage> {
      const filter: FilterPredicate[] = [];
      let experimentId: string | undefined;
      if (request.experiment !== undefined) {
        const found = await client.listExperiments({
          filter: [{ key: "display_name", op: "EQUALS", value: request.experiment }],
          pageSize: 1,
        });
        experimentId = found.items[0]?.experiment_id;
        if (!experimentId) {
          throw new CliError(
            "BAD_OPTION",
            `no experiment "${request.experiment}" on ${host}; list them with: weft --host ${host} experiments list`,
          );
        }
      }
      if (request.state !== undefined) filter.push({ key: "state", op: "EQUALS", value: request.state });
      filter.push({ key: "storage_state", op: "EQUALS", value: request.archived ? "ARCHIVED" : "AVAILABLE" });
      for (const [k, v] of Object.entries(request.tags ?? {}))
        filter.push({ key: `tags.${k}`, op: "EQUALS", value: v });
      // a page of summaries: the server's list carries no pipeline specs
      const page = await client.listRuns({
        filter,
        sortBy: request.sort ? `${request.sort.field} ${request.sort.desc ? "desc" : "asc"}` : "created_at desc",
        pageSize: request.limit,
        ...(experimentId ? { experimentId } : {}),
      });
      const names = await experimentNames(
        client,
        page.items.map((r) => r.experiment_id ?? "").filter((id) => id !== ""),
      );
      // the page carries each run's metrics: no request per run
      const items = page.items.map(({ pipeline_spec: _spec, metrics, ...r }) => ({
        id: r.run_id,
        name: r.display_name ?? "",
        state: r.state ?? "",
        createdAt: parseTime(r.created_at),
        durationMs: runDuration(r),
        experiment: names.get(r.experiment_id ?? "") ?? r.experiment_id ?? "",
        metrics: (metrics ?? []).map((m): MetricValue => ({ name: m.name, value: m.number_value })),
        doc: r,
      }));
      return { items, totalSize: page.totalSize };
    },
    async getRun(ref: string): Promise<RunDetail> {
      const run = await resolveRemoteRun(remote, ref);
      const [graph, metrics, artifacts, experiment] = await Promise.all([
        client.weft.runGraph(run.run_id),
        client.weft.runMetrics(run.run_id),
        client.weft.runArtifacts(run.run_id),
        run.experiment_id ? client.getExperiment(run.experiment_id).catch(() => undefined) : undefined,
      ]);
      const shown = graph.nodes.filter((n) => n.path !== "root");
      const labels = labelsByPath(
        graph.nodes.map((n) => ({ path: n.path, name: n.name, displayName: n.display_name })),
      );
      const details = new Map<string, TaskDetail>();
      await Promise.all(
        shown.slice(0, 200).map(async (n) => {
          const d = await client.http
            .request<TaskDetail>(
              "GET",
              `/apis/weft/v1/runs/${encodeURIComponent(run.run_id)}/tasks/${encodeURIComponent(n.task_id)}`,
            )
            .catch(() => undefined);
          if (d) details.set(n.task_id, d);
        }),
      );
      const { pipeline_spec: _spec, run_details: _details, ...rest } = run;
      const detail: RunDetail = {
        id: run.run_id,
        name: run.display_name ?? "",
        state: run.state ?? "",
        experiment: experiment?.display_name ?? run.experiment_id ?? "-",
        pipeline: pipelineName(run),
        description: run.description ?? "",
        tags: run.tags ?? {},
        createdAt: parseTime(run.created_at),
        durationMs: runDuration(run),
        parameters: run.runtime_config?.parameters ?? {},
        tasks: shown.map((n) => {
          const d = details.get(n.task_id);
          const error = d?.error?.message ?? n.error;
          return {
            path: n.path,
            label: labelledPath(n.path, labels),
            state: n.state,
            durationMs: elapsed(parseTime(n.started_at), parseTime(n.finished_at)),
            attempts: Math.max(n.attempt, d?.attempts?.length ?? 0),
            cache: cacheColumn(n, d),
            why: whyColumn(n, d),
            ...(error ? { error } : {}),
            ...(d?.error?.code ? { errorCode: d.error.code } : {}),
            ...(d?.error?.action ? { errorAction: d.error.action } : {}),
            ...(d?.error?.stderr_tail ? { stderrTail: d.error.stderr_tail } : {}),
          };
        }),
        doc: { run: rest, tasks: shown.map((n) => ({ ...n, ...details.get(n.task_id) })), artifacts, metrics },
      };
      if (run.error?.message) detail.error = run.error.message;
      return detail;
    },
  };
}

/** The newest value of each metric of a run. */
async function experimentNames(client: WeftClient, ids: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  await Promise.all(
    [...new Set(ids)].map(async (id) => {
      const e = await client.getExperiment(id).catch(() => undefined);
      names.set(id, e?.display_name ?? id);
    }),
  );
  return names;
}

/** The pipeline's name from the run's inline spec, else its version's id. */
function pipelineName(run: ApiRun): string {
  const spec = run.pipeline_spec as
    | { pipelineInfo?: { name?: string }; pipeline_spec?: { pipelineInfo?: { name?: string } } }
    | undefined;
  return spec?.pipelineInfo?.name ?? spec?.pipeline_spec?.pipelineInfo?.name ?? run.pipeline_version_id ?? "-";
}

// a run that never started has no duration, as in the local store (not one counted from its creation)
function runDuration(r: ApiRun): number | undefined {
  const started = (r.state_history ?? []).find((h) => h.state === "RUNNING")?.update_time;
  return elapsed(parseTime(started), parseTime(r.finished_at));
}

interface TaskDetail {
  cache?: { hit: boolean; explanation?: string; source_run_id?: string };
  attempts?: unknown[];
  error?: { code?: string; message: string; action?: string; stderr_tail?: string };
}

function cacheColumn(n: GraphNode, d: TaskDetail | undefined): string {
  if (n.state === "CACHED" || n.cached || d?.cache?.hit) return "hit";
  if (d?.cache) return "miss";
  return n.kind === "container" ? "off" : "";
}

function whyColumn(n: GraphNode, d: TaskDetail | undefined): string {
  if (n.state === "CACHED" || n.cached || d?.cache?.hit) {
    return d?.cache?.source_run_id ? `reused from run ${d.cache.source_run_id}` : "reused";
  }
  return d?.cache?.explanation ?? "";
}

/** `weft --host URL experiments list`. */
export async function remoteExperimentsList(
  host: string,
  opts: { json?: boolean; archived?: boolean },
): Promise<number> {
  return withRemote(host, async ({ client }) => {
    const page = await client.listExperiments({
      filter: [{ key: "storage_state", op: "EQUALS", value: opts.archived ? "ARCHIVED" : "AVAILABLE" }],
      sortBy: "created_at desc",
      pageSize: 1000,
    });
    const counts = await Promise.all(
      page.items.map(async (e) => (await client.listRuns({ experimentId: e.experiment_id, pageSize: 1 })).totalSize),
    );
    if (opts.json) {
      const experiments = page.items.map((e, i) => ({ ...e, runCount: counts[i] ?? 0 }));
      process.stdout.write(`${JSON.stringify({ experiments, totalSize: page.totalSize })}\n`);
      return 0;
    }
    if (page.items.length === 0) {
      process.stdout.write(`no experiments on ${host}; weft --host ${host} run --experiment NAME creates one\n`);
      return 0;
    }
    const rows = page.items.map((e, i) => [
      e.experiment_id,
      e.display_name,
      String(counts[i] ?? 0),
      formatTime(parseTime(e.last_run_created_at)),
      formatTime(parseTime(e.created_at)),
      e.description ?? "",
    ]);
    process.stdout.write(`${renderTable(["ID", "NAME", "RUNS", "LAST RUN", "CREATED", "DESCRIPTION"], rows)}\n`);
    return 0;
  });
}

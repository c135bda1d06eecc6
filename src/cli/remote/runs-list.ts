/**
 * Remote mode of `weft runs list`, `weft runs get` and `weft experiments list`: the same
 * tables as the local commands, read from the server's API.
 */
import type { ApiRun, FilterPredicate, GraphNode, WeftClient } from "../../client/index.ts";
import { isRunState, RUN_STATES } from "../../ir/index.ts";
import { CliError } from "../errors.ts";
import { colorState, colorsFor, elapsed, formatDuration, formatNumber, formatTime, renderTable } from "../format.ts";
import { parseTime, resolveRemoteRun, withRemote } from "./connect.ts";

/** The newest value of each metric of a run, at most `max` of them. */
async function latestMetrics(client: WeftClient, runId: string): Promise<{ name: string; value: number }[]> {
  const all = await client.weft.runMetrics(runId).catch(() => []);
  const byName = new Map<string, number>();
  for (const m of all) byName.set(m.name, m.value);
  return [...byName].map(([name, value]) => ({ name, value }));
}

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

/** `weft --host URL runs list`. */
export async function remoteRunsList(
  host: string,
  opts: { experiment?: string; state?: string; limit: number; json?: boolean },
): Promise<number> {
  return withRemote(host, async ({ client }) => {
    const filter: FilterPredicate[] = [];
    let experimentId: string | undefined;
    if (opts.experiment !== undefined) {
      const found = await client.listExperiments({
        filter: [{ key: "display_name", op: "EQUALS", value: opts.experiment }],
        pageSize: 1,
      });
      experimentId = found.items[0]?.experiment_id;
      if (!experimentId) {
        throw new CliError(
          "BAD_OPTION",
          `no experiment "${opts.experiment}" on ${host}; list them with: weft --host ${host} experiments list`,
        );
      }
    }
    if (opts.state !== undefined) {
      const state = opts.state.toUpperCase();
      if (!isRunState(state)) {
        throw new CliError(
          "BAD_OPTION",
          `--state "${opts.state}" is not a run state; use one of ${RUN_STATES.join(", ")}`,
        );
      }
      filter.push({ key: "state", op: "EQUALS", value: state });
    }
    const page = await client.listRuns({
      filter,
      sortBy: "created_at desc",
      pageSize: opts.limit,
      ...(experimentId ? { experimentId } : {}),
    });
    const metrics = await Promise.all(page.items.map((r) => latestMetrics(client, r.run_id)));
    if (opts.json) {
      const runs = page.items.map(({ pipeline_spec: _spec, ...r }, i) => ({ ...r, metrics: metrics[i] ?? [] }));
      process.stdout.write(`${JSON.stringify({ runs, totalSize: page.totalSize })}\n`);
      return 0;
    }
    if (page.items.length === 0) {
      process.stdout.write(`no runs on ${host}\n`);
      return 0;
    }
    const c = colorsFor(process.stdout);
    const names = await experimentNames(
      client,
      page.items.map((r) => r.experiment_id ?? "").filter((id) => id !== ""),
    );
    const rows = page.items.map((r, i) => [
      r.run_id,
      r.display_name ?? "",
      colorState(r.state ?? "", r.state ?? "-", c),
      formatTime(parseTime(r.created_at)),
      formatDuration(runDuration(r)),
      names.get(r.experiment_id ?? "") ?? r.experiment_id ?? "",
      (metrics[i] ?? [])
        .slice(0, 3)
        .map((m) => `${m.name}=${formatNumber(m.value)}`)
        .join(" "),
    ]);
    process.stdout.write(
      `${renderTable(["RUN ID", "NAME", "STATE", "CREATED", "DURATION", "EXPERIMENT", "METRICS"], rows)}\n`,
    );
    if (page.totalSize > page.items.length) {
      process.stdout.write(c.gray(`(${page.items.length} of ${page.totalSize}; use --limit to see more)\n`));
    }
    return 0;
  });
}

function runDuration(r: ApiRun): number | undefined {
  const history = r.state_history ?? [];
  const started = history.find((h) => h.state === "RUNNING")?.update_time ?? r.created_at;
  return elapsed(parseTime(started), parseTime(r.finished_at));
}

interface TaskDetail {
  cache?: { hit: boolean; explanation?: string; source_run_id?: string };
  attempts?: unknown[];
  error?: { message: string; stderr_tail?: string };
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

/** `weft --host URL runs get <run>`. */
export async function remoteRunsGet(host: string, ref: string, opts: { json?: boolean }): Promise<number> {
  return withRemote(host, async (remote) => {
    const { client } = remote;
    const run = await resolveRemoteRun(remote, ref);
    const [graph, metrics, artifacts] = await Promise.all([
      client.weft.runGraph(run.run_id),
      client.weft.runMetrics(run.run_id),
      client.weft.runArtifacts(run.run_id),
    ]);
    const shown = graph.nodes.filter((n) => n.path !== "root");
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
    if (opts.json) {
      const { pipeline_spec: _spec, run_details: _details, ...rest } = run;
      const tasks = shown.map((n) => ({ ...n, ...details.get(n.task_id) }));
      process.stdout.write(`${JSON.stringify({ run: rest, tasks, artifacts, metrics })}\n`);
      return 0;
    }
    const c = colorsFor(process.stdout);
    const experiment = run.experiment_id
      ? await client.getExperiment(run.experiment_id).catch(() => undefined)
      : undefined;
    const spec = run.pipeline_spec as
      | { pipelineInfo?: { name?: string }; pipeline_spec?: { pipelineInfo?: { name?: string } } }
      | undefined;
    const pipelineName =
      spec?.pipelineInfo?.name ?? spec?.pipeline_spec?.pipelineInfo?.name ?? run.pipeline_version_id ?? "-";
    const lines = [
      `${c.bold("Run")} ${run.display_name ?? ""} (${run.run_id}) on ${host}`,
      `  state       ${colorState(run.state ?? "", run.state ?? "-", c)}`,
      `  experiment  ${experiment?.display_name ?? run.experiment_id ?? "-"}`,
      `  pipeline    ${pipelineName}`,
      `  created     ${formatTime(parseTime(run.created_at))}`,
      `  duration    ${formatDuration(runDuration(run))}`,
    ];
    const params = Object.entries(run.runtime_config?.parameters ?? {});
    if (params.length > 0) {
      lines.push(`  parameters  ${params.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ")}`);
    }
    if (run.error?.message) lines.push(`  error       ${c.red(run.error.message)}`);
    lines.push("", c.bold("Tasks"));
    lines.push(
      renderTable(
        ["TASK", "STATE", "DURATION", "ATTEMPTS", "CACHE", "WHY"],
        shown.map((n) => {
          const d = details.get(n.task_id);
          return [
            n.path.replace(/^root\//, ""),
            colorState(n.state, n.state, c),
            formatDuration(elapsed(parseTime(n.started_at), parseTime(n.finished_at))),
            String(Math.max(n.attempt, d?.attempts?.length ?? 0)),
            cacheColumn(n, d),
            whyColumn(n, d),
          ];
        }),
      ),
    );
    for (const n of shown.filter((t) => t.state === "FAILED")) {
      const d = details.get(n.task_id);
      lines.push("", c.red(`${n.path}: ${d?.error?.message ?? n.error ?? "failed"}`));
      if (d?.error?.stderr_tail) for (const l of d.error.stderr_tail.split("\n")) lines.push(`  ${c.gray("|")} ${l}`);
    }
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  });
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

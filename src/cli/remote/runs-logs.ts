/**
 * Remote mode of `weft runs logs <run> [task] [-f]`: log lines from the server's
 * extension endpoints; `-f` streams them (Server-Sent Events) and picks up tasks that
 * start later, until the task or run has finished.
 */
import type { GraphNode, RunGraph } from "../../client/index.ts";
import { labelledPath, labelsByPath } from "../../ir/index.ts";
import { CliError } from "../errors.ts";
import { isTerminalState } from "../format.ts";
import { followUntilDone, noLogsYet, prefixedLogs, taskLabel, writeLogLines } from "../log-views.ts";
import { type Remote, resolveRemoteRun, withRemote } from "./connect.ts";

const POLL_MS = 300;

const hasLog = (n: GraphNode) => n.kind === "container" || n.kind === "importer";

/**
 * The leaf tasks `ref` names: a task id, a path (with or without `root/`), a path as shown
 * (`for-loop-1[mlp]/train`) or a name (all iterations).
 */
export function selectTasks(graph: RunGraph, ref: string | undefined): GraphNode[] {
  const leaves = graph.nodes.filter(hasLog);
  if (ref === undefined) return leaves;
  const path = ref.startsWith("root/") ? ref : `root/${ref}`;
  const exact = graph.nodes.filter((n) => n.task_id === ref || n.path === path);
  if (exact.length > 0) {
    // a group (loop, iteration, sub-DAG) stands for the tasks below it
    return leaves.filter((n) => exact.some((e) => n.task_id === e.task_id || n.path.startsWith(`${e.path}/`)));
  }
  const labels = graphLabels(graph);
  const shown = leaves.filter((n) => {
    const p = labelledPath(n.path, labels);
    return p === ref || p.startsWith(`${ref}/`);
  });
  if (shown.length > 0) return shown;
  return leaves.filter((n) => n.name === ref || n.display_name === ref);
}

/** The labels of a graph's nodes by path (iterations by item, conditions by expression). */
function graphLabels(graph: RunGraph): Map<string, string> {
  return labelsByPath(graph.nodes.map((n) => ({ path: n.path, name: n.name, displayName: n.display_name })));
}

async function printAll(
  remote: Remote,
  runId: string,
  tasks: GraphNode[],
  prefixed: boolean,
  labels: ReadonlyMap<string, string>,
): Promise<void> {
  const all = await Promise.all(tasks.map((t) => remote.client.weft.taskLogs(runId, t.task_id, 100_000)));
  tasks.forEach((t, i) => {
    writeLogLines(taskLabel(t.path, labels), all[i] ?? [], prefixed);
  });
}

/** `weft --host URL runs logs <run> [task] [-f]`. */
export async function remoteRunsLogs(
  host: string,
  runRef: string,
  taskRef: string | undefined,
  opts: { follow?: boolean },
): Promise<number> {
  return withRemote(host, async (remote) => {
    const run = await resolveRemoteRun(remote, runRef);
    const graph = await remote.client.weft.runGraph(run.run_id);
    const first = selectTasks(graph, taskRef);
    if (taskRef !== undefined && first.length === 0 && !graph.nodes.some((n) => n.name === taskRef)) {
      const names = [...new Set(graph.nodes.filter(hasLog).map((n) => taskLabel(n.path, graphLabels(graph))))];
      throw new CliError(
        "TASK_NOT_FOUND",
        `run ${run.run_id} has no task "${taskRef}"; its tasks are: ${names.join(", ") || "(none yet)"}`,
      );
    }
    if (!opts.follow) {
      const started = first.filter((t) => t.state !== "PENDING");
      await printAll(remote, run.run_id, started, prefixedLogs(taskRef, started.length), graphLabels(graph));
      if (started.length === 0) noLogsYet(run.run_id);
      return 0;
    }
    const followers = new Map<string, Promise<void>>();
    let current = graph;
    let polled = false;
    const stopped = await followUntilDone(async () => {
      if (polled) current = await remote.client.weft.runGraph(run.run_id);
      polled = true;
      const tasks = selectTasks(current, taskRef);
      const prefixed = prefixedLogs(taskRef, tasks.length);
      const labels = graphLabels(current);
      for (const t of tasks) {
        if (followers.has(t.task_id) || t.state === "PENDING") continue;
        followers.set(
          t.task_id,
          (async () => {
            for await (const e of remote.client.weft.followTaskLogs(run.run_id, t.task_id)) {
              if (e.type === "log") writeLogLines(taskLabel(t.path, labels), [e.line], prefixed);
            }
          })(),
        );
      }
      const selectedDone = taskRef !== undefined && tasks.length > 0 && tasks.every((t) => isTerminalState(t.state));
      return isTerminalState(current.state) || selectedDone;
    }, POLL_MS);
    if (!stopped) await Promise.all(followers.values());
    return 0;
  });
}

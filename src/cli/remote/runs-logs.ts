/**
 * Remote mode of `weft runs logs <run> [task] [-f]`: log lines from the server's
 * extension endpoints; `-f` streams them (Server-Sent Events) and picks up tasks that
 * start later, until the task or run has finished.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { GraphNode, RunGraph } from "../../client/index.ts";
import { CliError } from "../errors.ts";
import { isTerminalState } from "../format.ts";
import { type Remote, resolveRemoteRun, withRemote } from "./connect.ts";

const POLL_MS = 300;

const hasLog = (n: GraphNode) => n.kind === "container" || n.kind === "importer";

/** The leaf tasks `ref` names: a task id, a path (with or without `root/`) or a name (all iterations). */
export function selectTasks(graph: RunGraph, ref: string | undefined): GraphNode[] {
  const leaves = graph.nodes.filter(hasLog);
  if (ref === undefined) return leaves;
  const path = ref.startsWith("root/") ? ref : `root/${ref}`;
  const exact = graph.nodes.filter((n) => n.task_id === ref || n.path === path);
  if (exact.length > 0) {
    // a group (loop, iteration, sub-DAG) stands for the tasks below it
    return leaves.filter((n) => exact.some((e) => n.task_id === e.task_id || n.path.startsWith(`${e.path}/`)));
  }
  return leaves.filter((n) => n.name === ref || n.display_name === ref);
}

function taskLabel(n: GraphNode): string {
  return n.path.replace(/^root\//, "");
}

async function printAll(remote: Remote, runId: string, tasks: GraphNode[], prefixed: boolean): Promise<void> {
  const all = await Promise.all(tasks.map((t) => remote.client.weft.taskLogs(runId, t.task_id, 100_000)));
  tasks.forEach((t, i) => {
    for (const line of all[i] ?? []) process.stdout.write(prefixed ? `[${taskLabel(t)}] ${line}\n` : `${line}\n`);
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
      const names = [...new Set(graph.nodes.filter(hasLog).map(taskLabel))];
      throw new CliError(
        "TASK_NOT_FOUND",
        `run ${run.run_id} has no task "${taskRef}"; its tasks are: ${names.join(", ") || "(none yet)"}`,
      );
    }
    if (!opts.follow) {
      const started = first.filter((t) => t.state !== "PENDING");
      await printAll(remote, run.run_id, started, taskRef === undefined || started.length > 1);
      if (started.length === 0) process.stderr.write(`run ${run.run_id} has no task logs yet\n`);
      return 0;
    }
    const followers = new Map<string, Promise<void>>();
    let stop = false;
    const onSigint = () => {
      stop = true;
    };
    process.on("SIGINT", onSigint);
    try {
      let current = graph;
      for (;;) {
        const tasks = selectTasks(current, taskRef);
        const prefixed = taskRef === undefined || tasks.length > 1;
        for (const t of tasks) {
          if (followers.has(t.task_id) || t.state === "PENDING") continue;
          followers.set(
            t.task_id,
            (async () => {
              for await (const e of remote.client.weft.followTaskLogs(run.run_id, t.task_id)) {
                if (e.type === "log") process.stdout.write(prefixed ? `[${taskLabel(t)}] ${e.line}\n` : `${e.line}\n`);
              }
            })(),
          );
        }
        const selectedDone = taskRef !== undefined && tasks.length > 0 && tasks.every((t) => isTerminalState(t.state));
        if (stop || isTerminalState(current.state) || selectedDone) break;
        await sleep(POLL_MS);
        current = await remote.client.weft.runGraph(run.run_id);
      }
      if (!stop) await Promise.all(followers.values());
    } finally {
      process.off("SIGINT", onSigint);
    }
    return 0;
  });
}

/**
 * The presentation `weft runs logs` shares between the local store (log files tailed) and
 * a server (log endpoints, Server-Sent Events): how a task is labelled, when lines carry
 * their task's label, what an empty run says, and following until done or Ctrl-C.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { labelledPath } from "../ir/index.ts";

/**
 * A task's label in log output: its path below `root`, with iterations shown by their item
 * and conditions by their expression (`for-loop-2[mlp]/train`) where `labels` (from
 * `labelsByPath`) knows them.
 */
export function taskLabel(path: string, labels: ReadonlyMap<string, string> = new Map()): string {
  return labelledPath(path, labels);
}

/** Lines carry their task's label when all tasks are shown or a name matched several. */
export function prefixedLogs(taskRef: string | undefined, tasks: number): boolean {
  return taskRef === undefined || tasks > 1;
}

/** Writes log lines to stdout, each as `[label] line` when `prefixed`. */
export function writeLogLines(label: string, lines: Iterable<string>, prefixed: boolean): void {
  for (const line of lines) process.stdout.write(prefixed ? `[${label}] ${line}\n` : `${line}\n`);
}

/** Says on stderr that a run has no task logs yet. */
export function noLogsYet(runId: string): void {
  process.stderr.write(`run ${runId} has no task logs yet\n`);
}

/**
 * Calls `step` every `pollMs` until it returns true (the task or run finished) or Ctrl-C;
 * returns whether Ctrl-C stopped it.
 */
export async function followUntilDone(step: () => Promise<boolean> | boolean, pollMs: number): Promise<boolean> {
  let stopped = false;
  const onSigint = () => {
    stopped = true;
  };
  process.on("SIGINT", onSigint);
  try {
    while (!stopped) {
      if (await step()) break;
      if (stopped) break;
      await sleep(pollMs);
    }
  } finally {
    process.off("SIGINT", onSigint);
  }
  return stopped;
}

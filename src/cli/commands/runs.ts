/**
 * `weft runs list|get|logs|cancel|retry|archive|unarchive|delete|edit`.
 */
import type { Command } from "commander";
import type { RunsEditOptions } from "../catalog-actions.ts";
import { collectParam, parsePositiveInt } from "../option-parsers.ts";
import { hostOf } from "../remote/host.ts";
import type { RunsRetryOptions } from "./runs-control.ts";
import type { RunsListOptions } from "./runs-list.ts";

/** Registers `weft runs` and its subcommands on `program`. */
export function registerRunsCommand(program: Command): void {
  const runs = program.command("runs").description("inspect and control runs");
  // each subcommand's module is loaded when it runs, so `weft runs list` loads no engine
  runs
    .command("list")
    .description("list runs, newest first")
    .option("-e, --experiment <name>", "only runs of this experiment")
    .option("-s, --state <state>", "only runs in this state (e.g. FAILED)")
    .option("-t, --tag <key=value>", "only runs with this tag (repeatable: all must match)", collectParam)
    .option("--archived", "list archived runs instead")
    .option("-l, --limit <n>", "at most n runs", parsePositiveInt("--limit"), 20)
    .option("-m, --metrics <names>", "metric columns, comma-separated (default: the three most runs have)")
    .option("--sort <key>", 'order: created_at or metric:NAME, highest first; add " asc" for lowest first')
    .option("--json", "print JSON")
    .action(async (opts: RunsListOptions) => {
      const host = hostOf(program);
      process.exitCode =
        host === undefined
          ? await (await import("./runs-list.ts")).runsList(opts)
          : await (await import("../remote/runs-list.ts")).remoteRunsList(host, opts);
    });
  runs
    .command("get")
    .description("show a run: its tasks with state, duration, attempts and cache decision")
    .argument("<run>", "run id, id prefix or name")
    .option("--json", "print JSON")
    .action(async (ref: string, opts: { json?: boolean }) => {
      const host = hostOf(program);
      process.exitCode =
        host === undefined
          ? await (await import("./runs-list.ts")).runsGet(ref, opts)
          : await (await import("../remote/runs-list.ts")).remoteRunsGet(host, ref, opts);
    });
  runs
    .command("logs")
    .description("print task logs; -f follows them until the task or run finishes")
    .argument("<run>", "run id, id prefix or name")
    .argument("[task]", "task name or path (default: all tasks)")
    .option("-f, --follow", "keep printing new lines until the task or run finishes")
    .action(async (ref: string, task: string | undefined, opts: { follow?: boolean }) => {
      const host = hostOf(program);
      process.exitCode =
        host === undefined
          ? await (await import("./runs-logs.ts")).runsLogs(ref, task, opts)
          : await (await import("../remote/runs-logs.ts")).remoteRunsLogs(host, ref, task, opts);
    });
  runs
    .command("cancel")
    .description("cancel a run, also one executing in another process")
    .argument("<run>", "run id, id prefix or name")
    .option("-w, --wait <seconds>", "wait this long for CANCELED to be recorded", parseSeconds, 30)
    .action(async (ref: string, opts: { wait: number }) => {
      const host = hostOf(program);
      process.exitCode =
        host === undefined
          ? await (await import("./runs-control.ts")).runsCancel(ref, opts)
          : await (await import("../remote/run-commands.ts")).remoteRunsCancel(host, ref, opts);
    });
  runs
    .command("retry")
    .description("resume a failed, canceled or interrupted run: finished tasks are kept, the rest run again")
    .argument("<run>", "run id, id prefix or name")
    .option("--json", "print engine events and the summary as JSON lines")
    .option("-q, --quiet", "do not show the tasks' output lines while they run")
    .option(
      "--max-parallel <n>",
      "run at most n tasks at once (default: twice the cores, fewer when memory or the open-file limit is low)",
      parsePositiveInt("--max-parallel"),
    )
    .option(
      "--strict-resources",
      "fail a task whose CPU, memory or GPU request exceeds this machine, or that needs a Kubernetes secret, config map or volume (default: run it, noting in its log what was not honoured)",
    )
    .action(async (ref: string, opts: RunsRetryOptions) => {
      const host = hostOf(program);
      process.exitCode =
        host === undefined
          ? await (await import("./runs-control.ts")).runsRetry(ref, opts)
          : await (await import("../remote/run-commands.ts")).remoteRunsRetry(host, ref, opts);
    });
  for (const action of ["archive", "unarchive", "delete"] as const) {
    const what = {
      archive: "archive runs: they leave the default lists (weft runs list --archived shows them)",
      unarchive: "bring archived runs back to the default lists",
      delete:
        "delete finished runs with their tasks, metrics and lineage records (artifact files stay on disk); an active run is refused",
    }[action];
    runs
      .command(action)
      .description(what)
      .argument("<runs...>", "run ids, id prefixes or names")
      .action(async (refs: string[]) => {
        const { runsStorage } = await import("../catalog-actions.ts");
        process.exitCode = await runsStorage(hostOf(program), action, refs);
      });
  }
  runs
    .command("edit")
    .description("change a run's name, description or tags")
    .argument("<run>", "run id, id prefix or name")
    .option("-n, --name <name>", "the new display name")
    .option("-d, --description <text>", "the new description")
    .option("-t, --tag <key=value>", "set a tag (repeatable)", collectParam)
    .option("--untag <key>", "remove a tag (repeatable)", collectParam)
    .option("--json", "print the run as JSON")
    .action(async (ref: string, opts: RunsEditOptions) => {
      const { runsEdit } = await import("../catalog-actions.ts");
      process.exitCode = await runsEdit(hostOf(program), ref, opts);
    });
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) return parsePositiveInt("--wait")(value);
  return n;
}

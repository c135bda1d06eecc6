/**
 * `weft experiments list|archive|unarchive|delete`: experiments with their run counts and
 * last run time; archiving one archives its runs, deleting one with runs needs --cascade.
 */
import type { Command } from "commander";
import { withContext } from "../context.ts";
import { formatTime, renderTable } from "../format.ts";
import { hostOf } from "../remote/connect.ts";

/** Lists experiments, newest first; returns the exit code. */
export async function experimentsList(opts: { json?: boolean; archived?: boolean }): Promise<number> {
  return withContext(({ store }) => {
    const page = store.experiments.list({
      filter: [{ field: "storageState", op: "EQUALS", value: opts.archived ? "ARCHIVED" : "AVAILABLE" }],
      sort: { field: "createdAt", desc: true },
      pageSize: 1000,
    });
    const counts = page.items.map(
      (e) => store.runs.list({ filter: [{ field: "experimentId", op: "EQUALS", value: e.id }], pageSize: 1 }).totalSize,
    );
    if (opts.json) {
      const items = page.items.map((e, i) => ({ ...e, runCount: counts[i] ?? 0 }));
      process.stdout.write(`${JSON.stringify({ experiments: items, totalSize: page.totalSize })}\n`);
      return 0;
    }
    if (page.items.length === 0) {
      process.stdout.write(`no experiments in ${store.home}; weft run --experiment NAME creates one\n`);
      return 0;
    }
    const rows = page.items.map((e, i) => [
      e.id,
      e.name,
      String(counts[i] ?? 0),
      formatTime(e.lastRunCreatedAt),
      formatTime(e.createdAt),
      e.description,
    ]);
    process.stdout.write(`${renderTable(["ID", "NAME", "RUNS", "LAST RUN", "CREATED", "DESCRIPTION"], rows)}\n`);
    return 0;
  });
}

/** Registers `weft experiments` on `program`. */
export function registerExperimentsCommand(program: Command): void {
  const experiments = program.command("experiments").description("experiments: groups of runs");
  experiments
    .command("list")
    .description("list experiments with their run counts")
    .option("--archived", "list archived experiments instead")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean; archived?: boolean }) => {
      const host = hostOf(program);
      process.exitCode =
        host === undefined
          ? await experimentsList(opts)
          : await (await import("../remote/runs-list.ts")).remoteExperimentsList(host, opts);
    });
  for (const action of ["archive", "unarchive"] as const) {
    experiments
      .command(action)
      .description(
        action === "archive"
          ? "archive an experiment and its runs (weft experiments list --archived shows it)"
          : "bring an archived experiment back (its runs stay archived)",
      )
      .argument("<experiment>", "experiment name or id")
      .action(async (ref: string) => {
        const { experimentsStorage } = await import("../catalog-actions.ts");
        process.exitCode = await experimentsStorage(hostOf(program), action, ref);
      });
  }
  experiments
    .command("delete")
    .description("delete an experiment; one with runs or recurring runs needs --cascade")
    .argument("<experiment>", "experiment name or id")
    .option("--cascade", "also delete its runs and recurring runs (refused while a run is active)")
    .action(async (ref: string, opts: { cascade?: boolean }) => {
      const { experimentsStorage } = await import("../catalog-actions.ts");
      process.exitCode = await experimentsStorage(hostOf(program), "delete", ref, opts);
    });
}

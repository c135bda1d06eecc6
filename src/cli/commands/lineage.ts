/**
 * `weft lineage <artifact-or-run>`: what produced an artifact, from which inputs, in
 * which run, and what consumed it; for a run, the same for each of its artifacts. With
 * `--upstream N` / `--downstream N`, the multi-hop graph around an artifact: every
 * execution N steps each way, with what it read and wrote.
 */
import type { Command } from "commander";
import { type Artifact, type LineageGraph, type Store, type Task, walkLineage } from "../../store/index.ts";
import { withContext } from "../context.ts";
import { CliError } from "../errors.ts";
import { colorState, colorsFor } from "../format.ts";
import { resolveArtifact, resolveRun } from "../resolve.ts";

/** One input of the producing task. */
export interface LineageInput {
  name: string;
  artifact?: { id: string; uri: string; schemaTitle: string; producerTask?: string; producerRunId?: string };
  parameter?: unknown;
}

/** The lineage of one artifact. */
export interface ArtifactLineage {
  artifact: { id: string; name: string; uri: string; schemaTitle: string; runId: string };
  producer?: { taskId: string; path: string; state: string; runId: string; runName: string };
  inputs: LineageInput[];
  consumers: { taskId: string; path: string; runId: string; runName: string; as: string }[];
}

/** Computes the lineage of `artifact` from the store's events. */
export function artifactLineage(store: Store, artifact: Artifact): ArtifactLineage {
  const runName = (id: string) => store.runs.get(id)?.displayName ?? id;
  const events = store.events.listByArtifact(artifact.id);
  const producerTask = store.tasks.get(artifact.taskId);
  const inputs: LineageInput[] = [];
  if (producerTask) {
    for (const e of store.events.listByTask(producerTask.id)) {
      if (e.type !== "INPUT") continue;
      const a = store.artifacts.get(e.artifactId);
      if (!a) continue;
      const from = store.tasks.get(a.taskId);
      inputs.push({
        name: e.name,
        artifact: {
          id: a.id,
          uri: a.uri,
          schemaTitle: a.schemaTitle,
          ...(from ? { producerTask: from.path, producerRunId: from.runId } : {}),
        },
      });
    }
    for (const [name, value] of Object.entries(producerTask.inputs.parameters)) inputs.push({ name, parameter: value });
  }
  const consumers = events
    .filter((e) => e.type === "INPUT")
    .map((e) => ({ e, t: store.tasks.get(e.taskId) }))
    .filter((x): x is { e: (typeof events)[number]; t: Task } => x.t !== undefined)
    .map(({ e, t }) => ({ taskId: t.id, path: t.path, runId: t.runId, runName: runName(t.runId), as: e.name }));
  return {
    artifact: {
      id: artifact.id,
      name: artifact.name,
      uri: artifact.uri,
      schemaTitle: artifact.schemaTitle,
      runId: artifact.runId,
    },
    ...(producerTask
      ? {
          producer: {
            taskId: producerTask.id,
            path: producerTask.path,
            state: producerTask.state,
            runId: producerTask.runId,
            runName: runName(producerTask.runId),
          },
        }
      : {}),
    inputs,
    consumers,
  };
}

/** Renders one artifact's lineage as indented text. */
export function renderLineage(l: ArtifactLineage, color = colorsFor(process.stdout)): string {
  const c = color;
  const short = (p: string) => p.replace(/^root\//, "");
  const lines = [
    `${c.bold(l.artifact.name)} ${c.gray(l.artifact.schemaTitle)} ${l.artifact.uri}`,
    `  id ${l.artifact.id}`,
  ];
  if (l.producer) {
    lines.push(
      `  produced by ${c.bold(short(l.producer.path))} (${colorState(l.producer.state, l.producer.state, c)}) in run ${l.producer.runName} (${l.producer.runId})`,
    );
  } else {
    lines.push("  producer unknown (task record missing)");
  }
  const arts = l.inputs.filter((i) => i.artifact);
  const params = l.inputs.filter((i) => !i.artifact);
  if (arts.length + params.length === 0) lines.push("  from no inputs");
  for (const i of arts) {
    const a = i.artifact!;
    const from = a.producerTask
      ? ` from ${short(a.producerTask)}${a.producerRunId !== l.producer?.runId ? ` in run ${a.producerRunId}` : ""}`
      : "";
    lines.push(`  ← input ${i.name}: ${a.schemaTitle} ${a.uri}${from} (${a.id})`);
  }
  for (const i of params) lines.push(`  ← parameter ${i.name} = ${JSON.stringify(i.parameter)}`);
  if (l.consumers.length === 0) lines.push("  consumed by no task");
  for (const k of l.consumers) {
    const where = k.runId === l.producer?.runId ? "" : ` in run ${k.runName} (${k.runId})`;
    lines.push(`  → consumed by ${short(k.path)} as ${k.as}${where}`);
  }
  return lines.join("\n");
}

/** Renders a multi-hop lineage graph: one line per execution, upstream first. */
export function renderLineageGraph(g: LineageGraph, color = colorsFor(process.stdout)): string {
  const c = color;
  const short = (p: string) => p.replace(/^root\//, "");
  const root = g.nodes.find((n) => n.id === g.root);
  const rootRun = root?.artifact?.runId ?? root?.task?.runId;
  const names = new Map(g.nodes.map((n) => [n.id, n.artifact?.name ?? n.task?.path ?? n.id]));
  const lines: string[] = [];
  if (root?.artifact) {
    const a = root.artifact;
    lines.push(`${c.bold(a.name)} ${c.gray(a.schemaTitle)} ${a.uri}`, `  id ${a.id}`);
  }
  lines.push(`  ${g.upstream} execution(s) upstream, ${g.downstream} downstream:`);
  const executions = g.nodes
    .filter((n) => n.task !== undefined)
    .sort((x, y) => x.hop - y.hop || (x.task?.path ?? "").localeCompare(y.task?.path ?? ""));
  if (executions.length === 0) lines.push("  no execution made or read it");
  for (const n of executions) {
    const t = n.task as Task;
    const ins = g.edges.filter((e) => e.to === n.id && e.type === "INPUT").map((e) => names.get(e.from));
    const outs = g.edges.filter((e) => e.from === n.id && e.type === "OUTPUT").map((e) => names.get(e.to));
    const where = t.runId === rootRun ? "" : ` in run ${t.runId}`;
    const hop = n.hop > 0 ? `+${n.hop}` : String(n.hop);
    lines.push(
      `  ${hop.padStart(3)} ${c.bold(short(t.path))} (${colorState(t.state, t.state, c)})${where}: ${ins.join(", ") || "-"} → ${outs.join(", ") || "-"}`,
    );
  }
  const more = g.nodes.filter((n) => n.more).map((n) => names.get(n.id));
  if (more.length > 0)
    lines.push(c.gray(`  (more lineage beyond ${more.join(", ")}: raise --upstream or --downstream)`));
  if (g.truncated) lines.push(c.gray("  (truncated at the node limit)"));
  return lines.join("\n");
}

/** Options of `weft lineage`. */
export interface LineageOptions {
  json?: boolean;
  upstream?: number;
  downstream?: number;
}

/** The executions walked each way when only the other direction is given. */
export const DEFAULT_HOPS = 2;

/** Prints the lineage of an artifact (id or URI) or of every artifact of a run. */
export async function lineage(ref: string, opts: LineageOptions): Promise<number> {
  if (opts.upstream !== undefined || opts.downstream !== undefined) return lineageGraph(ref, opts);
  return withContext(({ store }) => {
    let artifacts: Artifact[];
    let header = "";
    try {
      artifacts = [resolveArtifact(store, ref)];
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      let run: ReturnType<typeof resolveRun>;
      try {
        run = resolveRun(store, ref);
      } catch {
        throw new CliError(
          "ARTIFACT_NOT_FOUND",
          `"${ref}" is neither an artifact id or uri nor a run id or name in ${store.home}; see: weft runs list, weft runs get <run>`,
        );
      }
      artifacts = store.artifacts.listByRun(run.id);
      header = `Run ${run.displayName} (${run.id}): ${artifacts.length} artifact(s)\n\n`;
    }
    const result = artifacts.map((a) => artifactLineage(store, a));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ lineage: result })}\n`);
      return 0;
    }
    process.stdout.write(header + result.map((l) => renderLineage(l)).join("\n\n") + "\n");
    return 0;
  });
}

async function lineageGraph(ref: string, opts: LineageOptions): Promise<number> {
  return withContext(({ store }) => {
    const artifact = resolveArtifact(store, ref);
    const graph = walkLineage(
      store,
      { artifact },
      {
        upstream: opts.upstream ?? DEFAULT_HOPS,
        downstream: opts.downstream ?? DEFAULT_HOPS,
      },
    );
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ graph })}\n`);
      return 0;
    }
    process.stdout.write(`${renderLineageGraph(graph)}\n`);
    return 0;
  });
}

function parseHops(name: string): (value: string) => number {
  return (value: string) => {
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isInteger(n) || n > 10) {
      throw new CliError("BAD_OPTION", `${name} ${JSON.stringify(value)} must be a whole number from 0 to 10`);
    }
    return n;
  };
}

/** Registers `weft lineage` on `program`. */
export function registerLineageCommand(program: Command): void {
  program
    .command("lineage")
    .description("what produced an artifact, from which inputs, in which run, and what consumed it")
    .argument("<artifact-or-run>", "an artifact id or uri, or a run id or name")
    .option("--json", "print JSON")
    .option(
      "-u, --upstream <n>",
      "walk n executions upstream of the artifact (multi-hop graph)",
      parseHops("--upstream"),
    )
    .option(
      "-d, --downstream <n>",
      "walk n executions downstream of the artifact (multi-hop graph)",
      parseHops("--downstream"),
    )
    .action(async (ref: string, opts: LineageOptions) => {
      process.exitCode = await lineage(ref, opts);
    });
}

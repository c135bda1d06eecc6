/**
 * Records a finished task's outputs before its state says so: artifacts (with content
 * digests; an output with no file is metadata-only, its digest taken over its canonical
 * metadata JSON), OUTPUT and INPUT events, metrics from Metrics artifacts with the run-level
 * metrics they make (`run-metrics.ts`), and the cache entry.
 * Digests are streamed by `digestArtifact` ({@link digestOutputs}) before the store's write
 * transaction opens; the transaction itself reads no file.
 */
import { digestArtifact } from "../artifacts/index.ts";
import type { ComponentSpec, JsonValue } from "../ir/index.ts";
import { labelsByPath } from "../ir/labels.ts";
import type { Artifact, CachedArtifact } from "../store/index.ts";
import type { NodeIO, RunContext, RuntimeArtifact } from "./context.ts";
import { TaskError } from "./errors.ts";
import { enclosingIterations, taskRunMetrics } from "./run-metrics.ts";
import { metadataDigest, type PendingArtifact } from "./task-io.ts";

/** An output artifact ready to record: its digest (and size) already known. */
export type RecordedOutput = CachedArtifact & { name: string; sizeBytes?: number; metadataOnly?: boolean };

/**
 * Artifact types whose content is their metadata (what `executor_output.json` gives them):
 * KFP's metrics, which its runtimes log without writing a file.
 */
export const METADATA_ARTIFACT_TYPES: ReadonlySet<string> = new Set([
  "system.Metrics",
  "system.ClassificationMetrics",
  "system.SlicedClassificationMetrics",
]);

/**
 * Digests a task's fresh outputs (streaming, never following a link). A metrics output
 * ({@link METADATA_ARTIFACT_TYPES}) with no file is metadata-only; any other output with
 * nothing (no file, no directory) at its place in the store fails the task naming it:
 * its content went elsewhere or was never written, and a success would record an artifact
 * with no content (KFP's launcher only logs a warning there). An output that is itself a
 * symbolic link, or a FIFO, socket or device, fails the task naming the output: its
 * content would be somewhere else, so it is refused rather than followed. Links inside a
 * directory output are digested as their link text and never followed.
 *
 * @throws TaskError `OUTPUT_MISSING` or `PATH_UNSAFE` naming the task and the output.
 */
export async function digestOutputs(pending: PendingArtifact[], task: string): Promise<RecordedOutput[]> {
  const out: RecordedOutput[] = [];
  for (const p of pending) {
    const { path: local, ...rest } = p;
    const found = await digestArtifact(local);
    if (found === undefined && !METADATA_ARTIFACT_TYPES.has(p.schemaTitle)) {
      throw new TaskError(
        "OUTPUT_MISSING",
        `task '${task}' succeeded but did not produce output artifact '${p.name}' (${p.schemaTitle}): nothing is at ${local}; write a file or a directory at the path its executor input URI or {{$.outputs.artifacts['${p.name}'].path}} gives`,
      );
    }
    if (found === undefined) {
      out.push({ ...rest, digest: metadataDigest(p.metadata), metadataOnly: true });
    } else if (found.kind === "symlink") {
      throw new TaskError(
        "PATH_UNSAFE",
        `task '${task}': output artifact '${p.name}' at ${local} is a symbolic link (to ${found.target}); links are not followed, so write the content itself there`,
      );
    } else if (found.kind === "other") {
      throw new TaskError(
        "PATH_UNSAFE",
        `task '${task}': output artifact '${p.name}' at ${local} is not a regular file or directory; write a file or a directory there`,
      );
    } else {
      out.push({ ...rest, digest: found.digest, sizeBytes: found.sizeBytes });
    }
  }
  return out;
}

/** Records INPUT events for every input artifact of a task. */
export function recordInputEvents(ctx: RunContext, taskId: string, inputs: NodeIO): void {
  for (const [name, list] of Object.entries(inputs.artifacts)) {
    for (const a of list) ctx.store.events.record({ runId: ctx.runId, taskId, artifactId: a.id, type: "INPUT", name });
  }
}

/** The task a set of outputs belongs to, for its run-level metrics: its path, component and output parameters. */
export interface OutputsOf {
  path: string;
  component: ComponentSpec;
  parameters: Record<string, JsonValue>;
}

/**
 * Records output artifacts (digests computed before, by {@link digestOutputs}), OUTPUT
 * events, metrics and, when `task` is given, the run-level metrics of its outputs, all in
 * the caller's transaction; returns runtime artifacts.
 */
export function recordOutputArtifacts(
  ctx: RunContext,
  taskId: string,
  pending: RecordedOutput[],
  task?: OutputsOf,
): Record<string, RuntimeArtifact[]> {
  const out: Record<string, RuntimeArtifact[]> = {};
  const metrics: { runId: string; taskId: string; artifactId: string; name: string; value: number }[] = [];
  const byOutput: Array<{ output: string; values: Record<string, number> }> = [];
  for (const p of pending) {
    const metadataOnly = p.metadataOnly === true;
    const d = p.digest !== undefined ? { digest: p.digest, sizeBytes: p.sizeBytes } : undefined;
    const rec = ctx.store.artifacts.create({
      runId: ctx.runId,
      taskId,
      name: p.name,
      uri: p.uri,
      schemaTitle: p.schemaTitle,
      schemaVersion: p.schemaVersion,
      metadata: p.metadata,
      ...(d?.digest !== undefined ? { digest: d.digest } : {}),
      ...(d?.sizeBytes !== undefined ? { sizeBytes: d.sizeBytes } : {}),
    });
    ctx.store.events.record({ runId: ctx.runId, taskId, artifactId: rec.id, type: "OUTPUT", name: p.name });
    if (p.schemaTitle === "system.Metrics") {
      const values: Record<string, number> = {};
      for (const [k, v] of Object.entries(p.metadata)) {
        if (typeof v === "number" && Number.isFinite(v)) {
          metrics.push({ runId: ctx.runId, taskId, artifactId: rec.id, name: k, value: v });
          values[k] = v;
        }
      }
      byOutput.push({ output: p.name, values });
    }
    const ra: RuntimeArtifact = {
      id: rec.id,
      name: p.name,
      uri: rec.uri,
      schemaTitle: rec.schemaTitle,
      schemaVersion: rec.schemaVersion,
      metadata: rec.metadata,
      ...(rec.digest !== undefined ? { digest: rec.digest } : {}),
      ...(metadataOnly ? { metadataOnly: true } : {}),
    };
    const list = out[p.name] ?? [];
    list.push(ra);
    out[p.name] = list;
  }
  const runMetrics =
    task && ctx.runMetrics
      ? taskRunMetrics(ctx.runMetrics, {
          path: task.path,
          // iterations by their item (evaluate[mlp].f1), as everywhere else
          labels: ctx.runMetrics.source === "tasks" ? iterationLabels(ctx, task.path) : new Map(),
          parameters: task.parameters,
          metrics: byOutput,
          numericParameters: new Set(
            Object.entries(task.component.outputDefinitions?.parameters ?? {})
              .filter(([, d]) => d.parameterType === "NUMBER_DOUBLE" || d.parameterType === "NUMBER_INTEGER")
              .map(([k]) => k),
          ),
        }).map((m) => ({ runId: ctx.runId, taskId, ...m }))
      : [];
  if (metrics.length > 0 || runMetrics.length > 0) ctx.store.metrics.recordMany(metrics, runMetrics);
  return out;
}

/** The cache entry form of a task's outputs. */
export function cacheOutputsOf(outputs: NodeIO): {
  parameters: Record<string, JsonValue>;
  artifacts: Record<string, CachedArtifact[]>;
} {
  const artifacts: Record<string, CachedArtifact[]> = {};
  for (const [k, list] of Object.entries(outputs.artifacts)) {
    artifacts[k] = list.map((a) => ({
      uri: a.uri,
      schemaTitle: a.schemaTitle,
      schemaVersion: a.schemaVersion,
      metadata: a.metadata,
      ...(a.digest !== undefined ? { digest: a.digest } : {}),
      ...(a.metadataOnly ? { metadataOnly: true } : {}),
    }));
  }
  return { parameters: outputs.parameters, artifacts };
}

/** Rebuilds runtime outputs of a task from the store (resume reuses finished tasks). */
export function storedOutputs(ctx: RunContext, taskId: string, parameters: Record<string, JsonValue>): NodeIO {
  const artifacts: Record<string, RuntimeArtifact[]> = {};
  for (const a of ctx.store.artifacts.listByTask(taskId)) {
    const list = artifacts[a.name] ?? [];
    artifacts[a.name] = list;
    list.push(runtimeArtifactOf(a));
  }
  return { parameters, artifacts };
}

/** The runtime form of a stored artifact, as tasks downstream receive it. */
export function runtimeArtifactOf(a: Artifact): RuntimeArtifact {
  return {
    id: a.id,
    name: a.name,
    uri: a.uri,
    schemaTitle: a.schemaTitle,
    schemaVersion: a.schemaVersion,
    metadata: a.metadata,
    ...(a.digest !== undefined ? { digest: a.digest } : {}),
  };
}

/** The labels of the iterations enclosing the task at `path`, from their recorded display names. */
function iterationLabels(ctx: RunContext, path: string): Map<string, string> {
  const iterations = enclosingIterations(path).flatMap((p) => {
    const t = ctx.store.tasks.getByPath(ctx.runId, p);
    return t ? [t] : [];
  });
  return labelsByPath(iterations);
}

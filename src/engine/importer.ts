/**
 * Importer tasks: record an existing artifact (URI from a constant or a runtime
 * parameter) without running a process.
 */
import { digestArtifact } from "../artifacts/index.ts";
import { uriToLocalPath } from "../executor/index.ts";
import type { ComponentSpec, PipelineTaskSpec } from "../ir/index.ts";
import { emitTask, type NodeIO, type NodePlace, type NodeResult, type RunContext, toTaskInputs } from "./context.ts";
import { type TaskErrorCode, taskFailure } from "./errors.ts";
import { recordOutputArtifacts } from "./outputs-recorder.ts";

/** Records the imported artifact as the task's output (key of the component's only output artifact, or `artifact`). */
export async function runImporterNode(
  ctx: RunContext,
  place: NodePlace,
  _task: PipelineTaskSpec,
  component: ComponentSpec,
  inputs: NodeIO,
): Promise<NodeResult> {
  const spec = ctx.spec.deploymentSpec?.executors?.[component.executorLabel ?? ""]?.importer;
  const now = ctx.clock();
  const rec = ctx.store.tasks.upsert({
    runId: ctx.runId,
    path: place.path,
    name: place.name,
    displayName: place.name,
    kind: "importer",
    componentName: place.componentName,
    ...(place.parentId !== undefined ? { parentId: place.parentId } : {}),
    state: "RUNNING",
    attempt: 1,
    startedAt: now,
    inputs: toTaskInputs(inputs),
  });
  const fail = (code: TaskErrorCode, message: string): NodeResult => {
    const error = taskFailure(code, message);
    const t = ctx.store.tasks.update(rec.id, { state: "FAILED", finishedAt: ctx.clock(), error });
    emitTask(ctx, t, { error });
    return { state: "FAILED", outputs: { parameters: {}, artifacts: {} }, taskId: rec.id, error };
  };
  if (!spec)
    return fail(
      "SPEC_INVALID",
      `task '${place.path}': executor '${component.executorLabel ?? ""}' has no importer spec`,
    );
  const src = spec.artifactUri;
  const raw = src.runtimeParameter !== undefined ? inputs.parameters[src.runtimeParameter] : src.constant;
  if (typeof raw !== "string" || raw === "") {
    return fail(
      "INPUT_INVALID",
      `task '${place.path}': the importer's artifactUri${src.runtimeParameter ? ` (input parameter '${src.runtimeParameter}')` : ""} is not a URI string; pass e.g. "file:///data/train.csv"`,
    );
  }
  const outKey = Object.keys(component.outputDefinitions?.artifacts ?? {})[0] ?? "artifact";
  const local = uriToLocalPath(raw);
  // Streamed before the transaction; a link is not followed (it gets no digest).
  const found = local.startsWith("/") ? await digestArtifact(local).catch(() => undefined) : undefined;
  const d = found?.kind === "file" || found?.kind === "directory" ? found : undefined;
  const outputs: NodeIO = { parameters: {}, artifacts: {} };
  const t = ctx.store.transaction(() => {
    outputs.artifacts = recordOutputArtifacts(ctx, rec.id, [
      {
        name: outKey,
        uri: raw,
        schemaTitle: spec.typeSchema.schemaTitle ?? "system.Artifact",
        schemaVersion: spec.typeSchema.schemaVersion ?? "0.0.1",
        metadata: spec.metadata ?? {},
        ...(d ? { digest: d.digest } : {}),
      },
    ]);
    return ctx.store.tasks.update(rec.id, { state: "SUCCEEDED", finishedAt: ctx.clock() });
  });
  emitTask(ctx, t);
  return { state: "SUCCEEDED", outputs, taskId: rec.id };
}

/**
 * Artifacts given for a pipeline's own artifact inputs (`root.inputDefinitions.artifacts`):
 * checked before a run is recorded (and again before a queued or retried run executes),
 * then recorded in the store as the run's input artifacts, with the schema type the input
 * declares, and handed to the root DAG like any upstream artifact.
 */
import fs from "node:fs";
import path from "node:path";
import { digestArtifact, localPathToUri, uriToLocalPath } from "../artifacts/index.ts";
import type { PipelineSpec } from "../ir/index.ts";
import type { Run } from "../store/index.ts";
import type { RunContext, RuntimeArtifact } from "./context.ts";
import { ParameterError } from "./errors.ts";
import { type RecordedOutput, recordOutputArtifacts, runtimeArtifactOf } from "./outputs-recorder.ts";

/** The path of the task record that holds a run's given input artifacts. */
export const ROOT_INPUTS_PATH = "root";

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

function listOf(names: string[], none: string): string {
  return names.length > 0 ? names.join(", ") : none;
}

/**
 * Checks artifacts given by input name (an absolute path or a URI each) against the
 * pipeline's artifact inputs: every name must be one, the content must exist on this
 * machine (a URI is looked for where a task would read it: `gs://b/k` at `/gcs/b/k`), and
 * every required input (not `isOptional`) must be given. Returns input name to URI (a
 * path becomes a `file://` URI of its real path).
 *
 * @throws ParameterError naming the input and what to pass
 * @example checkRootArtifacts(spec, { data: "/tmp/rows.csv" }) // { data: "file:///tmp/rows.csv" }
 */
export function checkRootArtifacts(spec: PipelineSpec, given: Record<string, string> = {}): Record<string, string> {
  const defs = spec.root.inputDefinitions?.artifacts ?? {};
  const params = spec.root.inputDefinitions?.parameters ?? {};
  const pipeline = spec.pipelineInfo.name;
  const declared = listOf(Object.keys(defs), "(none)");
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (!(name in defs)) {
      const what =
        name in params
          ? `'${name}' is an input parameter of pipeline '${pipeline}', not an artifact input; pass it as a parameter (--param ${name}=...)`
          : `pipeline '${pipeline}' has no artifact input '${name}'`;
      throw new ParameterError(name, `${what}; its artifact inputs are: ${declared}`);
    }
    if (typeof value !== "string" || value === "") {
      throw new ParameterError(
        name,
        `artifact input '${name}' is empty; give a path or a URI (--artifact ${name}=PATH)`,
      );
    }
    let uri = value;
    if (!SCHEME.test(value)) {
      if (!path.isAbsolute(value)) {
        throw new ParameterError(
          name,
          `artifact input '${name}': '${value}' is a relative path; give an absolute path or a URI (weft run resolves a relative path against the working directory)`,
        );
      }
      uri = localPathToUri(value, { file: true });
    }
    const local = uriToLocalPath(uri);
    if (!path.isAbsolute(local) || !fs.existsSync(local)) {
      throw new ParameterError(
        name,
        `artifact input '${name}': ${value} does not exist on this machine${local !== value ? ` (looked at ${local})` : ""}; give the path or URI of an existing file or directory`,
      );
    }
    out[name] = uri.startsWith("file://") ? localPathToUri(fs.realpathSync(local), { file: true }) : uri;
  }
  for (const [name, def] of Object.entries(defs)) {
    if (name in out || def.isOptional) continue;
    throw new ParameterError(
      name,
      `pipeline '${pipeline}' requires artifact input '${name}' (${def.artifactType.schemaTitle ?? "an artifact"}); pass it with --artifact ${name}=<path or URI> (runtime_config.input_artifacts over the API)`,
    );
  }
  return out;
}

/**
 * Records the run's given input artifacts once (a task record at path `root`, kind
 * `importer`, that outputs them as an importer does; each artifact with its content digest
 * and the schema type its input declares), and returns them by input name for the root
 * DAG. A resumed run reuses what its first execution recorded.
 */
export async function recordRootArtifacts(ctx: RunContext, run: Run): Promise<Record<string, RuntimeArtifact[]>> {
  const given = Object.entries(run.inputArtifacts ?? {});
  if (given.length === 0) return {};
  const existing = ctx.store.tasks.getByPath(run.id, ROOT_INPUTS_PATH);
  if (existing) {
    const out: Record<string, RuntimeArtifact[]> = {};
    for (const a of ctx.store.artifacts.listByTask(existing.id)) out[a.name] = [runtimeArtifactOf(a)];
    return out;
  }
  // streamed before the transaction; a link is not followed (it gets no digest)
  const defs = run.pipelineSpec.root.inputDefinitions?.artifacts ?? {};
  const pending: RecordedOutput[] = [];
  for (const [name, uri] of given) {
    const found = await digestArtifact(uriToLocalPath(uri)).catch(() => undefined);
    const type = defs[name]?.artifactType;
    pending.push({
      name,
      uri,
      schemaTitle: type?.schemaTitle ?? "system.Artifact",
      schemaVersion: type?.schemaVersion ?? "0.0.1",
      metadata: {},
      ...(found?.kind === "file" || found?.kind === "directory"
        ? { digest: found.digest, sizeBytes: found.sizeBytes }
        : {}),
    });
  }
  return ctx.store.transaction(() => {
    const now = ctx.clock();
    const rec = ctx.store.tasks.upsert({
      runId: run.id,
      path: ROOT_INPUTS_PATH,
      name: ROOT_INPUTS_PATH,
      displayName: "pipeline inputs",
      kind: "importer",
      state: "SUCCEEDED",
      attempt: 1,
      startedAt: now,
      finishedAt: now,
    });
    // as an importer records what it imports: the tasks that read it add their INPUT events
    return recordOutputArtifacts(ctx, rec.id, pending);
  });
}

/**
 * What the store knows about a model version's source: the artifact record behind the
 * source URI, the task that wrote it, the run and its pipeline version, the artifacts
 * upstream of it (the producing task's inputs, their producers' inputs, ...) and among
 * them the Dataset artifacts, and the run's metrics. Read from the store only; the file
 * itself (digest, format, signature) is `register.ts`'s part.
 */
import { isAbsolute, posix } from "node:path";
import { localPathToUri, uriToLocalPath } from "../artifacts/index.ts";
import type { Artifact, Store, Task } from "../store/index.ts";
import { walkLineage } from "../store/index.ts";

/** Upstream executions walked from a model artifact (the graph stops at {@link MAX_UPSTREAM_NODES} anyway). */
const MAX_UPSTREAM_HOPS = 50;
/** The most nodes one upstream walk visits. */
const MAX_UPSTREAM_NODES = 2000;
/** How many parent folders of a local path are tried as the artifact that holds it. */
const MAX_PARENT_STEPS = 8;

/** An artifact upstream of the model, as a version records it. */
export interface UpstreamArtifact {
  artifactId: string;
  name: string;
  type: string;
  uri: string;
  digest?: string;
  runId: string;
  taskId: string;
  /** The producing task's name (its path under the run, `root/` left out). */
  task: string;
}

/** A Dataset the model was made from: an upstream `system.Dataset` artifact. */
export interface DatasetRef {
  name: string;
  uri: string;
  digest?: string;
  task: string;
  artifactId: string;
  runId: string;
}

/** Where a source URI leads. */
export interface SourceLocation {
  /** The local path of the source, when it is one (a `file://` URI, an absolute path, or a `runs:/` URI's artifact). */
  path?: string;
  /** The artifact record that holds the source: equal to it, or a folder artifact it lies inside. */
  artifact?: Artifact;
  /** Whether the source is the artifact itself rather than a file inside it. */
  exact?: boolean;
  /** Why a `runs:/` source names nothing (the run, task or output is unknown). */
  problem?: string;
}

/** What the store says about a model artifact. */
export interface StoreLineage {
  /** The Weft run, when the source is one of its artifacts or `run_id` names a run or a task of one. */
  runId?: string;
  taskId?: string;
  taskName?: string;
  pipelineVersionId?: string;
  datasets: DatasetRef[];
  upstream: UpstreamArtifact[];
  /** The run's metrics, then the model artifact's own numeric metadata (which wins on a shared name). */
  metrics: Record<string, number>;
}

const taskLabel = (t: Task | undefined): string => (t ? t.path.replace(/^root\//, "") || t.name : "");

/** The URIs a local path may be recorded under (the engine percent-encodes each segment). */
function uriCandidates(path: string): string[] {
  const segments = `file://${path.split("/").map(encodeURIComponent).join("/")}`;
  return [...new Set([segments, localPathToUri(path, { file: true }), path])];
}

function artifactAtPath(store: Pick<Store, "artifacts">, path: string): Artifact | undefined {
  for (const uri of uriCandidates(path)) {
    const a = store.artifacts.getByUri(uri);
    if (a) return a;
  }
  return undefined;
}

/**
 * Finds the artifact behind `source`: a `file://` URI or an absolute path (the path a task
 * sees), matched against recorded URIs, then its parent folders (a file inside a folder
 * artifact); or `runs:/<run_id>/<task>/<output>[/<file>]`, where `<task>` is the task's
 * name or its path under the run. Any other URI (`s3://...`) is not a Weft artifact: the
 * result names neither path nor artifact.
 */
export function locateSource(store: Pick<Store, "artifacts" | "tasks" | "runs">, source: string): SourceLocation {
  if (source.startsWith("runs:/")) return locateRunsUri(store, source);
  let path: string | undefined;
  if (source.startsWith("file://")) path = uriToLocalPath(source);
  else if (isAbsolute(source) && !source.includes("://")) path = source;
  if (path === undefined) {
    const artifact = store.artifacts.getByUri(source);
    return artifact ? { artifact, exact: true } : {};
  }
  path = posix.normalize(path);
  const exact = store.artifacts.getByUri(source) ?? artifactAtPath(store, path);
  if (exact) return { path, artifact: exact, exact: true };
  let dir = path;
  for (let i = 0; i < MAX_PARENT_STEPS; i++) {
    const parent = posix.dirname(dir);
    if (parent === dir) break;
    dir = parent;
    const a = artifactAtPath(store, dir);
    if (a) return { path, artifact: a, exact: false };
  }
  return { path };
}

function locateRunsUri(store: Pick<Store, "artifacts" | "tasks" | "runs">, source: string): SourceLocation {
  const parts = source
    .slice("runs:/".length)
    .split("/")
    .filter((p) => p !== "");
  const [runId, ...rest] = parts;
  const usage = "write it as runs:/<run_id>/<task>/<output>";
  if (!runId || rest.length < 2) return { problem: `source '${source}' names no task output; ${usage}` };
  const run = store.runs.get(runId);
  if (!run) return { problem: `source '${source}': run '${runId}' is not in the store; check the run id` };
  const tasks = store.tasks.listByRun(runId);
  // The longest task path that the URI starts with, so nested tasks (`loop/train`) resolve.
  for (let k = rest.length - 1; k >= 1; k--) {
    const taskRef = rest.slice(0, k).join("/");
    const task =
      tasks.find((t) => t.path === `root/${taskRef}` || t.path === taskRef) ?? tasks.find((t) => t.name === taskRef);
    if (!task) continue;
    const output = rest[k]!;
    const artifact = store.artifacts.listByTask(task.id).find((a) => a.name === output);
    if (!artifact) {
      return { problem: `source '${source}': task '${taskRef}' of run '${runId}' has no output artifact '${output}'` };
    }
    const inside = rest.slice(k + 1);
    const base =
      artifact.uri.startsWith("file://") || isAbsolute(artifact.uri) ? uriToLocalPath(artifact.uri) : undefined;
    const path = base === undefined ? undefined : inside.length > 0 ? posix.join(base, ...inside) : base;
    if (inside.some((p) => p === "..")) return { problem: `source '${source}' leaves its artifact ('..'); ${usage}` };
    return { artifact, exact: inside.length === 0, ...(path !== undefined ? { path } : {}) };
  }
  return { problem: `source '${source}': run '${runId}' has no task '${rest.slice(0, -1).join("/")}'; ${usage}` };
}

/** Finite numbers among an artifact's metadata values. */
function numericMetadata(a: Artifact | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(a?.metadata ?? {})) {
    if (typeof v === "number" && Number.isFinite(v)) out[k] = v;
  }
  return out;
}

/**
 * The store's lineage of a model artifact: its producing task, the run's pipeline
 * version, every artifact upstream of it (transitively, across runs) with the Datasets
 * among them, and the metrics snapshot. `runId` is the version's `run_id` as the client
 * gave it: a Weft run id, or a task id (a task's MLflow run), used when the source is not a
 * Weft artifact.
 */
export function storeLineage(
  store: Pick<Store, "artifacts" | "events" | "tasks" | "runs" | "metrics">,
  artifact: Artifact | undefined,
  runId?: string,
): StoreLineage {
  const out: StoreLineage = { datasets: [], upstream: [], metrics: {} };
  let weftRunId = artifact?.runId;
  if (weftRunId === undefined && runId) {
    weftRunId = store.runs.get(runId) ? runId : store.tasks.get(runId)?.runId;
  }
  const run = weftRunId ? store.runs.get(weftRunId) : undefined;
  if (run) {
    out.runId = run.id;
    if (run.pipelineVersionId) out.pipelineVersionId = run.pipelineVersionId;
    for (const m of store.metrics.runMetricsOf([run.id])[run.id] ?? []) out.metrics[m.name] = m.value;
  }
  // Without a recorded artifact, a run_id that is a task (a task registering a file it is
  // still writing, through its own MLflow run) is the producer: its inputs are upstream.
  const producer = artifact ? store.tasks.get(artifact.taskId) : runId ? store.tasks.get(runId) : undefined;
  if (!artifact && !producer) return out;
  if (producer) {
    out.taskId = producer.id;
    out.taskName = taskLabel(producer);
  }
  if (artifact) Object.assign(out.metrics, numericMetadata(artifact));
  const graph = walkLineage(store, artifact ? { artifact } : { task: producer! }, {
    upstream: MAX_UPSTREAM_HOPS,
    downstream: 0,
    maxNodes: MAX_UPSTREAM_NODES,
  });
  const tasks = new Map<string, Task>();
  for (const n of graph.nodes) if (n.task) tasks.set(n.task.id, n.task);
  for (const n of graph.nodes) {
    const a = n.artifact;
    if (!a) continue;
    // Upstream: negative hops; from a task, also its own inputs (hop 0), never its outputs.
    if (artifact ? n.hop >= 0 || a.id === artifact.id : n.hop > 0 || a.taskId === producer!.id) continue;
    const task = taskLabel(tasks.get(a.taskId) ?? store.tasks.get(a.taskId));
    const up: UpstreamArtifact = {
      artifactId: a.id,
      name: a.name,
      type: a.schemaTitle,
      uri: a.uri,
      ...(a.digest ? { digest: a.digest } : {}),
      runId: a.runId,
      taskId: a.taskId,
      task,
    };
    out.upstream.push(up);
    if (a.schemaTitle === "system.Dataset") {
      out.datasets.push({
        name: a.name,
        uri: a.uri,
        ...(a.digest ? { digest: a.digest } : {}),
        task,
        artifactId: a.id,
        runId: a.runId,
      });
    }
  }
  return out;
}

/**
 * The values of KFP's run-level placeholders (`{{$.pipeline_job_name}}` and friends) for
 * one run, in the forms a Kubeflow cluster gives them (the v2 driver), or kfp.local's
 * where the cluster gives none. Every value is derived from the run record, so a resumed
 * run (another process, a restarted server) sees the same ones.
 */
import { createHash } from "node:crypto";
import type { Run } from "../store/index.ts";

/** What a run's tasks see through KFP's runtime placeholders. */
export interface RunRuntime {
  /** `{{$.pipeline_job_name}}`: the run's display name (KFP: the run display name). */
  jobName: string;
  /** `{{$.pipeline_job_uuid}}`: the run id (KFP: the run UUID). */
  jobUuid: string;
  /** `{{$.pipeline_job_resource_name}}`: `<pipeline name>-<5 characters>` (KFP: the Argo Workflow's name). */
  jobResourceName: string;
  /** `{{$.pipeline_job_create_time_utc}}`: when the run was created, RFC 3339 in seconds (`2026-01-02T03:04:05Z`). */
  createTimeUtc: string;
  /** `{{$.pipeline_job_schedule_time_utc}}`: a recurring run's scheduled time, else the creation time. */
  scheduleTimeUtc: string;
  /** `{{$.pipeline_root}}`: the run's pipeline root as a local path (kfp.local's form). */
  pipelineRoot: string;
}

/** The characters Kubernetes appends to a `generateName` (`k8s.io/apimachinery/pkg/util/rand`). */
const K8S_NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";
/** Kubernetes cuts a `generateName` to 63 - 5 characters before appending its suffix. */
const MAX_GENERATE_NAME = 58;

/**
 * The run's name as a Kubeflow cluster gives it: KFP submits an Argo Workflow with
 * `generateName: <last '/' part of pipelineInfo.name>-`, which Kubernetes cuts to 58
 * characters and completes with 5 random characters of its name alphabet. Weft derives
 * the 5 characters from the run id, so the name is the same however often it is computed.
 * A pipeline name outside Kubernetes' `[a-z0-9-]` (KFP's compiler never writes one) is
 * lowercased and every other run of characters becomes `-`.
 *
 * @example kfpResourceName("pipeline-with-placeholders", runId) // "pipeline-with-placeholders-x7kqz"
 */
export function kfpResourceName(pipelineName: string, runId: string): string {
  const last = pipelineName.split("/").pop() ?? "";
  const base =
    last
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^[^a-z0-9]+/, "") || "pipeline";
  const prefix = `${base}-`.slice(0, MAX_GENERATE_NAME);
  const hash = createHash("sha256").update(runId).digest();
  let suffix = "";
  for (let i = 0; i < 5; i++) suffix += K8S_NAME_CHARS[(hash[i] ?? 0) % K8S_NAME_CHARS.length];
  return prefix + suffix;
}

/** An epoch-milliseconds time as KFP prints it: RFC 3339 in UTC, whole seconds. */
export function utcSeconds(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/**
 * The runtime placeholder values of `run`. `artifactsDir` is where the run's artifacts go:
 * its pipeline root as a path, or the home's artifacts folder when it records none
 * (the engine's `artifactsRootOf`).
 */
export function runtimeValuesOf(run: Run, artifactsDir: string): RunRuntime {
  return {
    jobName: run.displayName,
    jobUuid: run.id,
    jobResourceName: kfpResourceName(run.pipelineSpec.pipelineInfo.name, run.id),
    createTimeUtc: utcSeconds(run.createdAt),
    scheduleTimeUtc: utcSeconds(run.scheduledAt ?? run.createdAt),
    pipelineRoot: artifactsDir,
  };
}

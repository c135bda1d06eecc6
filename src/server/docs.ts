/**
 * API documentation served at `/docs` (HTML) and `/docs/openapi.json` (OpenAPI 3.0):
 * Weft's extension endpoints in full, and the KFP v2beta1 routes this server implements
 * with a pointer to the KFP reference for their bodies.
 */
import type { FastifyInstance } from "fastify";
import { formatBytes, limitsSummary, SIZE_LIMITS } from "./limits.ts";
import { WEFT_API } from "./routes-weft.ts";

const KFP = "/apis/v2beta1";

const kfpRoutes: [string, string, string][] = [
  ["get", `${KFP}/healthz`, "Health check"],
  ["get", `${KFP}/pipelines`, "List pipelines"],
  ["post", `${KFP}/pipelines`, "Create a pipeline"],
  ["post", `${KFP}/pipelines/create`, "Create a pipeline and its first version"],
  ["post", `${KFP}/pipelines/upload`, "Upload a pipeline file (multipart field uploadfile)"],
  [
    "post",
    `${KFP}/pipelines/upload_version`,
    "Upload a pipeline version (multipart field uploadfile, query pipelineid)",
  ],
  ["get", `${KFP}/pipelines/names/{name}`, "Get a pipeline by name"],
  ["get", `${KFP}/pipelines/{pipeline_id}`, "Get a pipeline"],
  ["patch", `${KFP}/pipelines/{pipeline_id}`, "Update a pipeline's display_name and tags (body: the pipeline)"],
  [
    "delete",
    `${KFP}/pipelines/{pipeline_id}`,
    "Delete a pipeline (cascade=true deletes its versions; booleans take 1, t, T, TRUE, true, True or 0, f, F, FALSE, false, False, as KFP's gateway)",
  ],
  ["get", `${KFP}/pipelines/{pipeline_id}/versions`, "List pipeline versions"],
  ["post", `${KFP}/pipelines/{pipeline_id}/versions`, "Create a pipeline version"],
  ["get", `${KFP}/pipelines/{pipeline_id}/versions/{pipeline_version_id}`, "Get a pipeline version"],
  [
    "patch",
    `${KFP}/pipelines/{pipeline_id}/versions/{pipeline_version_id}`,
    "Update a pipeline version's display_name and tags (body: the version)",
  ],
  ["delete", `${KFP}/pipelines/{pipeline_id}/versions/{pipeline_version_id}`, "Delete a pipeline version"],
  ["get", `${KFP}/experiments`, "List experiments"],
  ["post", `${KFP}/experiments`, "Create an experiment"],
  ["get", `${KFP}/experiments/{experiment_id}`, "Get an experiment"],
  [
    "delete",
    `${KFP}/experiments/{experiment_id}`,
    "Delete an experiment without runs (cascade=true, a Weft extension, deletes its runs and recurring runs; refused while a run is active)",
  ],
  ["post", `${KFP}/experiments/{experiment_id}:archive`, "Archive an experiment and its runs"],
  ["post", `${KFP}/experiments/{experiment_id}:unarchive`, "Unarchive an experiment"],
  [
    "get",
    `${KFP}/runs`,
    "List runs without their pipeline_spec, each with its run metrics (metrics: [{name, number_value}]); filter and sort_by also take metric:NAME (filter values int_value, string_value or double_value), e.g. sort_by=metric:f1 desc (filter, sort_by, page_size, page_token, experiment_id, namespace; filter key tags.KEY matches one tag)",
  ],
  [
    "post",
    `${KFP}/runs`,
    "Create a run from pipeline_spec or pipeline_version_reference (Weft adds tags, and runtime_config.input_artifacts: {NAME: {uri}} for the pipeline's artifact inputs, an absolute path or a URI on the server's machine, as Vertex's RuntimeConfig.input_artifacts; every required artifact input must be given and exist, else 400 naming it; the run echoes it). runtime_config.pipeline_root (file:///abs/dir or an absolute path) is where its artifacts go, <root>/<run_id>/<task>/<output>; gs://, s3:// and minio:// roots are refused with 400. service_account is recorded and echoed (no permission changes locally)",
  ],
  [
    "get",
    `${KFP}/runs/{run_id}`,
    "Get a run with its pipeline_spec and task details; each task detail has inputs and outputs: {NAME: {artifact_ids: [...]}} (ids as the artifacts API gives them)",
  ],
  [
    "patch",
    `${KFP}/runs/{run_id}`,
    "Update a run's display_name, description and tags (a Weft extension; tags are replaced whole)",
  ],
  [
    "delete",
    `${KFP}/runs/{run_id}`,
    "Delete a finished run with its tasks, metrics and lineage records (artifact files stay); an active run is refused",
  ],
  ["post", `${KFP}/runs/{run_id}:archive`, "Archive a run"],
  ["post", `${KFP}/runs/{run_id}:unarchive`, "Unarchive a run"],
  ["post", `${KFP}/runs/{run_id}:terminate`, "Terminate a run"],
  ["post", `${KFP}/runs/{run_id}:retry`, "Retry a failed or canceled run"],
  ["get", `${KFP}/recurringruns`, "List recurring runs"],
  ["post", `${KFP}/recurringruns`, "Create a recurring run (cron: 6 fields = KFP, seconds first; 5 fields = crontab)"],
  [
    "get",
    `${KFP}/recurringruns/{recurring_run_id}`,
    "Get a recurring run (Weft adds next_fire_times: the next 5 fire times, RFC 3339, while enabled)",
  ],
  ["delete", `${KFP}/recurringruns/{recurring_run_id}`, "Delete a recurring run"],
  ["post", `${KFP}/recurringruns/{recurring_run_id}:enable`, "Enable a recurring run"],
  ["post", `${KFP}/recurringruns/{recurring_run_id}:disable`, "Disable a recurring run"],
];

const weftRoutes: [string, string, string, string][] = [
  [
    "get",
    `${WEFT_API}/runs/{run_id}/graph`,
    "Run graph",
    "Nodes (one per task, with state, timing, attempt, cache hit, error) and edges (task dependencies).",
  ],
  [
    "get",
    `${WEFT_API}/runs/{run_id}/tasks/{task_id}`,
    "Task details",
    "{task_id, run_id, path, name, display_name, kind, state, started_at, finished_at, inputs: {parameters, artifacts (input name to artifact ids)}, outputs: {parameters}, cache: {key, hit, explanation, source_run_id, source_task_id}, attempts: [{attempt, started_at, finished_at, exit_code, error: {code, message, action, stderr_tail}}], exit_code, error (the same shape; code is a task failure code of the engine's catalogue)}. Unset fields are omitted. task_id may also be the task path.",
  ],
  [
    "get",
    `${WEFT_API}/runs/{run_id}/tasks/{task_id}/logs`,
    "Task log",
    "JSON {lines} with the last `tail` lines (default 1000). With `follow=true` or `Accept: text/event-stream`: Server-Sent Events, `event: log` with data {line} per line and `event: end` with {task_id, state} when the task has finished. task_id may also be the task path.",
  ],
  [
    "get",
    `${WEFT_API}/runs/{run_id}/metrics`,
    "Run metrics",
    "Scalar metrics logged by the run's tasks: {metrics: [{task_id, task, name, value}]}.",
  ],
  ["get", `${WEFT_API}/runs/{run_id}/artifacts`, "Run artifacts", "Artifacts produced by the run."],
  ["get", `${WEFT_API}/runs/{run_id}/lineage`, "Run lineage", "The run's artifacts and its INPUT/OUTPUT events."],
  [
    "get",
    `${WEFT_API}/artifacts`,
    "Artifacts",
    "Every artifact, newest first, a page at a time: {artifacts: [{artifact_id, run_id, run_name, task_id, task (the producing task's path), name, uri, schema_title, metadata, digest, size_bytes, created_at}], total_size, next_page_token}. KFP list parameters (filter on artifact_id, run_id, task_id, name, uri, type or schema_title, size_bytes, created_at; sort_by; page_size; page_token) and the shortcuts run_id=, type= (system.Model or Model) and name= (a substring).",
  ],
  [
    "get",
    `${WEFT_API}/artifacts/{artifact_id}`,
    "Artifact",
    "One artifact's record, with content_kind: file, directory or missing.",
  ],
  [
    "get",
    `${WEFT_API}/artifacts/{artifact_id}/lineage`,
    "Artifact lineage",
    "The task that produced the artifact, that task's input artifacts, and the tasks that consumed it.",
  ],
  [
    "get",
    `${WEFT_API}/artifacts/{artifact_id}/content`,
    "Artifact download",
    "The artifact's bytes (application/octet-stream), with a Content-Disposition file name that carries an extension (from the file's name, the metadata's file_extension, framework or format, the type, or the first bytes: model.onnx, report.md). For a directory artifact: {entries, items: [{name, kind (file, dir, link), size_bytes}]}, `path=` selects a file or folder inside it, and `archive=tar` (or `download=true`, which sends a file as itself and a directory as a tar) streams the directory as NAME.tar (symbolic links inside are left out, never followed). Paths that leave the artifact store, and symbolic links (whose targets are never served), are rejected with 400.",
  ],
  [
    "get",
    `${WEFT_API}/lineage/search`,
    "Lineage search",
    "Artifacts whose id or uri is q, whose id starts with q, or whose name or uri contains q (exact matches first): {artifacts: [...]}, at most page_size.",
  ],
  [
    "get",
    `${WEFT_API}/lineage/graph`,
    "Lineage graph",
    "The lineage graph around artifact_id or execution_id (a task id): {root, upstream, downstream, nodes: [{id (artifact:ID or execution:ID), kind, hop (negative upstream), artifact or execution, more}], edges: [{from, to, type (INPUT artifact to execution, OUTPUT execution to artifact), name}], truncated}. upstream= and downstream= are the executions walked each way (default 2, at most 10); at most 500 nodes.",
  ],
  ["get", `${WEFT_API}/queue`, "Run queue", "Queued and executing runs and the concurrency limit."],
  [
    "get",
    `${WEFT_API}/tuning/experiments`,
    "Tuning experiments",
    "{experiments: [{name, state, reason, message, algorithm, objectives: [{name, goal}], trial_counts (by trial state), trial_count, max_trial_count, parallel_trial_count, best_value (first objective), best_trial, created_at, finished_at}], total_size, next_page_token}; newest first; page_size, page_token, filter, sort_by, and state (one of the experiment states).",
  ],
  [
    "post",
    `${WEFT_API}/tuning/experiments`,
    "Run a tuning experiment",
    "Body: a Katib v1beta1 Experiment as YAML (application/yaml) or JSON. Runs it in the server process with the store journal (the same name and spec resumes; another spec under the name is 409); answers the experiment once it is recorded. Relative paths resolve against the server's working directory.",
  ],
  [
    "get",
    `${WEFT_API}/tuning/experiments/{name}`,
    "Tuning experiment",
    "The list's fields plus spec: {parameters, additional_metric_names, goal, best_rule, algorithm_settings, seed, early_stopping, max_failed_trial_count, trial_kind}, best_trials (the best trial, or the Pareto front of several objectives) and best_trial_number (the one the best rule picks).",
  ],
  [
    "post",
    `${WEFT_API}/tuning/experiments/{name}:cancel`,
    "Cancel a tuning experiment",
    "Running trials end CANCELED; only for an experiment this server runs.",
  ],
  [
    "get",
    `${WEFT_API}/tuning/experiments/{name}/trials`,
    "Tuning trials",
    "{trials: [{name, number, state, reason, message, params, meta, values (objectives in order), metrics (final value by metric), run_id, created_at, started_at, finished_at}]} by number; state= filters.",
  ],
  [
    "get",
    `${WEFT_API}/tuning/experiments/{name}/trials/{trial}/observations`,
    "Trial intermediate values",
    "{trial, observations: [{metric, step, value, timestamp}]} in the order reported; trial is <experiment>-<number> or the number; metric= filters.",
  ],
  [
    "get",
    `${WEFT_API}/tuning/experiments/{name}/analysis`,
    "Tuning analysis",
    "{importance: [{objective, metric, trials, top_trials, parameters: [{parameter, importance, share}], note}] (PED-ANOVA, top 10%), history: [{objective, metric, goal, points: [{number, value, best, improved}]}], pareto_front (trial numbers, several objectives)}.",
  ],
  [
    "get",
    "/metrics",
    "Prometheus metrics",
    "Runs by state, the run queue, enabled recurring runs and HTTP responses by status class (text exposition format).",
  ],
];

/** The OpenAPI 3.0 document of this server. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorRef = { $ref: "#/components/schemas/Status" };
  for (const [method, path, summary] of kfpRoutes) {
    paths[path] = {
      ...paths[path],
      [method]: {
        tags: ["KFP v2beta1"],
        summary,
        externalDocs: {
          url: "https://www.kubeflow.org/docs/components/pipelines/reference/api/kubeflow-pipeline-api-spec/",
        },
        responses: {
          "200": { description: "OK" },
          default: { description: "KFP error body", content: { "application/json": { schema: errorRef } } },
        },
      },
    };
  }
  for (const [method, path, summary, description] of weftRoutes) {
    const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    paths[path] = {
      ...paths[path],
      [method]: {
        tags: ["Weft extensions"],
        summary,
        description,
        parameters: params,
        responses: {
          "200": { description: "OK" },
          default: { description: "KFP error body", content: { "application/json": { schema: errorRef } } },
        },
      },
    };
  }
  return {
    openapi: "3.0.3",
    info: {
      title: "Weft API",
      version: "v2beta1",
      description:
        "The Kubeflow Pipelines v2beta1 REST API (snake_case JSON, unset fields omitted, unknown fields rejected with 400) plus Weft's extension endpoints under /apis/weft/v1. Errors use KFP's body {error, code, message, details}. " +
        `Size limits (UTF-8 bytes): ${limitsSummary()}. A field over its limit is a 400 naming the field; a body or file over its limit is a 413. ` +
        `A list page stops early at about ${formatBytes(SIZE_LIMITS.listPageBytes)} of JSON and returns next_page_token for the rest.`,
    },
    paths,
    components: {
      schemas: {
        Status: {
          type: "object",
          properties: {
            error: { type: "string" },
            code: { type: "integer", description: "gRPC status code" },
            message: { type: "string" },
            details: { type: "array", items: { type: "object" } },
          },
        },
      },
    },
  };
}

function docsHtml(): string {
  const row = (m: string, p: string, s: string, d = "") =>
    `<tr><td><code>${m.toUpperCase()}</code></td><td><code>${p}</code></td><td>${s}${d ? `<br><small>${d.replace(/</g, "&lt;")}</small>` : ""}</td></tr>`;
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Weft API</title>
<style>body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}td{padding:.3rem .6rem;vertical-align:top;border-bottom:1px solid #ddd;overflow-wrap:anywhere}code{font-size:.9em}</style></head>
<body><h1>Weft API</h1><p>OpenAPI document: <a href="/docs/openapi.json">/docs/openapi.json</a>. Errors use KFP's body <code>{error, code, message, details}</code>.</p>
<h2>Weft extensions (<code>${WEFT_API}</code>)</h2><table>${weftRoutes.map((r) => row(...r)).join("")}</table>
<h2>Size limits</h2><p>In UTF-8 bytes: ${limitsSummary()}. A field over its limit is answered 400 with a message naming the field and the limit; a request body or uploaded file over its limit is answered 413 with the KFP error body. A list page stops early at about ${formatBytes(SIZE_LIMITS.listPageBytes)} of JSON and returns <code>next_page_token</code> for the rest.</p>
<h2>Kubeflow Pipelines v2beta1</h2><p>Lists take <code>page_size</code> (default 20, at most 200), <code>page_token</code>, <code>sort_by</code> (<code>"field"</code> or <code>"field desc"</code>) and <code>filter</code> (URL-encoded JSON predicates). Cron: 6 fields = KFP form with seconds first; 5 fields = crontab form; also <code>@daily</code>-style shortcuts and <code>@every 1h</code>. Times are UTC.</p>
<table>${kfpRoutes.map((r) => row(...r)).join("")}</table></body></html>`;
}

/** Registers `/docs` and `/docs/openapi.json`. */
export function registerDocsRoutes(app: FastifyInstance): void {
  const doc = openApiDocument();
  const html = docsHtml();
  app.get("/docs", async (_req, reply) => reply.type("text/html; charset=utf-8").send(html));
  app.get("/docs/openapi.json", async () => doc);
}

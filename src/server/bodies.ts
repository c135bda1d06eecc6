/**
 * Request bodies of the KFP API as strict runtime schemas: unknown fields are rejected
 * with a 400 that names them. Like grpc-gateway, both the proto names (`display_name`)
 * and the JSON names (`displayName`) are accepted; free-form values (`pipeline_spec`,
 * `runtime_config.parameters`, tags) are passed through untouched.
 */
import { z } from "zod";
import { JsonValueSchema } from "../ir/index.ts";
import { badRequest } from "./errors.ts";
import { FIELD_LIMITS, type FieldKind, formatBytes, SIZE_LIMITS, stringProblem } from "./limits.ts";

const OPAQUE = new Set([
  "pipeline_spec",
  "parameters",
  "input_artifacts",
  "plugins_input",
  "plugins_output",
  "tags",
  "platform_spec",
]);
const camelToSnake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Rewrites camelCase keys of API messages to snake_case, leaving free-form values alone. */
export function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = camelToSnake(k);
    out[key] = OPAQUE.has(key) ? v : snakeKeys(v);
  }
  return out;
}

/** A string bounded by {@link FIELD_LIMITS}: over the limit is a 400 naming the field and the limit. */
const bounded = (kind: FieldKind) =>
  z.string().superRefine((value, ctx) => {
    const problem = stringProblem(value, kind);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
const str = bounded("short");
const name = bounded("name");
const description = bounded("description");
const url = bounded("url");
const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "must be an RFC 3339 timestamp");
const int64 = z.union([z.number().int(), z.string().regex(/^-?\d+$/, "must be an integer")]);
const rpcStatus = z.looseObject({});
const spec = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  const bytes = Buffer.byteLength(JSON.stringify(value), "utf8");
  if (bytes > SIZE_LIMITS.pipelineSpec) {
    ctx.addIssue({
      code: "custom",
      message: `the pipeline spec is ${bytes} bytes as JSON; the limit is ${formatBytes(SIZE_LIMITS.pipelineSpec)}; split the pipeline or move large constants into artifacts`,
    });
  }
});
const tags = z.record(z.string(), z.string()).superRefine((value, ctx) => {
  const keys = Object.keys(value);
  if (keys.length > SIZE_LIMITS.tagCount) {
    ctx.addIssue({ code: "custom", message: `has ${keys.length} tags; at most ${SIZE_LIMITS.tagCount} are allowed` });
  }
  for (const key of keys) {
    if (key === "" || key.includes(".") || [...key].length > SIZE_LIMITS.tagText) {
      ctx.addIssue({
        code: "custom",
        path: [key.slice(0, 64)],
        message: `a tag key must be 1 to ${SIZE_LIMITS.tagText} characters without "."`,
      });
    } else if ([...(value[key] ?? "")].length > SIZE_LIMITS.tagText) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `a tag value may be at most ${SIZE_LIMITS.tagText} characters`,
      });
    }
  }
});
const parameters = z.record(bounded("short"), JsonValueSchema).superRefine((value, ctx) => {
  for (const [key, v] of Object.entries(value)) {
    const bytes = Buffer.byteLength(JSON.stringify(v), "utf8");
    if (bytes > FIELD_LIMITS.parameterValue) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `the value is ${bytes} bytes as JSON; the limit is ${formatBytes(FIELD_LIMITS.parameterValue)}; pass large data as an input artifact instead`,
      });
    }
  }
});

/** `v2beta1Experiment` as a create body. */
export const ExperimentBody = z.strictObject({
  experiment_id: str.optional(),
  display_name: name.min(1, "is required: the experiment's unique name"),
  description: description.optional(),
  created_at: timestamp.optional(),
  namespace: str.optional(),
  storage_state: str.optional(),
  last_run_created_at: timestamp.optional(),
});

/** `v2beta1Pipeline` as a create body. */
export const PipelineBody = z.strictObject({
  pipeline_id: str.optional(),
  display_name: name.optional(),
  name: name.optional(),
  description: description.optional(),
  created_at: timestamp.optional(),
  namespace: str.optional(),
  error: rpcStatus.optional(),
  tags: tags.optional(),
});

/** `v2beta1PipelineVersion` as a create body (`pipeline_spec` inline is a Weft extension). */
export const PipelineVersionBody = z.strictObject({
  pipeline_id: str.optional(),
  pipeline_version_id: str.optional(),
  display_name: name.optional(),
  name: name.optional(),
  description: description.optional(),
  created_at: timestamp.optional(),
  package_url: z.strictObject({ pipeline_url: url.optional() }).optional(),
  code_source_url: url.optional(),
  pipeline_spec: spec.optional(),
  error: rpcStatus.optional(),
  tags: tags.optional(),
});

/** `v2beta1CreatePipelineAndVersionRequest`. */
export const PipelineAndVersionBody = z.strictObject({
  pipeline: PipelineBody,
  pipeline_version: PipelineVersionBody,
});

const VersionReference = z.strictObject({ pipeline_id: str.optional(), pipeline_version_id: str.optional() });
const RuntimeConfig = z.strictObject({
  parameters: parameters.optional(),
  pipeline_root: url.optional(),
});
/** A run's runtime config: a recurring run's, and the artifacts for the pipeline's artifact inputs. */
const RunRuntimeConfig = RuntimeConfig.extend({
  /** A Weft extension (Vertex's RuntimeConfig has one too): input name to `{uri}`. */
  input_artifacts: z.record(bounded("short"), z.strictObject({ uri: url.min(1, "is required") })).optional(),
});

/** `v2beta1Run` as a create body. Output-only fields are accepted and ignored, as in KFP. */
export const RunBody = z.strictObject({
  experiment_id: str.optional(),
  run_id: str.optional(),
  display_name: name.min(1, "is required: a name for the run"),
  storage_state: str.optional(),
  description: description.optional(),
  pipeline_version_id: str.optional(),
  pipeline_spec: spec.optional(),
  pipeline_version_reference: VersionReference.optional(),
  runtime_config: RunRuntimeConfig.optional(),
  service_account: str.optional(),
  created_at: timestamp.optional(),
  scheduled_at: timestamp.optional(),
  finished_at: timestamp.optional(),
  state: str.optional(),
  error: rpcStatus.optional(),
  run_details: z.looseObject({}).optional(),
  recurring_run_id: str.optional(),
  state_history: z.array(z.looseObject({})).optional(),
  plugins_input: z.record(z.string(), z.unknown()).optional(),
  plugins_output: z.record(z.string(), z.unknown()).optional(),
  /** A Weft extension: user-defined labels, filterable as `tags.KEY`. */
  tags: tags.optional(),
});

/** The body of `PATCH /runs/{id}`: the run's mutable fields (name, description, tags). */
export const RunPatchBody = z.strictObject({
  run_id: str.optional(),
  display_name: name.min(1, "must not be empty").optional(),
  description: description.optional(),
  tags: tags.optional(),
});

const Window = { start_time: timestamp.optional(), end_time: timestamp.optional() };

/** `v2beta1RecurringRun` as a create body. */
export const RecurringRunBody = z.strictObject({
  recurring_run_id: str.optional(),
  display_name: name.min(1, "is required: a name for the recurring run"),
  description: description.optional(),
  pipeline_version_id: str.optional(),
  pipeline_spec: spec.optional(),
  pipeline_version_reference: VersionReference.optional(),
  runtime_config: RuntimeConfig.optional(),
  service_account: str.optional(),
  max_concurrency: int64.optional(),
  trigger: z.strictObject({
    cron_schedule: z.strictObject({ cron: str.optional(), ...Window }).optional(),
    periodic_schedule: z.strictObject({ interval_second: int64.optional(), ...Window }).optional(),
  }),
  mode: z.enum(["MODE_UNSPECIFIED", "ENABLE", "DISABLE"]).optional(),
  created_at: timestamp.optional(),
  updated_at: timestamp.optional(),
  status: str.optional(),
  error: rpcStatus.optional(),
  no_catchup: z.boolean().optional(),
  namespace: str.optional(),
  experiment_id: str.optional(),
  plugins_input: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Validates a request body against `schema`; a mismatch is a 400 naming the message and
 * field, e.g. `run.runtime_config: unknown field "paramters"`.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, message: string): z.infer<S> {
  if (body === undefined || body === null || typeof body !== "object" || Array.isArray(body)) {
    throw badRequest(`${message}: the request body must be a JSON object.`);
  }
  const result = schema.safeParse(snakeKeys(body));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [message, ...(issue?.path ?? []).map(String)].join(".");
  if (issue?.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => `"${k}"`).join(", ");
    throw badRequest(
      `${path}: unknown field ${keys}; remove it (see the v2beta1 API reference at /docs for the fields of ${message}).`,
      "API_UNKNOWN_FIELD",
    );
  }
  throw badRequest(`${path}: ${issue?.message ?? "is invalid"}.`);
}

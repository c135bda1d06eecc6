/**
 * KFP placeholder substitution for command lines and constants: `{{$.inputs.parameters['x']}}`,
 * `{{$.inputs.artifacts['x'].path|uri|metadata}}`, `{{$.outputs.parameters['x'].output_file}}`,
 * `{{$.outputs.artifacts['x'].path|uri}}`, `{{$}}`, pipeline/task names, and the JSON
 * forms `{"Concat": [...]}` and `{"IfPresent": {"InputName", "Then", "Else"}}`.
 */
import type { JsonValue } from "../ir/spec.ts";
import { EngineError } from "./errors.ts";

/** What placeholders resolve against. */
export interface PlaceholderContext {
  parameters: Record<string, JsonValue>;
  /** Input artifacts by name (the first of a list is used for `.path`/`.uri`). */
  inputArtifacts: Record<string, { uri: string; path: string; metadata: Record<string, JsonValue> }[]>;
  outputParameterFiles: Record<string, string>;
  outputArtifacts: Record<string, { uri: string; path: string; metadata: Record<string, JsonValue> }>;
  executorInputJson: string;
  outputMetadataFile?: string;
  pipelineJobName: string;
  pipelineJobUuid: string;
  pipelineTaskName: string;
  pipelineTaskUuid: string;
  pipelineRoot: string;
  task: string;
}

/** Renders a parameter value as KFP does on a command line: strings bare, others JSON. */
export function renderValue(v: JsonValue): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

const PLACEHOLDER = /\{\{\$(\.[^}]*)?\}\}/g;

function lookup(expr: string, ctx: PlaceholderContext): string {
  if (expr === "") return ctx.executorInputJson;
  let m = /^\.inputs\.parameters\['([^']+)'\]$/.exec(expr);
  if (m?.[1] !== undefined) {
    const v = ctx.parameters[m[1]];
    if (v === undefined) {
      throw new EngineError(
        "PLAN_INVALID",
        `task '${ctx.task}': placeholder {{$${expr}}} refers to input parameter '${m[1]}', which has no value; give it a value or a default`,
      );
    }
    return renderValue(v);
  }
  m = /^\.inputs\.artifacts\['([^']+)'\]\.(path|uri|metadata|value)$/.exec(expr);
  if (m?.[1] !== undefined) {
    const a = ctx.inputArtifacts[m[1]]?.[0];
    if (!a) {
      throw new EngineError(
        "PLAN_INVALID",
        `task '${ctx.task}': placeholder {{$${expr}}} refers to input artifact '${m[1]}', which was not provided`,
      );
    }
    if (m[2] === "uri") return a.uri;
    if (m[2] === "metadata") return JSON.stringify(a.metadata);
    return a.path;
  }
  m = /^\.outputs\.parameters\['([^']+)'\]\.output_file$/.exec(expr);
  if (m?.[1] !== undefined) {
    const f = ctx.outputParameterFiles[m[1]];
    if (f === undefined) {
      throw new EngineError("PLAN_INVALID", `task '${ctx.task}': output parameter '${m[1]}' is not declared`);
    }
    return f;
  }
  m = /^\.outputs\.artifacts\['([^']+)'\]\.(path|uri|metadata)$/.exec(expr);
  if (m?.[1] !== undefined) {
    const a = ctx.outputArtifacts[m[1]];
    if (!a) throw new EngineError("PLAN_INVALID", `task '${ctx.task}': output artifact '${m[1]}' is not declared`);
    if (m[2] === "uri") return a.uri;
    if (m[2] === "metadata") return JSON.stringify(a.metadata);
    return a.path;
  }
  switch (expr) {
    case ".outputs.output_file":
      return ctx.outputMetadataFile ?? "";
    case ".pipeline_job_name":
    case ".pipeline_job_resource_name":
      return ctx.pipelineJobName;
    case ".pipeline_job_uuid":
      return ctx.pipelineJobUuid;
    case ".pipeline_task_name":
      return ctx.pipelineTaskName;
    case ".pipeline_task_uuid":
      return ctx.pipelineTaskUuid;
    case ".pipeline_root":
      return ctx.pipelineRoot;
    case ".pipeline_job_create_time_utc":
    case ".pipeline_job_schedule_time_utc":
      return new Date().toISOString();
  }
  throw new EngineError("PLAN_INVALID", `task '${ctx.task}': unknown placeholder {{$${expr}}}`);
}

/** Replaces `{{$...}}` placeholders inside a string. */
export function interpolate(s: string, ctx: PlaceholderContext): string {
  return s.replace(PLACEHOLDER, (_all, expr: string | undefined) => lookup(expr ?? "", ctx));
}

type Structured = { Concat: unknown[] } | { IfPresent: { InputName: string; Then?: unknown; Else?: unknown } };

function parseStructured(arg: string): Structured | undefined {
  const t = arg.trim();
  if (!t.startsWith("{") || !(t.includes('"Concat"') || t.includes('"IfPresent"'))) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    if (v && typeof v === "object" && ("Concat" in v || "IfPresent" in v)) return v as Structured;
  } catch {
    return undefined;
  }
  return undefined;
}

function isPresent(name: string, ctx: PlaceholderContext): boolean {
  const p = ctx.parameters[name];
  return (p !== undefined && p !== null) || (ctx.inputArtifacts[name]?.length ?? 0) > 0;
}

function expand(node: unknown, ctx: PlaceholderContext): string[] {
  if (node === undefined || node === null) return [];
  if (Array.isArray(node)) return node.flatMap((n) => expand(n, ctx));
  if (typeof node === "string") {
    const s = parseStructured(node);
    return s ? expand(s, ctx) : [interpolate(node, ctx)];
  }
  if (typeof node === "object") {
    if ("Concat" in node && Array.isArray(node.Concat)) return [node.Concat.flatMap((n) => expand(n, ctx)).join("")];
    if ("IfPresent" in node) {
      const ip = (node as { IfPresent: { InputName: string; Then?: unknown; Else?: unknown } }).IfPresent;
      return expand(isPresent(ip.InputName, ctx) ? ip.Then : ip.Else, ctx);
    }
  }
  return [String(node)];
}

/**
 * Resolves a command line (command followed by args) into argv.
 *
 * @example resolveArgv(["echo", "{{$.inputs.parameters['msg']}}"], ctx) // ["echo", "hi"]
 */
export function resolveArgv(args: string[], ctx: PlaceholderContext): string[] {
  return args.flatMap((a) => expand(a, ctx));
}

/** The `pipelines` and `pipeline_versions` tables: named pipelines and the versions that hold their IR. */
import type { PipelineSpec, PlatformSpec } from "../../ir/index.ts";
import { defineTable, type FieldsOf, jsonAs, text } from "../table.ts";
import { createdAt, description, displayName, idColumn, name, namespace, tags } from "./columns.ts";

/** The pipelines table. */
export const PIPELINES_TABLE = defineTable({
  table: "pipelines",
  entity: "pipelines",
  columns: {
    id: idColumn("pipeline_id"),
    name,
    display_name: displayName,
    description,
    namespace,
    created_at: createdAt,
    tags,
  },
});

/** The pipeline versions table. */
export const PIPELINE_VERSIONS_TABLE = defineTable({
  table: "pipeline_versions",
  entity: "pipeline versions",
  columns: {
    id: idColumn("pipeline_version_id"),
    pipeline_id: { sql: "TEXT", field: "pipelineId", codec: text, list: { type: "text" } },
    name,
    display_name: displayName,
    description,
    created_at: createdAt,
    /** '' when the spec is in `pipeline_specs` under `spec_digest`; the repository reads it. */
    spec: { sql: "TEXT" },
    platform_spec: { sql: "TEXT", nullable: true, field: "platformSpec", codec: jsonAs<PlatformSpec>() },
    code_source_url: { sql: "TEXT", nullable: true, field: "codeSourceUrl", codec: text },
    spec_digest: { sql: "TEXT", nullable: true },
    tags,
  },
});

/** The fields of a pipeline. */
export type PipelineFields = FieldsOf<typeof PIPELINES_TABLE.columns>;
/** The fields of a pipeline version; its spec is stored once, by digest. */
export type PipelineVersionFields = FieldsOf<typeof PIPELINE_VERSIONS_TABLE.columns> & { spec: PipelineSpec };

/**
 * Seeding for the list benchmarks: runs that carry a realistic spec, the fraud-detection
 * example's compiled pipeline (`examples/fraud-detection/pipeline.yaml`, about 274 KB of
 * JSON). Specs are stored once by digest, so every seeded run refers to one stored copy,
 * as the runs of one pipeline version do. The first run is created through the store; the
 * others copy its row with their own id, name, experiment, parameters, state and times, so
 * that 100,000 runs take seconds, not the minutes that hashing the spec 100,000 times would.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type JsonValue, type PipelineSpec, parsePipelineYaml } from "../../src/ir/index.ts";
import type { RuntimeState, Store } from "../../src/store/index.ts";

/** The fraud-detection pipeline's spec and the size of its JSON text. */
export function fraudSpec(): { spec: PipelineSpec; bytes: number } {
  const file = resolve(import.meta.dirname, "../../examples/fraud-detection/pipeline.yaml");
  const spec = parsePipelineYaml(readFileSync(file, "utf8")).pipelineSpec;
  return { spec, bytes: Buffer.byteLength(JSON.stringify(spec), "utf8") };
}

/** What differs between seeded runs. */
export interface SeedRun {
  experimentId: string;
  displayName: string;
  parameters: Record<string, JsonValue>;
  state: RuntimeState;
  createdAt: number;
  scheduledAt?: number;
}

const COPY = `INSERT INTO runs (id, experiment_id, display_name, description, pipeline_version_id, pipeline_spec, spec_digest,
    platform_spec, parameters, pipeline_root, state, state_history, created_at, scheduled_at, recurring_run_id, enable_cache, namespace)
  SELECT @id, @experiment_id, @display_name, description, pipeline_version_id, pipeline_spec, spec_digest,
    platform_spec, @parameters, pipeline_root, @state, @state_history, @created_at, @scheduled_at, recurring_run_id, enable_cache, namespace
  FROM runs WHERE id = @template`;

/** Seeds `count` runs of `spec` in one transaction; returns their ids in order. */
export function seedRuns(store: Store, spec: PipelineSpec, count: number, row: (i: number) => SeedRun): string[] {
  const ids: string[] = [];
  store.transaction(() => {
    let template: string | undefined;
    const copy = store.db.prepare(COPY);
    for (let i = 0; i < count; i++) {
      const r = row(i);
      const scheduledAt = r.scheduledAt ?? r.createdAt;
      if (template === undefined) {
        template = store.runs.create({ ...r, scheduledAt, pipelineSpec: spec }).id;
        ids.push(template);
        continue;
      }
      const id = randomUUID();
      copy.run({
        id,
        template,
        experiment_id: r.experimentId,
        display_name: r.displayName,
        parameters: JSON.stringify(r.parameters),
        state: r.state,
        state_history: JSON.stringify([{ state: r.state, at: r.createdAt }]),
        created_at: r.createdAt,
        scheduled_at: scheduledAt,
      });
      ids.push(id);
    }
  });
  return ids;
}

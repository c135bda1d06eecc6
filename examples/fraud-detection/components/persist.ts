/** Helpers shared by the components. */
import { writeFileSync } from "node:fs";

/**
 * Writes a metadata-only artifact (Metrics, ClassificationMetrics) to its path as JSON, so
 * the artifact has content on disk like every other output (which is what lets a cached
 * result be reused and the file be viewed).
 */
export function persistMetadata(artifact: { path: string; metadata: Record<string, unknown> }): void {
  writeFileSync(artifact.path, `${JSON.stringify(artifact.metadata, null, 2)}\n`);
}

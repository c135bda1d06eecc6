/** Maps KFP schema titles to runtime artifact classes. */
import { Artifact, Dataset, HTML, Markdown, Metrics, Model } from "./artifact.ts";
import { ClassificationMetrics, SlicedClassificationMetrics } from "./classification-metrics.ts";
import type { RuntimeArtifact } from "./types.ts";

const CLASSES: ReadonlyArray<typeof Artifact> = [
  Artifact,
  Dataset,
  Model,
  Metrics,
  ClassificationMetrics,
  SlicedClassificationMetrics,
  HTML,
  Markdown,
];

/** The runtime class for a schema title; unknown titles get the generic {@link Artifact}. */
export function artifactClassFor(schemaTitle: string | undefined): typeof Artifact {
  return CLASSES.find((c) => c.schemaTitle === schemaTitle) ?? Artifact;
}

/**
 * Builds the runtime artifact object for one artifact of an ExecutorInput.
 * `declaredTitle` is used when the artifact itself carries no type.
 */
export function createArtifact(runtime: RuntimeArtifact, declaredTitle?: string): Artifact {
  const schemaTitle = runtime.type?.schemaTitle ?? declaredTitle;
  const cls = artifactClassFor(schemaTitle);
  const init = { name: runtime.name, uri: runtime.uri, metadata: runtime.metadata };
  if (cls !== Artifact) return new cls(init);
  return new Artifact(init, { schemaTitle, schemaVersion: runtime.type?.schemaVersion });
}

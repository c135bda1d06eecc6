/**
 * The KFP system artifact types (`system.*`, schemaVersion 0.0.1) as they appear in
 * `artifactType` of input/output definitions.
 */
import type { ArtifactTypeSchema } from "./spec.ts";

function systemType(title: string): Readonly<Required<Pick<ArtifactTypeSchema, "schemaTitle" | "schemaVersion">>> {
  return Object.freeze({ schemaTitle: title, schemaVersion: "0.0.1" });
}

/**
 * KFP's built-in artifact types.
 *
 * @example { artifactType: artifactTypes.Dataset } // { schemaTitle: "system.Dataset", schemaVersion: "0.0.1" }
 */
export const artifactTypes = Object.freeze({
  Artifact: systemType("system.Artifact"),
  Dataset: systemType("system.Dataset"),
  Model: systemType("system.Model"),
  Metrics: systemType("system.Metrics"),
  ClassificationMetrics: systemType("system.ClassificationMetrics"),
  SlicedClassificationMetrics: systemType("system.SlicedClassificationMetrics"),
  HTML: systemType("system.HTML"),
  Markdown: systemType("system.Markdown"),
});

/** Name of a built-in artifact type (`"Dataset"`, `"Model"`, ...). */
export type ArtifactTypeName = keyof typeof artifactTypes;

/** The generic artifact type: an input of this type accepts an artifact of any type. */
export const GENERIC_ARTIFACT_TITLE = "system.Artifact";

/**
 * Whether an artifact of type `produced` may feed an input declared as `consumed`.
 * `system.Artifact` on either side, or an unknown title, is compatible with anything.
 */
export function artifactTypeAccepts(consumed: ArtifactTypeSchema, produced: ArtifactTypeSchema): boolean {
  const want = consumed.schemaTitle;
  const got = produced.schemaTitle;
  if (!want || !got || want === GENERIC_ARTIFACT_TITLE || got === GENERIC_ARTIFACT_TITLE) return true;
  return want === got;
}

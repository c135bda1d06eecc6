/**
 * What `weft artifacts list` shows, independent of where it comes from: an
 * {@link ArtifactSource} reads artifacts from the local store (`commands/artifacts-list.ts`)
 * or from a server through the typed client (`remote/artifacts-list.ts`), and one
 * presentation (`artifact-views.ts`) prints the same table for both.
 */

/** What `artifacts list` selects. */
export interface ArtifactListRequest {
  /** A run id, unique id prefix or name. */
  run?: string;
  /** A full type (`system.Model`); see {@link artifactType}. */
  type?: string;
  /** A part of the artifact's name. */
  name?: string;
  limit: number;
}

/** One row of `artifacts list`. */
export interface ArtifactListItem {
  id: string;
  name: string;
  type: string;
  uri: string;
  runId: string;
  runName?: string;
  /** The producing task's path, `root/...`. */
  task?: string;
  sizeBytes?: number;
  createdAt?: number;
  /** The artifact as `-o json` prints it (the source's own field names). */
  doc: Record<string, unknown>;
}

/** A page of artifacts, newest first. */
export interface ArtifactListPage {
  items: ArtifactListItem[];
  totalSize: number;
}

/** Where artifacts are read from: the local store or a server. */
export interface ArtifactSource {
  /** Where the artifacts are, for messages: `in <home>` or `on <url>`. */
  readonly where: string;
  /**
   * @throws CliError `RUN_NOT_FOUND` when `run` names no run
   */
  listArtifacts(request: ArtifactListRequest): Promise<ArtifactListPage>;
}

/** `--type` as stored: `Model` and `model` mean `system.Model`; a name with a dot is kept. */
export function artifactType(text: string): string {
  const t = text.trim();
  if (t.includes(".")) return t;
  const known = [
    "Artifact",
    "Dataset",
    "Model",
    "Metrics",
    "ClassificationMetrics",
    "SlicedClassificationMetrics",
    "HTML",
    "Markdown",
  ];
  return `system.${known.find((k) => k.toLowerCase() === t.toLowerCase()) ?? t}`;
}

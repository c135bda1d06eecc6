/**
 * Runtime artifact objects, as a component function sees them: KFP's `dsl.Artifact` and its
 * `system.*` subclasses. Each carries `name`, `uri` and `metadata`; `path` maps the URI to
 * the local path the task reads or writes.
 */
import { localPathToUri, uriToLocalPath } from "./uri.ts";

/** Fields a runtime artifact is built from. */
export interface ArtifactInit {
  name?: string;
  uri?: string;
  metadata?: Record<string, unknown>;
}

/**
 * A generic artifact (`system.Artifact`).
 *
 * @example
 * const a = new Artifact({ uri: "gs://b/k" });
 * a.path; // "/gcs/b/k"
 */
export class Artifact {
  static readonly schemaTitle: string = "system.Artifact";
  static readonly schemaVersion: string = "0.0.1";

  name: string;
  uri: string;
  metadata: Record<string, unknown>;
  /** The schema title of this instance; a generic artifact keeps the title it was given. */
  readonly schemaTitle: string;
  readonly schemaVersion: string;

  constructor(init: ArtifactInit = {}, type?: { schemaTitle?: string; schemaVersion?: string }) {
    const ctor = this.constructor as typeof Artifact;
    this.name = init.name ?? "";
    this.uri = init.uri ?? "";
    this.metadata = init.metadata ? { ...init.metadata } : {};
    this.schemaTitle = type?.schemaTitle ?? ctor.schemaTitle;
    this.schemaVersion = type?.schemaVersion ?? ctor.schemaVersion;
  }

  /** The local path of this artifact's content (`gs://b/k` becomes `/gcs/b/k`). */
  get path(): string {
    return uriToLocalPath(this.uri);
  }

  /** Points the artifact at a local path; a `file://` URI stays a `file://` URI. */
  set path(value: string) {
    this.uri = localPathToUri(value, { file: this.uri.startsWith("file://") });
  }

  /** The artifact as KFP's ExecutorOutput lists it. */
  toJSON(): { name: string; uri: string; metadata: Record<string, unknown> } {
    return { name: this.name, uri: this.uri, metadata: this.metadata };
  }
}

/** A dataset (`system.Dataset`). */
export class Dataset extends Artifact {
  static override readonly schemaTitle: string = "system.Dataset";
}

/** A trained model (`system.Model`). */
export class Model extends Artifact {
  static override readonly schemaTitle: string = "system.Model";

  /** The model's framework, kept in `metadata.framework` as KFP does. */
  get framework(): string {
    const value = this.metadata.framework;
    return typeof value === "string" ? value : "";
  }

  set framework(value: string) {
    this.metadata.framework = value;
  }
}

/** An HTML page (`system.HTML`), shown by the UI. */
export class HTML extends Artifact {
  static override readonly schemaTitle: string = "system.HTML";
}

/** A Markdown document (`system.Markdown`), shown by the UI. */
export class Markdown extends Artifact {
  static override readonly schemaTitle: string = "system.Markdown";
}

/**
 * Scalar metrics (`system.Metrics`): each metric is a key of `metadata`.
 *
 * @example
 * metrics.logMetric("accuracy", 0.93);
 */
export class Metrics extends Artifact {
  static override readonly schemaTitle: string = "system.Metrics";

  /** Records one scalar metric. */
  logMetric(name: string, value: number): void {
    this.metadata[name] = value;
  }
}

/** The storage contract every artifact backend implements. */
import type { Readable } from "node:stream";

/** Bytes to store: a stream, a buffer or text. */
export type ArtifactData = Readable | Uint8Array | string;

/**
 * Where artifact content lives. An artifact is a file or a directory addressed by a URI
 * (`file:///...` for the local store). Paths of a directory artifact's members are URIs
 * under it (`<uri>/<relative path>`).
 */
export interface ArtifactStore {
  /** The URI of the store's root. */
  readonly rootUri: string;
  /** The URI of one task output: `<root>/<runId>/<taskPath>/<outputName>`. Creates nothing. */
  uriFor(runId: string, taskPath: string, outputName: string): string;
  /** The local path a task reads or writes for this URI. */
  localPath(uri: string): string;
  /** Whether content exists at this URI. */
  exists(uri: string): Promise<boolean>;
  /** Hex sha256 of a file's content, or a stable digest over a directory's sorted members. */
  digest(uri: string): Promise<string>;
  /** Size in bytes; a directory's size is the sum of its files. */
  size(uri: string): Promise<number>;
  /** Sorted relative paths of a directory artifact's files; `[]` for a file. */
  list(uri: string): Promise<string[]>;
  /** A read stream of a file artifact's content. */
  open(uri: string): Promise<Readable>;
  /** Writes a file artifact (parent directories are created). */
  write(uri: string, data: ArtifactData): Promise<void>;
  /** Copies a file or a directory artifact to a local path. */
  copyTo(uri: string, destPath: string): Promise<void>;
  /** Removes a file or directory artifact; removing what is absent is not an error. */
  remove(uri: string): Promise<void>;
}

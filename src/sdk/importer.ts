/**
 * `importer()`: brings an existing artifact (a URI) into a pipeline, as KFP's `dsl.importer`.
 */
import type { ArtifactChannel, ParamChannel } from "./channel.ts";
import { makeComponent } from "./component.ts";
import type { ComponentDefinition } from "./definition.ts";
import { SdkError } from "./errors.ts";
import type { TaskNode } from "./task.ts";
import { type ArtifactDecl, type JsonValue, param } from "./types.ts";

/** Options of {@link importer}. */
export interface ImporterOptions<S extends string> {
  /** The artifact's URI: a constant or a string parameter. */
  uri: string | ParamChannel<string>;
  /** The artifact type, e.g. `artifact.Model`. */
  type: ArtifactDecl<S, false, boolean>;
  /** Metadata recorded with the artifact. */
  metadata?: Record<string, JsonValue>;
  /** Import again even if an artifact with this URI exists (default false). */
  reimport?: boolean;
}

/**
 * Adds an importer task; its `outputs.artifact` is the imported artifact.
 *
 * @example
 * const model = importer({ uri: "gs://bucket/model.onnx", type: artifact.Model });
 * serve({ model: model.outputs.artifact });
 */
export function importer<const S extends string>(
  options: ImporterOptions<S>,
): TaskNode<{ artifact: ArtifactChannel<S, false> }> {
  if (options.uri === undefined || options.uri === "") {
    throw new SdkError(
      "SDK_INVALID_ARGUMENT",
      'importer(): uri is required, e.g. importer({ uri: "gs://b/k", type: artifact.Dataset })',
    );
  }
  if (options.type?.kind !== "artifact") {
    throw new SdkError("SDK_INVALID_ARGUMENT", "importer(): type must be an artifact type, e.g. artifact.Model");
  }
  const def: ComponentDefinition = {
    name: "importer",
    description: undefined,
    inputs: { uri: param.string() },
    outputs: {
      artifact: { kind: "artifact", schemaTitle: options.type.schemaTitle, schemaVersion: options.type.schemaVersion },
    },
    impl: Object.freeze({
      kind: "importer",
      schemaTitle: options.type.schemaTitle,
      schemaVersion: options.type.schemaVersion,
      reimport: options.reimport ?? false,
      metadata: options.metadata,
    }),
  };
  const comp = makeComponent(def);
  return comp({ uri: options.uri }) as TaskNode<{ artifact: ArtifactChannel<S, false> }>;
}

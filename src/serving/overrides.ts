/**
 * `weft serve --max-batch-size N --max-queue-delay-us U`: the same batching settings for
 * every served model that batches, over what its `config.pbtxt` (or the derived
 * configuration) says. A model without a batch dimension (`max_batch_size: 0`) is left as
 * it is: its inputs' first dimension is not a batch, so nothing may be merged. Either flag
 * turns dynamic batching on for a batching model that had none.
 */
import type { ModelSource, ModelVersionSource } from "./repository.ts";
import type { ModelConfig } from "./types.ts";

/** The batching settings to impose. */
export interface BatchingOverrides {
  maxBatchSize?: number;
  maxQueueDelayMicroseconds?: number;
}

/** `config` with the overrides applied (the same object when the model does not batch). */
export function applyBatchingOverrides(config: ModelConfig, overrides: BatchingOverrides): ModelConfig {
  if (config.maxBatchSize <= 0) return config;
  if (overrides.maxBatchSize === undefined && overrides.maxQueueDelayMicroseconds === undefined) return config;
  const maxBatchSize = overrides.maxBatchSize ?? config.maxBatchSize;
  const preferred = (config.dynamicBatching?.preferredBatchSize ?? []).filter((n) => n <= maxBatchSize);
  return {
    ...config,
    maxBatchSize,
    dynamicBatching: {
      preferredBatchSize: preferred,
      maxQueueDelayMicroseconds:
        overrides.maxQueueDelayMicroseconds ?? config.dynamicBatching?.maxQueueDelayMicroseconds ?? 0,
    },
  };
}

/** A source whose versions' configurations carry the overrides. */
export function withBatchingOverrides(source: ModelSource, overrides: BatchingOverrides): ModelSource {
  const map = (v: ModelVersionSource): ModelVersionSource => ({
    ...v,
    config: applyBatchingOverrides(v.config, overrides),
  });
  return {
    get name() {
      return source.name;
    },
    get kind() {
      return source.kind;
    },
    get origin() {
      return source.origin;
    },
    get policy() {
      return source.policy;
    },
    get alias() {
      return source.alias;
    },
    versions: async () => (await source.versions()).map(map),
    served: async () => (await source.served()).map(map),
    version: async (version) => map(await source.version(version)),
    resolveAlias: (alias) => source.resolveAlias(alias),
    close: () => source.close(),
  };
}

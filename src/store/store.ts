/** `openStore`: the metadata store over `<home>/weft.db`. */
import { join } from "node:path";
import { DATABASE_FILE, openDatabase } from "./db.ts";
import { InvalidInputError } from "./errors.ts";
import { createArtifactRepository } from "./repos/artifacts.ts";
import { createCacheRepository } from "./repos/cache.ts";
import { createEventRepository } from "./repos/events.ts";
import { createExperimentRepository } from "./repos/experiments.ts";
import { createMetricRepository } from "./repos/metrics.ts";
import { createModelRepository } from "./repos/models.ts";
import { createPipelineRepository } from "./repos/pipelines.ts";
import { createRecurringRunRepository } from "./repos/recurring-runs.ts";
import { createRunRepository } from "./repos/runs.ts";
import { createTaskRepository } from "./repos/tasks.ts";
import { createTrackingRepository } from "./repos/tracking.ts";
import { createTuningRepository } from "./repos/tuning.ts";
import { SqlContext } from "./sql.ts";
import type { Store } from "./types.ts";

/**
 * Opens (creating if needed) the store at `<home>/weft.db`: WAL, 5 s busy timeout,
 * foreign keys on, schema migrated. Several processes may open the same home at once.
 *
 * @example
 * const store = openStore(resolveHome().home);
 * const run = store.runs.create({ displayName: "nightly", pipelineSpec: spec });
 * store.runs.updateState(run.id, "RUNNING");
 */
export function openStore(home: string): Store {
  const db = openDatabase(home);
  const ctx = new SqlContext(db);
  const experiments = createExperimentRepository(ctx);
  return {
    home,
    path: join(home, DATABASE_FILE),
    db,
    pipelines: createPipelineRepository(ctx),
    experiments,
    runs: createRunRepository(ctx, experiments),
    tasks: createTaskRepository(ctx),
    artifacts: createArtifactRepository(ctx),
    events: createEventRepository(ctx),
    metrics: createMetricRepository(ctx),
    cache: createCacheRepository(ctx),
    recurringRuns: createRecurringRunRepository(ctx, experiments),
    tracking: createTrackingRepository(ctx),
    models: createModelRepository(ctx),
    tuning: createTuningRepository(ctx),
    transaction<T>(fn: () => T): T {
      return ctx.tx(() => {
        const result = fn();
        if (result instanceof Promise) {
          // The transaction would commit before the promise settles; refuse instead (rolls back).
          throw new InvalidInputError(
            "store.transaction: the function returned a Promise; transactions are synchronous, so do the async work before or after",
          );
        }
        return result;
      });
    },
    close(): void {
      if (!db.open) return;
      try {
        db.pragma("optimize");
      } catch {
        // Statistics are an optimization; closing must not fail because of them.
      }
      db.close();
    },
  };
}

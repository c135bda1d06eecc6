/**
 * Runs an experiment from a JSON spec in a Weft home with the store journal, as `weft
 * tune` will: `node --import tsx test/tuning/run-experiment-child.ts <home> <spec.json>`.
 * Prints the result as JSON on its last line; SIGINT cancels.
 */
import { readFileSync } from "node:fs";
import { openStore } from "../../src/store/index.ts";
import { runExperiment } from "../../src/tuning/runner/index.ts";
import { createStoreJournal } from "../../src/tuning/runner/store-journal.ts";
import type { ExperimentSpec } from "../../src/tuning/types.ts";

const [home, specFile] = process.argv.slice(2);
if (!home || !specFile) throw new Error("usage: run-experiment-child.ts <home> <spec.json>");
const spec = JSON.parse(readFileSync(specFile, "utf8")) as ExperimentSpec;
const store = openStore(home);
const controller = new AbortController();
process.once("SIGINT", () => controller.abort());
try {
  const result = await runExperiment(spec, {
    journal: createStoreJournal(store),
    home,
    signal: controller.signal,
    onEvent: (e) => {
      if (e.type === "trial") console.log(`trial ${e.trial.name} ${e.trial.state}`);
    },
  });
  console.log(JSON.stringify({ state: result.state, reason: result.reason, trials: result.trials.length }));
} catch (err) {
  console.log(JSON.stringify({ error: (err as { code?: string }).code, message: (err as Error).message }));
  process.exitCode = 1;
} finally {
  store.close();
}

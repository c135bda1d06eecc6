/**
 * A second process for the store contract: opens the store at a home directory and writes
 * while the test process reads. Prints one JSON line with what it did.
 *
 * Usage: node --import tsx contract-writer.ts <home> open
 *        node --import tsx contract-writer.ts <home> runs <experimentId> <count> <recurringRunId> <expectedNextFireAt>
 */

import { setTimeout as sleep } from "node:timers/promises";
import { sampleSpec } from "./contract-fixture.ts";
import { openStore } from "./store.ts";

const [home, mode, experimentId, count, recurringRunId, expected] = process.argv.slice(2);
if (home === undefined || mode === undefined) {
  console.error("usage: contract-writer.ts <home> open|runs ...");
  process.exit(2);
}
const store = openStore(home);
if (mode === "open") {
  const shared = store.experiments.getOrCreateByName("shared");
  console.log(JSON.stringify({ experimentId: shared.id }));
} else {
  const n = Number(count);
  let claimed = false;
  for (let i = 0; i < n; i++) {
    const run = store.runs.create({ displayName: `child-${i}`, experimentId, pipelineSpec: sampleSpec() });
    store.runs.updateState(run.id, "RUNNING");
    store.runs.updateState(run.id, "SUCCEEDED");
    if (i === Math.floor(n / 2) && recurringRunId !== undefined) {
      claimed = store.recurringRuns.claimDue(Date.now(), recurringRunId, Number(expected), Number(expected) + 60_000);
    }
    // Spread the writes out so the reading process sees them arrive.
    await sleep(2);
  }
  console.log(JSON.stringify({ created: n, claimed }));
}
store.close();

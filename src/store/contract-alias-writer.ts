/**
 * A second (and third) process for the registry contract: opens the store at a home
 * directory, waits until every writer is ready, then moves one alias `count` times,
 * alternating between the versions it is given. Prints one JSON line with what it did.
 *
 * Usage: node --import tsx contract-alias-writer.ts <home> <model> <alias> <count> <label> <writers> <v1,v2,...>
 */

import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { openStore } from "./store.ts";

const [home, model, alias, count, label, writers, versions] = process.argv.slice(2);
if (home === undefined || model === undefined || alias === undefined || versions === undefined) {
  console.error("usage: contract-alias-writer.ts <home> <model> <alias> <count> <label> <writers> <v1,v2,...>");
  process.exit(2);
}
const store = openStore(home);
const targets = versions.split(",").map(Number);
// Start together: each writer marks itself ready and waits for the others.
writeFileSync(join(home, `ready-${label}`), "");
while (readdirSync(home).filter((f) => f.startsWith("ready-")).length < Number(writers)) await sleep(5);
const n = Number(count);
for (let i = 0; i < n; i++) {
  store.models.setAlias(model, alias, targets[i % targets.length] as number, label);
}
console.log(JSON.stringify({ moves: n, label }));
store.close();

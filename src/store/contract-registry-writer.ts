/**
 * A second (and third) process for the registry contract: opens the store at a home
 * directory, waits until every writer is ready, then either moves one alias `count` times,
 * alternating between the versions it is given, or creates `count` versions of a model.
 * Prints one JSON line with what it did.
 *
 * Usage: node --import tsx contract-registry-writer.ts <home> <writers> <label> alias <model> <alias> <count> <v1,v2,...>
 *        node --import tsx contract-registry-writer.ts <home> <writers> <label> versions <model> <count>
 */

import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { openStore } from "./store.ts";

const [home, writers, label, mode, model, ...rest] = process.argv.slice(2);
if (home === undefined || label === undefined || model === undefined || (mode !== "alias" && mode !== "versions")) {
  console.error("usage: contract-registry-writer.ts <home> <writers> <label> alias|versions <model> ...");
  process.exit(2);
}
const store = openStore(home);
// Start together: each writer marks itself ready and waits for the others.
writeFileSync(join(home, `ready-${label}`), "");
while (readdirSync(home).filter((f) => f.startsWith("ready-")).length < Number(writers)) await sleep(5);
if (mode === "alias") {
  const [alias, count, versions] = rest;
  const targets = (versions ?? "").split(",").map(Number);
  const n = Number(count);
  for (let i = 0; i < n; i++) {
    store.models.setAlias(model, alias as string, targets[i % targets.length] as number, label);
  }
  console.log(JSON.stringify({ moves: n, label }));
} else {
  const n = Number(rest[0]);
  const created: number[] = [];
  for (let i = 0; i < n; i++) created.push(store.models.createVersion({ name: model, userId: label }).version);
  console.log(JSON.stringify({ created, label }));
}
store.close();

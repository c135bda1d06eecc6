#!/usr/bin/env node
// The `weft` command. The CLI is written in TypeScript and loaded through tsx, which is
// also what lets `weft run pipeline.ts` import a user's TypeScript pipeline directly.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
await main(process.argv);

/** The host of remote mode, read without loading the client (command registration asks for it). */
import type { Command } from "commander";
import { remoteHost } from "../../client/remote-host.ts";

/** The host of remote mode for `program` (its `--host`, else `WEFT_HOST`), or `undefined`. */
export function hostOf(program: Command, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const flag = program.opts<{ host?: string }>().host;
  return remoteHost(flag, env);
}

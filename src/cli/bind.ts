/**
 * The one check of a listening address that `weft server` and `weft serve` share: neither
 * authenticates a request, so a `--host` other machines can reach is refused unless
 * `--allow-remote-unauthenticated` is given.
 */
import { isLoopbackName } from "../server/index.ts";
import { CliError } from "./errors.ts";

/**
 * Throws BAD_OPTION for a non-loopback `host` without `force`, naming the command and what
 * anyone who reaches it could do (`risk`); returns whether the address is remote.
 */
export function checkBindHost(command: string, host: string, force: boolean, risk: string): boolean {
  if (isLoopbackName(host.replace(/^\[(.*)\]$/, "$1"))) return false;
  if (!force) {
    throw new CliError(
      "BAD_OPTION",
      `refusing to listen on --host ${host}: ${command} has no authentication, so anyone who can reach ${host} ${risk}; use --host 127.0.0.1 (the default), or pass --allow-remote-unauthenticated to expose it anyway on a network you trust`,
    );
  }
  return true;
}

/** Which Weft server remote mode talks to: a leaf module, so the CLI asks without loading the client. */
/** The host from `--host` or `WEFT_HOST` for remote mode, or `undefined` for local mode. */
export function remoteHost(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  const host = flag ?? env.WEFT_HOST;
  return host && host.trim() !== "" ? host.trim() : undefined;
}

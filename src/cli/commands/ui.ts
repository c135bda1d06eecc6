/**
 * `weft ui [--port 8888] [--host 127.0.0.1] [--no-open]`: starts the server as
 * `weft server` does and opens the web UI in the default browser (`open` on macOS,
 * `xdg-open` elsewhere); without a browser opener, or with `--no-open`, it prints the URL.
 * Runs until SIGINT or SIGTERM.
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import type { Command } from "commander";
import { bindSafetyOptions, serve } from "./server.ts";

/** Options of `weft ui`. */
export interface UiCommandOptions {
  port: string;
  host: string;
  concurrency: string;
  maxParallel?: string;
  /** `false` with `--no-open`. */
  open: boolean;
  allowedHost?: string[];
  allowedOrigin?: string[];
  allowRemoteUnauthenticated?: boolean;
}

/** The URL a browser on this machine should open for a server bound to `url`. */
export function browserUrl(url: string): string {
  return `${url.replace("//0.0.0.0:", "//127.0.0.1:").replace("//[::]:", "//[::1]:")}/`;
}

function onPath(command: string): boolean {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** The command that opens a URL in the default browser here, or `undefined` when there is none. */
export function browserOpener(platform: NodeJS.Platform = process.platform): string[] | undefined {
  if (platform === "darwin") return onPath("open") ? ["open"] : undefined;
  if (platform === "win32") return ["cmd", "/c", "start", '""'];
  return onPath("xdg-open") ? ["xdg-open"] : undefined;
}

/** Opens `url` in a browser; returns `false` when no opener exists or it could not start. */
export function openBrowser(url: string): boolean {
  const opener = browserOpener();
  if (!opener) return false;
  const [command, ...args] = opener;
  if (!command) return false;
  try {
    const child = spawn(command, [...args, url], { detached: true, stdio: "ignore" });
    child.on("error", () => {
      process.stdout.write(`weft ui: could not start ${command}; open ${url} in a browser\n`);
    });
    child.unref();
    return true;
  } catch {
    return false;
  }
}

/** Starts the server, opens the UI, and resolves with the exit code once stopped by a signal. */
export function serveUi(opts: UiCommandOptions): Promise<number> {
  return serve({
    port: opts.port,
    host: opts.host,
    concurrency: opts.concurrency,
    ...(opts.maxParallel ? { maxParallel: opts.maxParallel } : {}),
    ...(opts.allowedHost ? { allowedHost: opts.allowedHost } : {}),
    ...(opts.allowedOrigin ? { allowedOrigin: opts.allowedOrigin } : {}),
    ...(opts.allowRemoteUnauthenticated ? { allowRemoteUnauthenticated: true } : {}),
    onListening(url) {
      const target = browserUrl(url);
      if (opts.open && openBrowser(target)) {
        process.stdout.write(`weft ui: opening ${target}\n`);
      } else {
        process.stdout.write(`weft ui: open ${target} in a browser\n`);
      }
    },
  });
}

/** Registers `weft ui` on `program`. */
export function registerUiCommand(program: Command): void {
  const command = program
    .command("ui")
    .description("start the server over $WEFT_HOME and open the web UI in a browser")
    .option("--port <port>", "TCP port (0 picks a free one)", "8888")
    .option("--host <address>", "address to bind", "127.0.0.1")
    .option("--concurrency <n>", "runs executed at once", "4")
    .option(
      "--max-parallel <n>",
      "tasks executed at once across runs (default: twice the cores, fewer when memory or the open-file limit is low)",
    )
    .option("--no-open", "print the URL instead of opening a browser");
  bindSafetyOptions(command).action(async (opts: UiCommandOptions) => {
    process.exitCode = await serveUi(opts);
  });
}

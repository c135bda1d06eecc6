/**
 * The REST model server: plain `node:http` (keep-alive, no framework on the request path)
 * serving the routes of `rest/` over a `ModelService`. Listens on 127.0.0.1 unless told
 * otherwise; `close()` stops accepting, lets requests in flight finish, then closes the
 * connections.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createRestHandler } from "./rest/index.ts";
import type { ModelService, ServingObserver } from "./types.ts";

/** The default request body limit: 64 MiB. */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024 * 1024;

/** Options of {@link startRestServer}. */
export interface RestServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8000; 0 picks a free port. */
  port?: number;
  /** The largest request body accepted (413 past it); default 64 MiB. */
  bodyLimitBytes?: number;
  /** Told about requests refused before they reach the service. */
  observer?: ServingObserver;
  /** Routes outside the protocol's (the `/metrics` hook): answers and returns true, or returns false. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/** A running REST model server. */
export interface RestServer {
  /** `http://host:port`. */
  url: string;
  port: number;
  /** Stops accepting, waits for requests in flight, closes the connections. */
  close(): Promise<void>;
}

/** Starts the REST model server over `service`. */
export async function startRestServer(service: ModelService, options: RestServerOptions = {}): Promise<RestServer> {
  const host = options.host ?? "127.0.0.1";
  const handler = createRestHandler(service, {
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    observer: options.observer,
    extraRoutes: options.extraRoutes,
  });
  let closing = false;
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    if (closing) res.shouldKeepAlive = false;
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8000, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}

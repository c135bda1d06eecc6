/**
 * The task service: a loopback HTTP server (127.0.0.1, a free port) that serves the
 * registry's route table to the tasks of one engine, so that a task logs metrics and
 * registers models through `MLFLOW_TRACKING_URI` as it would against a tracking server.
 * Every request must carry `Authorization: Bearer <token>`; the token is random per
 * service and handed only to the tasks it launches.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Store } from "../store/index.ts";
import { serveRegistryRoutes } from "./http/dispatch.ts";

/** A started task service. */
export interface TaskService {
  /** `http://127.0.0.1:PORT`, the value of a task's `MLFLOW_TRACKING_URI`. */
  readonly url: string;
  /** The bearer token, the value of a task's `MLFLOW_TRACKING_TOKEN`. */
  readonly token: string;
  /** Stops accepting requests and closes open connections. */
  close(): Promise<void>;
}

/**
 * Starts a task service over `store`. The server does not keep the process alive on its
 * own (a CLI run ends when its work does); close it with the engine.
 */
export async function startTaskService(store: Store, opts: { token?: string } = {}): Promise<TaskService> {
  const token = opts.token ?? randomBytes(24).toString("hex");
  const server: Server = createServer({ keepAliveTimeout: 5000 });
  serveRegistryRoutes(server, { store, token });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.unref();
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * The Open Inference Protocol over gRPC: `inference.GRPCInferenceService` on `@grpc/grpc-js`,
 * every call answered by the {@link ModelService}. Errors are the service's
 * {@link ServingError}s with their gRPC status (INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE, ...)
 * and message; anything else is INTERNAL. Inputs sent raw are answered raw, typed inputs
 * with typed outputs (FP16 outputs force raw: it has no typed field). A transformer in
 * front of a model is a REST affair: gRPC requests carry tensors and reach the model as
 * they are. A message over `maxMessageBytes` is refused by gRPC itself (RESOURCE_EXHAUSTED).
 */
import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { ROUTING_KEY_HEADER } from "../client/transport.ts";
import { ServingError } from "../errors.ts";
import type { ModelService, TensorSpec } from "../types.ts";
import {
  decodeInferRequest,
  decodeParameters,
  encodeInferResponse,
  type WireInferRequest,
  type WireParameter,
} from "./codec.ts";
import { inferenceService, SERVING_CODE_METADATA } from "./proto.ts";

/** Where and how the gRPC server listens. */
export interface GrpcServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8001; 0 picks a free port. */
  port?: number;
  /** The largest request message accepted, in bytes (default 64 MiB). */
  maxMessageBytes?: number;
}

/** A running gRPC server. */
export interface GrpcServer {
  /** `host:port`, what a gRPC client dials. */
  target: string;
  port: number;
  /** Stops accepting calls, lets the calls in flight finish (at most `graceMs`, default 5 s), then stops. */
  close(graceMs?: number): Promise<void>;
}

/** The default largest request message: large enough for batches of images. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

interface GrpcError {
  code: number;
  details: string;
  metadata?: Metadata;
}

function toGrpcError(error: unknown): GrpcError {
  if (error instanceof ServingError) {
    const metadata = new Metadata();
    metadata.set(SERVING_CODE_METADATA, error.code);
    return { code: error.grpcStatus, details: error.message, metadata };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 13, details: `internal error: ${message}` };
}

/** A unary handler from a function of the request (sync or async); its errors become statuses. */
function unary<Req, Res>(
  handle: (request: Req, call: ServerUnaryCall<Req, Res>) => Res | Promise<Res>,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    let answer: Res | Promise<Res>;
    try {
      answer = handle(call.request, call);
    } catch (error) {
      callback(toGrpcError(error));
      return;
    }
    if (answer instanceof Promise) {
      answer.then(
        (value) => callback(null, value),
        (error: unknown) => callback(toGrpcError(error)),
      );
    } else {
      callback(null, answer);
    }
  };
}

const tensorMetadata = (t: TensorSpec) => ({ name: t.name, datatype: t.datatype, shape: t.shape });

const versionOf = (v: string | undefined): string | undefined => (v ? v : undefined);

function metadataValue(metadata: Metadata, key: string): string | undefined {
  const values = metadata.get(key);
  if (values.length === 0) return undefined;
  const v = values[0]!;
  return typeof v === "string" ? v : v.toString("utf8");
}

/** The service's handlers, by method name. */
function handlers(service: ModelService): UntypedServiceImplementation {
  return {
    ServerLive: unary(() => ({ live: service.isLive() })),
    ServerReady: unary(() => ({ ready: service.isReady() })),
    ModelReady: unary((r: { name?: string; version?: string }) => ({
      ready: service.modelReady(r.name ?? "", versionOf(r.version)),
    })),
    ServerMetadata: unary(() => {
      const m = service.serverMetadata();
      return { name: m.name, version: m.version, extensions: m.extensions };
    }),
    ModelMetadata: unary((r: { name?: string; version?: string }) => {
      const m = service.modelMetadata(r.name ?? "", versionOf(r.version));
      return {
        name: m.name,
        versions: m.versions,
        platform: m.platform,
        inputs: m.inputs.map(tensorMetadata),
        outputs: m.outputs.map(tensorMetadata),
      };
    }),
    ModelInfer: unary(async (message: WireInferRequest, call) => {
      const { model, version, request, raw } = decodeInferRequest(message);
      const controller = new AbortController();
      const onCancel = () => controller.abort(new ServingError("UNAVAILABLE", "the client cancelled the call"));
      call.once("cancelled", onCancel);
      try {
        const routingKey = metadataValue(call.metadata, ROUTING_KEY_HEADER);
        const result = await service.infer(
          model,
          version,
          request,
          routingKey === undefined ? { signal: controller.signal } : { routingKey, signal: controller.signal },
        );
        return encodeInferResponse(result, raw);
      } finally {
        call.removeListener("cancelled", onCancel);
      }
    }),
    RepositoryIndex: unary((r: { ready?: boolean }) => ({
      models: service.repositoryIndex({ ready: r.ready === true }).map((e) => ({
        name: e.name,
        version: e.version ?? "",
        state: e.state,
        reason: e.reason ?? "",
      })),
    })),
    RepositoryModelLoad: unary(async (r: { model_name?: string; parameters?: Record<string, WireParameter> }) => {
      await service.load(requireModelName(r.model_name, "RepositoryModelLoad"), decodeParameters(r.parameters));
      return {};
    }),
    RepositoryModelUnload: unary(async (r: { model_name?: string; parameters?: Record<string, WireParameter> }) => {
      await service.unload(requireModelName(r.model_name, "RepositoryModelUnload"), decodeParameters(r.parameters));
      return {};
    }),
  };
}

function requireModelName(name: string | undefined, call: string): string {
  if (!name) throw new ServingError("INVALID_ARGUMENT", `${call}: model_name is empty: name the model`);
  return name;
}

/** `host:port` with IPv6 hosts bracketed. */
function joinHostPort(host: string, port: number): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Serves `service` over gRPC on `host:port` (127.0.0.1:8001 by default). Resolves once
 * listening; a port in use rejects with a ServingError naming it.
 */
export async function startGrpcServer(service: ModelService, options: GrpcServerOptions = {}): Promise<GrpcServer> {
  const host = options.host ?? "127.0.0.1";
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const server = new Server({
    "grpc.max_receive_message_length": maxMessageBytes,
    "grpc.max_send_message_length": -1,
  });
  server.addService(inferenceService().definition, handlers(service));
  const address = joinHostPort(host, options.port ?? 8001);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, bound) => {
      if (error) {
        reject(
          new ServingError(
            "UNAVAILABLE",
            `cannot listen for gRPC on ${address}: ${error.message}; pick another port, or stop the process using it`,
            { cause: error },
          ),
        );
      } else {
        resolve(bound);
      }
    });
  });
  let closing: Promise<void> | undefined;
  return {
    target: joinHostPort(host, port),
    port,
    close(graceMs = 5000): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.forceShutdown(), graceMs);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return closing;
    },
  };
}

/**
 * The wire a serving client talks over. REST (`rest.ts`) and gRPC (`grpc.ts`) implement
 * it; the client's retries, timeouts and fallback sit above it and see only this. A
 * transport encodes an {@link InferRequest} in its protocol, sends it, and decodes the
 * answer into an {@link InferResult}; it never retries. Every failure is a
 * {@link ServingClientError}: `SERVING_UNREACHABLE` when no connection could be made,
 * `SERVING_TIMEOUT` when `timeoutMs` passed, `SERVING_ABORTED` when `signal` aborted,
 * `SERVING_REMOTE` (with the HTTP status or gRPC code) when the server answered with an
 * error, `SERVING_BAD_RESPONSE` when the answer cannot be decoded.
 */
import type { InferRequest, InferResult, ModelMetadata } from "../types.ts";

/** Options of one transport call. */
export interface TransportCallOptions {
  /** Fail with `SERVING_TIMEOUT` when no answer came within this many milliseconds (absent: no limit). */
  timeoutMs?: number;
  /** The caller's cancellation: fail with `SERVING_ABORTED` when it aborts. */
  signal?: AbortSignal;
  /** Extra request headers (gRPC: metadata), lower-case names; the routing key travels here. */
  headers?: Record<string, string>;
}

/** A protocol the client speaks. */
export type ServingProtocol = "rest" | "grpc";

/** One connection to a model server, in one protocol. */
export interface InferTransport {
  /** Which protocol it speaks. */
  readonly protocol: ServingProtocol;
  /** Where it sends (a URL for REST, `host:port` for gRPC), for messages. */
  readonly target: string;
  /** Runs one inference request on a model (its served version when `version` is absent). */
  infer(
    model: string,
    version: string | undefined,
    request: InferRequest,
    options: TransportCallOptions,
  ): Promise<InferResult>;
  /** Whether the model (or that version) is ready; `false` for a model the server does not know. */
  ready(model: string, version?: string, options?: TransportCallOptions): Promise<boolean>;
  /** The model's metadata (inputs, outputs, versions, platform). */
  metadata(model: string, version?: string, options?: TransportCallOptions): Promise<ModelMetadata>;
  /** Releases connections; later calls fail. */
  close(): void;
}

/** The header that makes a canary split sticky: requests with the same value go to the same version. */
export const ROUTING_KEY_HEADER = "x-weft-routing-key";

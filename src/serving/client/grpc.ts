/**
 * The gRPC transport of `weft/serving-client`: `inference.GRPCInferenceService` calls with
 * `@grpc/grpc-js`, to `weft serve --grpc-port`, Triton or KServe. Inputs go as raw contents
 * (`raw_input_contents`, as Triton's own clients send them); either answer form is read.
 * Failures are {@link ServingClientError}s: UNAVAILABLE with no server error code behind it
 * (refused, reset, no route) is `SERVING_UNREACHABLE`, a passed deadline `SERVING_TIMEOUT`,
 * any other status `SERVING_REMOTE` with its gRPC code and message. Loads grpc-js when this
 * module loads: the client imports it only for `protocol: "grpc"`.
 */
import { type CallOptions, type Client, credentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import type { ServingErrorCode } from "../errors.ts";
import {
  decodeInferResponse,
  encodeInferRequest,
  type WireInferRequest,
  type WireInferResponse,
  type WireTensor,
} from "../grpc/codec.ts";
import { inferenceService, SERVICE_NAME, SERVING_CODE_METADATA } from "../grpc/proto.ts";
import type { InferRequest, InferResult, ModelMetadata, TensorSpec } from "../types.ts";
import { ServingClientError } from "./errors.ts";
import type { InferTransport, TransportCallOptions } from "./transport.ts";

/** Options of the gRPC transport. */
export interface GrpcTransportOptions {
  /** Send inputs as typed `contents` instead of raw bytes (FP16 is always raw). */
  typedContents?: boolean;
}

type Unary = (
  request: object,
  metadata: Metadata,
  options: CallOptions,
  callback: (error: ServiceError | null, response?: unknown) => void,
) => { cancel(): void };

/** `host:port` from a target given as `host:port`, `grpc://host:port` or `http://host:port`. */
export function grpcTarget(target: string): string {
  const stripped = target.replace(/^(grpc|http|dns):\/\//, "").replace(/\/+$/, "");
  if (stripped === "" || /[/\s]/.test(stripped)) {
    throw new ServingClientError(
      "SERVING_BAD_INPUT",
      `gRPC target ${JSON.stringify(target)} is not host:port: give it as 127.0.0.1:8001 or grpc://127.0.0.1:8001`,
    );
  }
  return stripped;
}

/** A {@link ServingClientError} for a failed call. */
function callError(method: string, target: string, error: ServiceError): ServingClientError {
  const where = `gRPC ${SERVICE_NAME}/${method} to ${target}`;
  const remote = error.metadata?.get(SERVING_CODE_METADATA)[0];
  if (error.code === status.UNAVAILABLE && remote === undefined) {
    return new ServingClientError("SERVING_UNREACHABLE", `${where}: no connection (${error.details})`, {
      grpcCode: error.code,
      cause: error,
    });
  }
  if (error.code === status.DEADLINE_EXCEEDED) {
    return new ServingClientError("SERVING_TIMEOUT", `${where}: no answer before the timeout`, {
      grpcCode: error.code,
      cause: error,
    });
  }
  if (error.code === status.CANCELLED) {
    return new ServingClientError("SERVING_ABORTED", `${where}: cancelled`, { grpcCode: error.code, cause: error });
  }
  const extra: { grpcCode: number; cause: unknown; remoteCode?: ServingErrorCode } = {
    grpcCode: error.code,
    cause: error,
  };
  if (typeof remote === "string") extra.remoteCode = remote as ServingErrorCode;
  return new ServingClientError(
    "SERVING_REMOTE",
    `${where} failed (${status[error.code] ?? error.code}): ${error.details}`,
    extra,
  );
}

const toSpec = (t: WireTensor): TensorSpec => ({
  name: t.name ?? "",
  datatype: (t.datatype ?? "") as TensorSpec["datatype"],
  shape: (t.shape ?? []).map(Number),
});

/** The gRPC transport to a model server at `target` (`host:port`). */
export function grpcTransport(target: string, options: GrpcTransportOptions = {}): InferTransport {
  const address = grpcTarget(target);
  const { Client } = inferenceService();
  const client: Client = new Client(address, credentials.createInsecure(), {
    "grpc.max_receive_message_length": -1,
    "grpc.max_send_message_length": -1,
  });
  let closed = false;

  function call<Res>(method: string, request: object, callOptions: TransportCallOptions = {}): Promise<Res> {
    if (closed) {
      return Promise.reject(new ServingClientError("SERVING_UNREACHABLE", `gRPC transport to ${address} is closed`));
    }
    const { signal, timeoutMs, headers } = callOptions;
    if (signal?.aborted) {
      return Promise.reject(new ServingClientError("SERVING_ABORTED", `gRPC ${method} to ${address}: aborted`));
    }
    const metadata = new Metadata();
    if (headers !== undefined) for (const key of Object.keys(headers)) metadata.set(key, headers[key]!);
    const grpcOptions: CallOptions = timeoutMs === undefined ? {} : { deadline: Date.now() + timeoutMs };
    const fn = (client as unknown as Record<string, Unary>)[method]!.bind(client);
    return new Promise<Res>((resolve, reject) => {
      const onAbort = () => pending.cancel();
      const pending = fn(request, metadata, grpcOptions, (error, response) => {
        signal?.removeEventListener("abort", onAbort);
        if (error) reject(callError(method, address, error));
        else resolve(response as Res);
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  return {
    protocol: "grpc",
    target: address,
    async infer(model, version, request: InferRequest, callOptions): Promise<InferResult> {
      let message: WireInferRequest;
      try {
        message = encodeInferRequest(model, version, request, { raw: options.typedContents !== true });
      } catch (error) {
        throw new ServingClientError(
          "SERVING_BAD_INPUT",
          `cannot encode the request to ${model}: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      const response = await call<WireInferResponse>("ModelInfer", message, callOptions);
      try {
        return decodeInferResponse(response);
      } catch (error) {
        throw new ServingClientError(
          "SERVING_BAD_RESPONSE",
          `gRPC ModelInfer answer from ${address} for ${model}: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
    },
    async ready(model, version, callOptions): Promise<boolean> {
      try {
        const r = await call<{ ready?: boolean }>("ModelReady", { name: model, version: version ?? "" }, callOptions);
        return r.ready === true;
      } catch (error) {
        if (error instanceof ServingClientError && error.grpcCode === status.NOT_FOUND) return false;
        throw error;
      }
    },
    async metadata(model, version, callOptions): Promise<ModelMetadata> {
      const r = await call<{
        name?: string;
        versions?: string[];
        platform?: string;
        inputs?: WireTensor[];
        outputs?: WireTensor[];
      }>("ModelMetadata", { name: model, version: version ?? "" }, callOptions);
      return {
        name: r.name ?? model,
        versions: r.versions ?? [],
        platform: r.platform ?? "",
        inputs: (r.inputs ?? []).map(toSpec),
        outputs: (r.outputs ?? []).map(toSpec),
      };
    },
    close(): void {
      closed = true;
      client.close();
    },
  };
}

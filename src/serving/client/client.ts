/**
 * `createServingClient`: inference calls over a transport (REST or gRPC) with a timeout per
 * try, retries with backoff for failures a second try may fix, and an optional local
 * fallback model that answers when the server cannot. Every answer says which path gave it.
 */
import type { InferResult, ModelMetadata, Parameters, RequestedOutput } from "../types.ts";
import { ServingClientError } from "./errors.ts";
import { type FallbackOptions, type FallbackWhen, type LocalModel, loadLocalOnnxModel, runLocal } from "./fallback.ts";
import { type RestTransport, restTransport } from "./rest.ts";
import { aborted, type RetryOptions, retryPolicy, withRetries } from "./retry.ts";
import { type InferInputs, toInferRequest } from "./tensors.ts";
import {
  type InferTransport,
  ROUTING_KEY_HEADER,
  type ServingProtocol,
  type TransportCallOptions,
} from "./transport.ts";

/** Options of {@link createServingClient}. */
export interface ServingClientOptions {
  /** The server: `http://127.0.0.1:8000` (REST) or `127.0.0.1:8001` / `grpc://127.0.0.1:8001` (gRPC). */
  url: string;
  /** Default `"grpc"` for a `grpc://` URL, else `"rest"`. */
  protocol?: ServingProtocol;
  /** Per try, in milliseconds. Default 10000; 0: no limit. */
  timeoutMs?: number;
  /** Retries of failures a second try may fix (no connection, timeout, 503); `false`: one try. */
  retries?: RetryOptions | false;
  /** REST: inputs and outputs in the binary tensor data extension. */
  binary?: boolean;
  /** Headers (gRPC: metadata) sent with every call. */
  headers?: Record<string, string>;
  /** A local model that answers when the server cannot. */
  fallback?: FallbackOptions;
  /** A transport of the caller's own (instead of `url` and `protocol`). */
  transport?: InferTransport;
}

/** Options of one inference call. */
export interface ServingCallOptions {
  /** A version of the model (default: the version the server serves, canary split included). */
  version?: string;
  /** The outputs to return (default: all). */
  outputs?: ReadonlyArray<string | RequestedOutput>;
  /** Sticky canary split: calls with the same key go to the same version. */
  routingKey?: string;
  /** The request's `id`, echoed in the result. */
  id?: string;
  /** The request's `parameters`. */
  parameters?: Parameters;
  /** This call's timeout per try (default: the client's). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Which path answered a call. */
export type AnsweredBy = "remote" | "fallback";

/** The answer of {@link ServingClient.infer}. */
export interface ServingInferResult {
  result: InferResult;
  /** `"remote"`: the server; `"fallback"`: the local model. */
  answeredBy: AnsweredBy;
  /** Tries made on the server (with `when: "slow"`, those started before the fallback took over). */
  attempts: number;
  /** Why the server's answer was not used, when the fallback answered. */
  remoteError?: ServingClientError;
}

/** A client of one model server. */
export interface ServingClient {
  /** The transport's protocol. */
  readonly protocol: ServingProtocol;
  /** Runs one inference on `model`. */
  infer(model: string, inputs: InferInputs, options?: ServingCallOptions): Promise<ServingInferResult>;
  /** KServe v1 (REST only): `instances` in, `predictions` out. */
  predict(
    model: string,
    instances: unknown[],
    options?: Omit<ServingCallOptions, "outputs" | "id" | "parameters">,
  ): Promise<unknown[]>;
  /** Whether the model (or that version) is ready on the server. One try, no fallback. */
  ready(model: string, options?: { version?: string; timeoutMs?: number; signal?: AbortSignal }): Promise<boolean>;
  /** The model's metadata on the server. */
  metadata(
    model: string,
    options?: { version?: string; timeoutMs?: number; signal?: AbortSignal },
  ): Promise<ModelMetadata>;
  /** Closes the connections and the fallback model. */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Whether a failed remote call falls back, by the fallback's `when`. */
export function fallsBack(error: unknown, when: FallbackWhen): boolean {
  if (!(error instanceof ServingClientError)) return false;
  if (error.code === "SERVING_ABORTED" || error.code === "SERVING_BAD_INPUT") return false;
  if (when === "error") return true;
  return error.retryable;
}

/** The gRPC transport, imported on first use so that a REST client never loads grpc-js. */
async function grpcTransportOf(url: string): Promise<InferTransport> {
  const { grpcTransport } = await import("./grpc.ts");
  return grpcTransport(url);
}

/**
 * A client of the model server at `options.url`. A REST URL is checked at once (a bad one
 * is a `SERVING_BAD_INPUT`); nothing connects until the first call.
 */
export function createServingClient(options: ServingClientOptions): ServingClient {
  const protocol: ServingProtocol =
    options.transport?.protocol ?? options.protocol ?? (/^grpc:\/\//.test(options.url) ? "grpc" : "rest");
  const policy = retryPolicy(options.retries === false ? { attempts: 1 } : options.retries);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new ServingClientError("SERVING_BAD_INPUT", `timeoutMs is ${timeoutMs}: use milliseconds >= 0 (0: no limit)`);
  }
  const fallback = options.fallback;
  if (fallback && !fallback.modelFile && !fallback.backend) {
    throw new ServingClientError(
      "SERVING_BAD_INPUT",
      "fallback needs modelFile (an ONNX file) or backend (a loaded model)",
    );
  }
  const when: FallbackWhen = fallback?.when ?? "unreachable";
  if (fallback && !["unreachable", "slow", "error"].includes(when)) {
    throw new ServingClientError(
      "SERVING_BAD_INPUT",
      `fallback.when is "${when}": use "unreachable", "slow" or "error"`,
    );
  }
  const slowMs = fallback?.slowMs ?? timeoutMs;

  let transport: InferTransport | Promise<InferTransport>;
  if (options.transport) transport = options.transport;
  else if (protocol === "rest") transport = restTransport(options.url, { binary: options.binary });
  else {
    transport = grpcTransportOf(options.url);
    // a bad target rejects each call; a client never called must not leave the rejection unheard
    transport.catch(() => {});
  }
  const transportOf = async (): Promise<InferTransport> => {
    transport = await transport;
    return transport;
  };

  let local: Promise<LocalModel> | undefined;
  const localModel = (): Promise<LocalModel> => {
    if (fallback?.backend) return Promise.resolve(fallback.backend);
    local ??= loadLocalOnnxModel(fallback?.modelFile as string);
    return local;
  };

  const callOptions = (
    o: { timeoutMs?: number; signal?: AbortSignal },
    headers?: Record<string, string>,
  ): TransportCallOptions => {
    const t = o.timeoutMs ?? timeoutMs;
    const out: TransportCallOptions = {};
    if (t > 0) out.timeoutMs = t;
    if (o.signal) out.signal = o.signal;
    if (headers || options.headers) out.headers = { ...options.headers, ...headers };
    return out;
  };

  async function infer(model: string, inputs: InferInputs, o: ServingCallOptions = {}): Promise<ServingInferResult> {
    const request = toInferRequest(inputs, o);
    const headers = o.routingKey === undefined ? undefined : { [ROUTING_KEY_HEADER]: o.routingKey };
    const t = await transportOf();
    let tries = 0;
    const remote = (signal: AbortSignal | undefined) =>
      withRetries(
        (attempt) => {
          tries = attempt;
          return t.infer(model, o.version, request, callOptions({ ...o, signal }, headers));
        },
        policy,
        { signal },
      );
    if (!fallback) {
      const { value, attempts } = await remote(o.signal);
      return { result: value, answeredBy: "remote", attempts };
    }
    const runFallback = async (remoteError: ServingClientError, attempts: number): Promise<ServingInferResult> => {
      try {
        const result = await runLocal(await localModel(), model, fallback.version ?? "local", request);
        return { result, answeredBy: "fallback", attempts, remoteError };
      } catch (cause) {
        const error = new ServingClientError(
          "SERVING_FALLBACK_FAILED",
          `${remoteError.message}; the fallback model failed too: ${(cause as Error).message}`,
          { cause },
        );
        error.attempts = attempts;
        throw error;
      }
    };
    if (when !== "slow" || !(slowMs > 0)) {
      try {
        const { value, attempts } = await remote(o.signal);
        return { result: value, answeredBy: "remote", attempts };
      } catch (error) {
        if (!fallsBack(error, when)) throw error;
        return runFallback(error as ServingClientError, tries);
      }
    }
    // "slow": the server has slowMs for all its tries; then the remote call is abandoned
    const controller = new AbortController();
    const onAbort = () => controller.abort(o.signal?.reason);
    if (o.signal?.aborted) throw aborted(o.signal);
    o.signal?.addEventListener("abort", onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<"slow">((resolve) => {
      timer = setTimeout(() => resolve("slow"), slowMs);
    });
    try {
      const call = remote(controller.signal);
      // once abandoned, its rejection is nobody's
      call.catch(() => {});
      const first = await Promise.race([call, slow]);
      if (first !== "slow") return { result: first.value, answeredBy: "remote", attempts: first.attempts };
      controller.abort();
      return await runFallback(
        new ServingClientError(
          "SERVING_TIMEOUT",
          `infer on model "${model}": ${t.target} did not answer within ${slowMs} ms (fallback.slowMs)`,
        ),
        tries,
      );
    } catch (error) {
      if (error instanceof ServingClientError && error.code === "SERVING_FALLBACK_FAILED") throw error;
      if (o.signal?.aborted || !fallsBack(error, when)) throw error;
      return runFallback(error as ServingClientError, tries);
    } finally {
      clearTimeout(timer);
      o.signal?.removeEventListener("abort", onAbort);
    }
  }

  return {
    protocol,
    infer,

    async predict(model, instances, o = {}) {
      const t = await transportOf();
      const rest = t as Partial<RestTransport>;
      if (typeof rest.predict !== "function") {
        throw new ServingClientError(
          "SERVING_BAD_INPUT",
          `predict is KServe's v1 REST protocol: ${t.target} is a ${t.protocol} endpoint; use infer, or a REST client`,
        );
      }
      const headers = o.routingKey === undefined ? undefined : { [ROUTING_KEY_HEADER]: o.routingKey };
      const predict = rest.predict.bind(t);
      const { value } = await withRetries(() => predict(model, instances, callOptions(o, headers)), policy, {
        signal: o.signal,
      });
      return value;
    },

    async ready(model, o = {}) {
      const t = await transportOf();
      return t.ready(model, o.version, callOptions(o));
    },

    async metadata(model, o = {}) {
      const t = await transportOf();
      const { value } = await withRetries(() => t.metadata(model, o.version, callOptions(o)), policy, {
        signal: o.signal,
      });
      return value;
    },

    async close() {
      const t = await Promise.resolve(transport).catch(() => undefined);
      t?.close();
      if (local) await (await local.catch(() => undefined))?.close?.();
    },
  };
}

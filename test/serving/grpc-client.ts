/**
 * A client generated from `src/serving/grpc/service.proto` with proto-loader, as a user of
 * KServe's or Triton's gRPC protocol would make one, for the gRPC tests: unary calls as
 * promises, and the status a failed call ends with.
 */
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

const PROTO = fileURLToPath(new URL("../../src/serving/grpc/service.proto", import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: a generated client's messages are untyped
export type Message = any;
export type GeneratedMethod = (
  request: Message,
  metadata: grpc.Metadata,
  callback: (error: grpc.ServiceError | null, response: Message) => void,
) => grpc.ClientUnaryCall;

/** A generated client and its unary calls by method name. */
export interface GeneratedClient {
  client: grpc.Client;
  call(method: string, request: Message, metadata?: grpc.Metadata): Promise<Message>;
}

/** A client of `inference.GRPCInferenceService` at `target`, generated from the proto. */
export function generatedClient(target: string, options: grpc.ChannelOptions = {}): GeneratedClient {
  const definition = protoLoader.loadSync(PROTO, { keepCase: true, longs: String, defaults: true, oneofs: true });
  const inference = grpc.loadPackageDefinition(definition).inference as grpc.GrpcObject;
  const Client = inference.GRPCInferenceService as grpc.ServiceClientConstructor;
  const client = new Client(target, grpc.credentials.createInsecure(), options);
  return {
    client,
    call(method, request, metadata = new grpc.Metadata()) {
      return new Promise((resolve, reject) => {
        const fn = (client as unknown as Record<string, GeneratedMethod>)[method]!.bind(client);
        fn(request, metadata, (error, response) => (error ? reject(error) : resolve(response)));
      });
    },
  };
}

/** The status a call failed with; throws when it succeeded. */
export async function grpcFailure(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error("the call succeeded; a failure was expected");
}

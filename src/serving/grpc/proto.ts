/**
 * The `inference.GRPCInferenceService` definition, loaded once from `descriptor.ts` with the
 * decoding options of `codec.ts`: the server adds it, the client builds its stub from it.
 */
import { loadPackageDefinition, type ServiceClientConstructor } from "@grpc/grpc-js";
import { fromJSON, type ServiceDefinition } from "@grpc/proto-loader";
import type { ServingErrorCode } from "../errors.ts";
import { LOADER_OPTIONS } from "./codec.ts";
import { SERVICE_DESCRIPTOR } from "./descriptor.ts";

/** The service's full name, as gRPC paths (`/inference.GRPCInferenceService/ModelInfer`) carry it. */
export const SERVICE_NAME = "inference.GRPCInferenceService";

/**
 * The trailing metadata key in which `weft serve` names the {@link ServingErrorCode} of a
 * failed call, so a client tells a server's UNAVAILABLE (a model draining) from no connection.
 */
export const SERVING_CODE_METADATA = "weft-serving-code";

let loaded: { definition: ServiceDefinition; Client: ServiceClientConstructor } | undefined;

/** The service definition (for `Server.addService`) and the client constructor. */
export function inferenceService(): { definition: ServiceDefinition; Client: ServiceClientConstructor } {
  if (loaded === undefined) {
    const packageDefinition = fromJSON(SERVICE_DESCRIPTOR as unknown as Parameters<typeof fromJSON>[0], LOADER_OPTIONS);
    const definition = packageDefinition[SERVICE_NAME] as ServiceDefinition;
    const inference = loadPackageDefinition(packageDefinition).inference as Record<string, unknown>;
    loaded = { definition, Client: inference.GRPCInferenceService as ServiceClientConstructor };
  }
  return loaded;
}

/**
 * The REST protocol adapters of a model server: the Open Inference Protocol v2 with its
 * repository extension and Triton's config route, and KServe's v1, as one request handler
 * over a `ModelService`. `../http-server.ts` serves it.
 */
export { configJson } from "./config-json.ts";
export { createRestHandler, type RestHandlerOptions } from "./routes.ts";
export { predictions, predictRequest } from "./v1.ts";

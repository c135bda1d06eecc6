/**
 * Writing REST answers: JSON text, empty bodies, encoded inference results (with the binary
 * extension's header) and errors as the protocol writes them, `{"error": message}` with the
 * status of the error's code.
 */
import type { ServerResponse } from "node:http";
import { ServingError } from "../errors.ts";
import type { EncodedBody } from "../wire/index.ts";

const JSON_TYPE = "application/json";

/** Answers `status` with JSON text. */
export function sendJson(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": JSON_TYPE, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Answers `status` with no body. */
export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { "content-length": 0 });
  res.end();
}

/** Answers 200 with an encoded inference result, JSON or a JSON header and binary data. */
export function sendEncoded(res: ServerResponse, encoded: EncodedBody): void {
  if (encoded.headerLength === undefined) {
    sendJson(res, 200, encoded.body as string);
    return;
  }
  const body = encoded.body as Uint8Array;
  res.writeHead(200, {
    "content-type": encoded.contentType,
    "content-length": body.length,
    "inference-header-content-length": encoded.headerLength,
  });
  res.end(body);
}

/** The status and message an error answers with: a `ServingError`'s own, anything else 500. */
export function errorStatus(error: unknown): [number, string] {
  if (error instanceof ServingError) return [error.httpStatus, error.message];
  return [500, error instanceof Error ? error.message : String(error)];
}

/** Answers an error as `{"error": message}`. */
export function sendError(res: ServerResponse, error: unknown): void {
  const [status, message] = errorStatus(error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, JSON.stringify({ error: message }));
}

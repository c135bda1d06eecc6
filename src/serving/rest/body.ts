/**
 * Reading a request body up to the server's limit. A declared `content-length` over the limit
 * is refused before reading; a body that grows past it while streaming is refused as soon as
 * it does.
 */
import type { IncomingMessage } from "node:http";
import { ServingError } from "../errors.ts";

function tooLarge(limit: number, what: string): ServingError {
  return new ServingError(
    "PAYLOAD_TOO_LARGE",
    `the request body (${what}) is over the server's limit of ${limit} bytes: send smaller batches, or start the server with a larger body limit`,
  );
}

/** The body of `req`, at most `limit` bytes; throws PAYLOAD_TOO_LARGE past it. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(tooLarge(limit, `${declared} bytes`));
  }
  return new Promise((resolve, reject) => {
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.off("end", onEnd);
        reject(tooLarge(limit, `more than ${limit} bytes`));
        return;
      }
      if (first === undefined) {
        first = chunk;
        return;
      }
      if (chunks === undefined) chunks = [first];
      chunks.push(chunk);
    };
    const onEnd = () => {
      if (chunks !== undefined) resolve(Buffer.concat(chunks, size));
      else resolve(first ?? Buffer.alloc(0));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", reject);
    // a client that goes away mid-body: nothing to answer, but the promise must settle
    req.on("close", () => {
      if (!req.complete)
        reject(new ServingError("INVALID_ARGUMENT", "the client closed the connection before the body ended"));
    });
  });
}

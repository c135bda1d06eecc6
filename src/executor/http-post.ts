/**
 * The POST that `ctx.log` sends with. For `http://` it is HTTP/1.1 written on `node:net`
 * sockets kept alive between requests: node's `http` client costs a training task about
 * 15 ms of CPU to load and warm and about 1 ms per request, where this costs 3 ms once and
 * 0.3 ms per request, on the thread that trains. The answer is read with a Content-Length
 * or chunked body, or up to the end of the connection. `https://` goes through
 * `node:https`, loaded when first needed.
 */
import net from "node:net";

/** A POST's answer: the status and the body as text. */
export interface PostAnswer {
  status: number;
  text: string;
}

/** Sends one POST (JSON text, or binary parts written one after another) and resolves with its answer. */
export type Post = (
  url: string,
  headers: Record<string, string>,
  body: string | readonly Uint8Array[],
) => Promise<PostAnswer>;

const TIMEOUT_MS = 30_000;
const MAX_HEAD_BYTES = 64 * 1024;

/** What a response's bytes say so far: undefined while more are needed. */
function parseResponse(
  buf: Buffer,
  ended: boolean,
): { answer: PostAnswer; keepAlive: boolean; used: number } | undefined {
  let start = 0;
  for (;;) {
    const end = buf.indexOf("\r\n\r\n", start);
    if (end < 0) {
      if (buf.length - start > MAX_HEAD_BYTES) throw new Error("the server's answer has no end of headers");
      return undefined;
    }
    const lines = buf.toString("latin1", start, end).split("\r\n");
    const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? "");
    if (!m) throw new Error(`the server did not answer in HTTP/1.1 ('${(lines[0] ?? "").slice(0, 40)}')`);
    const status = Number(m[2]);
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const bodyStart = end + 4;
    // an interim answer (100 Continue) is followed by the real one
    if (status >= 100 && status < 200) {
      start = bodyStart;
      continue;
    }
    const keepAlive = m[1] === "1" && !/\bclose\b/i.test(headers.get("connection") ?? "");
    const length = headers.get("content-length");
    if (length !== undefined) {
      const n = Number(length);
      if (!Number.isSafeInteger(n) || n < 0)
        throw new Error(`the server's answer has a bad content-length '${length}'`);
      if (buf.length < bodyStart + n) return undefined;
      return {
        answer: { status, text: buf.toString("utf8", bodyStart, bodyStart + n) },
        keepAlive,
        used: bodyStart + n,
      };
    }
    if (/\bchunked\b/i.test(headers.get("transfer-encoding") ?? "")) {
      const parts: Buffer[] = [];
      let at = bodyStart;
      for (;;) {
        const eol = buf.indexOf("\r\n", at);
        if (eol < 0) return undefined;
        const size = Number.parseInt(buf.toString("latin1", at, eol).split(";")[0] as string, 16);
        if (!Number.isSafeInteger(size) || size < 0) throw new Error("the server's chunked answer is malformed");
        if (size === 0) {
          // trailers, if any, then an empty line (found right at `eol` when there are none)
          const trailerEnd = buf.indexOf("\r\n\r\n", eol);
          if (trailerEnd < 0) return undefined;
          const last = trailerEnd + 4;
          return { answer: { status, text: Buffer.concat(parts).toString("utf8") }, keepAlive, used: last };
        }
        if (buf.length < eol + 2 + size + 2) return undefined;
        parts.push(buf.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
    }
    // no length: the body runs to the end of the connection
    if (!ended) return undefined;
    return { answer: { status, text: buf.toString("utf8", bodyStart) }, keepAlive: false, used: buf.length };
  }
}

/** One request on one socket; resolves with the answer and whether the socket can be used again. */
function exchange(
  socket: net.Socket,
  head: string,
  body: string | readonly Uint8Array[],
): Promise<{ answer: PostAnswer; keepAlive: boolean }> {
  return new Promise((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    let settled = false;
    const finish = (err: Error | undefined, result?: { answer: PostAnswer; keepAlive: boolean }) => {
      if (settled) return;
      settled = true;
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("error", onError);
      socket.off("close", onClose);
      socket.off("timeout", onTimeout);
      socket.setTimeout(0);
      if (err) {
        socket.destroy();
        reject(err);
      } else resolve(result as { answer: PostAnswer; keepAlive: boolean });
    };
    const check = (ended: boolean) => {
      try {
        const parsed = parseResponse(buf, ended);
        if (parsed)
          finish(undefined, { answer: parsed.answer, keepAlive: parsed.keepAlive && parsed.used === buf.length });
        else if (ended) finish(new Error("the server closed the connection before its answer was complete"));
      } catch (e) {
        finish(e as Error);
      }
    };
    const onData = (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      check(false);
    };
    const onEnd = () => check(true);
    const onError = (e: Error) => finish(e);
    const onClose = () => finish(new Error("the server closed the connection"));
    const onTimeout = () => finish(new Error(`no answer within ${TIMEOUT_MS / 1000} s`));
    socket.on("data", onData);
    socket.on("end", onEnd);
    socket.on("error", onError);
    socket.on("close", onClose);
    socket.on("timeout", onTimeout);
    socket.setTimeout(TIMEOUT_MS);
    socket.cork();
    socket.write(head, "latin1");
    if (typeof body === "string") socket.write(body, "utf8");
    else for (const part of body) socket.write(part);
    socket.uncork();
  });
}

/**
 * A POST for `http://` (kept-alive `node:net` sockets, at most `maxSockets` open per server;
 * a request waits for one beyond that) and `https://` (node:https).
 */
export function createPost(maxSockets: number): Post & { close(): void } {
  type Pooled = net.Socket & { weftDrop?: () => void };
  const servers = new Map<string, { idle: Pooled[]; open: Set<Pooled>; waiters: Array<() => void> }>();
  let https: { post: Post; close(): void } | undefined;

  const poolOf = (key: string) => {
    let pool = servers.get(key);
    if (!pool) {
      pool = { idle: [], open: new Set(), waiters: [] };
      servers.set(key, pool);
    }
    return pool;
  };
  const forget = (pool: ReturnType<typeof poolOf>, socket: Pooled) => {
    const i = pool.idle.indexOf(socket);
    if (i >= 0) pool.idle.splice(i, 1);
    if (pool.open.delete(socket)) pool.waiters.shift()?.();
    socket.destroy();
  };
  const release = (pool: ReturnType<typeof poolOf>, socket: Pooled) => {
    // an idle socket the server closes is dropped from the pool
    const drop = () => forget(pool, socket);
    socket.once("end", drop);
    socket.once("close", drop);
    socket.once("error", drop);
    socket.weftDrop = drop;
    socket.unref();
    pool.idle.push(socket);
    pool.waiters.shift()?.();
  };
  const take = async (pool: ReturnType<typeof poolOf>, host: string, port: number): Promise<Pooled> => {
    for (;;) {
      const socket = pool.idle.pop();
      if (socket) {
        const drop = socket.weftDrop;
        if (drop) {
          socket.off("end", drop);
          socket.off("close", drop);
          socket.off("error", drop);
        }
        socket.ref();
        return socket;
      }
      if (pool.open.size < maxSockets) break;
      await new Promise<void>((r) => pool.waiters.push(r));
    }
    const s: Pooled = net.connect({ host, port });
    s.setNoDelay(true);
    pool.open.add(s);
    return new Promise((resolve, reject) => {
      const failed = (e: Error) => {
        forget(pool, s);
        reject(e);
      };
      s.once("error", failed);
      s.once("connect", () => {
        s.off("error", failed);
        resolve(s);
      });
    });
  };

  const post: Post = async (url, headers, body) => {
    const u = new URL(url);
    if (u.protocol === "https:") {
      https ??= await httpsPost(maxSockets);
      return https.post(url, headers, body);
    }
    if (u.protocol !== "http:") throw new Error(`cannot send to '${url}': only http and https are supported`);
    const length =
      typeof body === "string" ? Buffer.byteLength(body) : body.reduce((n, part) => n + part.byteLength, 0);
    let head = `POST ${u.pathname}${u.search} HTTP/1.1\r\nhost: ${u.host}\r\ncontent-length: ${length}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    head += "\r\n";
    const hostname = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname;
    const pool = poolOf(u.host);
    const socket = await take(pool, hostname, Number(u.port || 80));
    let result: { answer: PostAnswer; keepAlive: boolean };
    try {
      result = await exchange(socket, head, body);
    } catch (e) {
      forget(pool, socket);
      throw e;
    }
    if (result.keepAlive) release(pool, socket);
    else forget(pool, socket);
    return result.answer;
  };
  return Object.assign(post, {
    close() {
      for (const pool of servers.values()) for (const s of pool.open) s.destroy();
      servers.clear();
      https?.close();
    },
  });
}

/** `https://` through node:https with kept-alive connections, loaded when first needed. */
async function httpsPost(maxSockets: number): Promise<{ post: Post; close(): void }> {
  const https = await import("node:https");
  const agent = new https.Agent({ keepAlive: true, maxSockets });
  const post: Post = (url, headers, body) =>
    new Promise((resolve, reject) => {
      const length =
        typeof body === "string" ? Buffer.byteLength(body) : body.reduce((n, part) => n + part.byteLength, 0);
      const req = https.request(
        new URL(url),
        { method: "POST", agent, headers: { ...headers, "content-length": String(length) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
      req.on("error", reject);
      if (typeof body === "string") req.end(body);
      else {
        for (const part of body) req.write(part);
        req.end();
      }
    });
  return { post, close: () => agent.destroy() };
}

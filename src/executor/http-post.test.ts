/**
 * ctx.log's HTTP/1.1 POST on node:net against real servers: node's own HTTP server (keep-alive,
 * a server closing idle connections), and raw servers that answer chunked, with interim
 * answers, without a length, or break off.
 */
import { createServer as createHttpServer, type Server } from "node:http";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createPost } from "./http-post.ts";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function httpServer(keepAliveTimeout = 5000) {
  const bodies: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server: Server = createHttpServer({ keepAliveTimeout }, (req, res) => {
    sockets.add(req.socket);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push(Buffer.concat(chunks));
      const text = JSON.stringify({
        path: req.url,
        type: req.headers["content-type"],
        auth: req.headers.authorization,
      });
      res.writeHead(201, { "content-type": "application/json" });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, bodies, sockets };
}

/** A server that answers each request with `answer` (raw bytes), then does what `after` says. */
async function rawServer(answer: string, after: "keep" | "end" = "keep") {
  const server = net.createServer((socket) => {
    let seen = "";
    socket.on("data", (d) => {
      seen += d.toString("latin1");
      const end = seen.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(seen)?.[1] ?? 0);
      if (seen.length < end + 4 + length) return;
      seen = seen.slice(end + 4 + length);
      socket.write(answer);
      if (after === "end") socket.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

describe("ctx.log's POST", () => {
  it("sends text and binary parts with the headers, and reuses its connections", async () => {
    const s = await httpServer();
    const post = createPost(4);
    try {
      const a = await post(`${s.url}/a?x=1`, { "content-type": "application/json", authorization: "Bearer t" }, "{}");
      expect(a.status).toBe(201);
      expect(JSON.parse(a.text)).toEqual({ path: "/a?x=1", type: "application/json", auth: "Bearer t" });
      const parts = [Uint8Array.of(1, 2, 3), new Uint8Array(100_000).fill(7)];
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => post(`${s.url}/b`, { "content-type": "application/octet-stream" }, parts)),
      );
      expect(answers.every((r) => r.status === 201)).toBe(true);
      expect(s.bodies.slice(1).every((b) => b.length === 100_003 && b[0] === 1 && b[100_002] === 7)).toBe(true);
      // eight requests at once on at most four kept-alive connections (plus the first)
      expect(s.sockets.size).toBeLessThanOrEqual(5);
    } finally {
      post.close();
    }
  });

  it("drops a connection the server closed while idle, and sends the next request on a new one", async () => {
    const s = await httpServer(30);
    const post = createPost(4);
    try {
      expect((await post(`${s.url}/1`, {}, "x")).status).toBe(201);
      await new Promise((r) => setTimeout(r, 200));
      expect((await post(`${s.url}/2`, {}, "y")).status).toBe(201);
      expect(s.bodies.map(String)).toEqual(["x", "y"]);
    } finally {
      post.close();
    }
  });

  it("reads chunked answers (with trailers), interim 100 answers, and answers without a length", async () => {
    const post = createPost(4);
    try {
      const chunked = await rawServer(
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=1\r\n world\r\n0\r\nx-t: 1\r\n\r\n",
      );
      expect(await post(`${chunked}/`, {}, "a")).toEqual({ status: 200, text: "hello world" });
      expect(await post(`${chunked}/`, {}, "b")).toEqual({ status: 200, text: "hello world" });
      const interim = await rawServer(
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}",
      );
      expect(await post(`${interim}/`, {}, "a")).toEqual({ status: 404, text: "{}" });
      const unbounded = await rawServer("HTTP/1.0 200 OK\r\n\r\nall of it", "end");
      expect(await post(`${unbounded}/`, {}, "a")).toEqual({ status: 200, text: "all of it" });
    } finally {
      post.close();
    }
  });

  it("rejects a broken answer, a closed connection and a refused one, naming what went wrong", async () => {
    const post = createPost(4);
    try {
      const garbage = await rawServer("SMTP ready\r\n\r\n");
      await expect(post(`${garbage}/`, {}, "a")).rejects.toThrow(/did not answer in HTTP\/1\.1/);
      const cut = await rawServer("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc", "end");
      await expect(post(`${cut}/`, {}, "a")).rejects.toThrow(/closed the connection/);
      const s = await httpServer();
      const url = s.url;
      await closers.pop()?.();
      await expect(post(`${url}/`, {}, "a")).rejects.toThrow(/ECONNREFUSED/);
      await expect(post("ftp://127.0.0.1/", {}, "a")).rejects.toThrow(/only http and https/);
    } finally {
      post.close();
    }
  });
});

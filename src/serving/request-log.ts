/**
 * The request log of `weft serve`: one JSON line per logged inference request,
 *
 *   {"time":"2026-12-05T21:30:00.123Z","id":"r1","model":"fraud","version":"3","role":"primary","ok":true,"latency_ms":0.412,"queue_ms":0.101,"compute_ms":0.188}
 *
 * (`id` only when the request carried one, `error` only on a failure), appended to a file
 * or written to stderr. `sample` is the fraction of successful requests logged (0 to 1,
 * drawn at random per request); every failed request is logged, whatever the sample, so
 * a sampled log still shows each error. Lines are written through one buffered stream:
 * nothing is formatted for a request that is not logged.
 */
import { closeSync, createWriteStream, openSync } from "node:fs";
import { resolve } from "node:path";
import type { Writable } from "node:stream";
import { ServingError } from "./errors.ts";
import type { InferEvent, ServingObserver } from "./types.ts";

/** Where and how much to log. */
export interface RequestLogOptions {
  /** The file to append to (created when missing; its directory must exist); stderr when absent. */
  file?: string;
  /** Fraction of successful requests logged, 0 to 1 (default 1). Failures are always logged. */
  sample?: number;
  /** The random source of the sampling (tests pass a fixed one). */
  random?: () => number;
  /** Write here instead of `file` or stderr (tests). */
  stream?: Writable;
}

/** A request log: an observer that writes its lines, and how to flush and close it. */
export interface RequestLog {
  readonly observer: ServingObserver;
  /** Where lines go, in words (`stderr`, or the file's absolute path). */
  readonly destination: string;
  /** Lines written so far. */
  readonly written: number;
  /** Flushes the lines and closes the file (never stderr). */
  close(): Promise<void>;
}

const ms = (seconds: number): number => Math.round(seconds * 1e6) / 1e3;

/** One log line for `event` (with its newline). */
export function formatRequestLine(event: InferEvent, time: Date = new Date()): string {
  const line: Record<string, unknown> = { time: time.toISOString() };
  if (event.requestId !== undefined) line.id = event.requestId;
  line.model = event.model;
  line.version = event.version;
  line.role = event.role;
  line.ok = event.ok;
  if (!event.ok && event.error !== undefined) line.error = event.error;
  line.latency_ms = ms(event.totalSeconds);
  line.queue_ms = ms(event.queueSeconds);
  line.compute_ms = ms(event.computeSeconds);
  return `${JSON.stringify(line)}\n`;
}

/** Checks a `--log-sample` value: a number from 0 to 1. */
export function checkSample(sample: number, flag = "--log-sample"): number {
  if (!Number.isFinite(sample) || sample < 0 || sample > 1) {
    throw new ServingError(
      "INVALID_ARGUMENT",
      `${flag} ${sample} must be a fraction from 0 to 1 (0.1 logs one successful request in ten)`,
    );
  }
  return sample;
}

/** Opens a request log; a file that cannot be opened is a clear error naming it. */
export function createRequestLog(options: RequestLogOptions = {}): RequestLog {
  const sample = checkSample(options.sample ?? 1);
  const random = options.random ?? Math.random;
  let stream: Writable;
  let destination: string;
  let owned = false;
  if (options.stream) {
    stream = options.stream;
    destination = "stream";
  } else if (options.file !== undefined) {
    destination = resolve(options.file);
    let fd: number;
    try {
      fd = openSync(destination, "a");
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new ServingError(
        "INVALID_ARGUMENT",
        `cannot open the request log ${destination} (${reason}); give --request-log a file in an existing directory you can write`,
      );
    }
    try {
      stream = createWriteStream(destination, { fd, flags: "a" });
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    owned = true;
  } else {
    stream = process.stderr;
    destination = "stderr";
  }
  let written = 0;
  const observer: ServingObserver = {
    infer(event) {
      if (event.ok && (sample === 0 || (sample < 1 && random() >= sample))) return;
      stream.write(formatRequestLine(event));
      written++;
    },
  };
  return {
    observer,
    destination,
    get written() {
      return written;
    },
    close() {
      if (!owned) return Promise.resolve();
      return new Promise<void>((res, rej) => {
        stream.end((err?: Error | null) => (err ? rej(err) : res()));
      });
    },
  };
}

/**
 * Dynamic batching as Triton does it, in front of one backend (one loaded model version).
 *
 * With `dynamicBatching` configured and `maxBatchSize > 0`, requests wait in a queue; a
 * batch is formed when the backend has a free instance (`backendConcurrency`: its worker
 * threads), from the oldest request and the queued requests compatible with it — the same
 * inputs with the same datatypes and the same dims after the batch dimension, and the same
 * requested outputs: a batch never mixes shapes — up to `maxBatchSize` rows. It runs at
 * once when it is full (or reaches the largest `preferredBatchSize` it can), when the
 * oldest request has waited `maxQueueDelayMicroseconds`, or when the delay is 0; otherwise
 * it waits for more requests until that delay. The inputs are concatenated along the first
 * dimension, run in one backend call, and the outputs are split back by rows. A request
 * that does not fit (inconsistent batch dimension, more rows than `maxBatchSize`, data that
 * does not match its shape) is refused alone before any merging; when a merged call fails,
 * its requests are run again one by one, so a request that makes the model fail fails only
 * itself.
 *
 * Without dynamic batching (or with `maxBatchSize` 0) every request is its own backend
 * call. Either way the scheduler counts pending requests, reports each call to the
 * observer (`batch`), times queueing and compute, and drains: after `drain()` starts, new
 * requests are refused with UNAVAILABLE, queued ones run without waiting for the delay,
 * and it resolves when the last one is answered.
 */
import { ServingError } from "./errors.ts";
import { concatData, elementCount, sliceData } from "./runtime/datatypes.ts";
import { backendConcurrency, handOver } from "./runtime/index.ts";
import type { Backend, ModelConfig, Scheduler, ServingObserver, Tensor, Timed } from "./types.ts";

interface Item {
  inputs: Tensor[];
  outputNames: string[] | undefined;
  key: string;
  rows: number;
  /** performance.now() when accepted. */
  enqueued: number;
  resolve(value: Timed<Tensor[]>): void;
  reject(error: Error): void;
}

/** The batch key: what must be equal for requests to share a backend call. */
function batchKey(inputs: Tensor[], outputNames: string[] | undefined): string {
  let key = "";
  const sorted =
    inputs.length > 1 ? [...inputs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : inputs;
  for (const t of sorted) {
    key += `${t.name}\u0000${t.datatype}`;
    for (let i = 1; i < t.shape.length; i++) key += `,${t.shape[i]}`;
    key += "\u0001";
  }
  return outputNames ? `${key}\u0002${outputNames.join("\u0000")}` : key;
}

const now = () => performance.now();

/** A backend behind its dynamic batcher (or run directly when the model does not batch). */
export function createScheduler(
  backend: Backend,
  config: ModelConfig,
  labels: { model: string; version: string },
  observer?: ServingObserver,
): Scheduler {
  const label = `model ${labels.model} version ${labels.version}`;
  const maxBatch = config.maxBatchSize;
  const batching = maxBatch > 0 && config.dynamicBatching !== undefined;
  const delayMs = batching ? config.dynamicBatching!.maxQueueDelayMicroseconds / 1000 : 0;
  const preferred = batching
    ? [...new Set(config.dynamicBatching!.preferredBatchSize)]
        .filter((n) => n > 0 && n <= maxBatch)
        .sort((a, b) => b - a)
    : [];
  const capacity = Math.max(1, backendConcurrency(backend));

  const queue: Item[] = [];
  let pending = 0;
  let inflight = 0;
  let draining = false;
  let drained: Promise<void> | undefined;
  let onDrained: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;

  const answered = (count: number) => {
    pending -= count;
    if (pending === 0 && onDrained) {
      onDrained();
      onDrained = undefined;
    }
  };

  /** The rows of a request, or the reason it cannot run. */
  const rowsOf = (inputs: Tensor[]): number | ServingError => {
    let rows = -1;
    for (const t of inputs) {
      const n = Array.isArray(t.data) || ArrayBuffer.isView(t.data) ? t.data.length : -1;
      if (n !== elementCount(t.shape))
        return new ServingError(
          "INVALID_ARGUMENT",
          `${label}: input ${t.name} has shape [${t.shape.join(", ")}] (${elementCount(t.shape)} elements) but ${n} elements of data`,
        );
      if (maxBatch === 0) continue;
      const first = t.shape.length > 0 ? t.shape[0]! : -1;
      if (first < 0)
        return new ServingError(
          "INVALID_ARGUMENT",
          `${label}: input ${t.name} has no batch dimension; its shape must start with the batch size`,
        );
      if (rows === -1) rows = first;
      else if (rows !== first)
        return new ServingError(
          "INVALID_ARGUMENT",
          `${label}: input ${t.name} has batch size ${first} but ${inputs[0]!.name} has ${rows}; every input's first dimension is the same batch size`,
        );
    }
    if (maxBatch > 0 && rows > maxBatch)
      return new ServingError(
        "INVALID_ARGUMENT",
        `${label}: the request's batch size ${rows} is over the model's max_batch_size ${maxBatch}; split it into smaller requests`,
      );
    return Math.max(rows, 1);
  };

  /** One backend call for one request. */
  const runAlone = (item: Item, started: number): Promise<void> => {
    let call: Promise<Tensor[]>;
    try {
      call = backend.run(item.inputs, item.outputNames);
    } catch (e) {
      call = Promise.reject(e);
    }
    return call.then(
      (value) => {
        const end = now();
        observer?.batch?.({ model: labels.model, version: labels.version, size: item.rows, requests: 1 });
        item.resolve({
          value,
          queueSeconds: (started - item.enqueued) / 1000,
          computeSeconds: (end - started) / 1000,
          batchSize: item.rows,
        });
      },
      (e) =>
        item.reject(
          e instanceof ServingError
            ? e
            : new ServingError("INTERNAL", `${label}: ${(e as Error).message}`, { cause: e }),
        ),
    );
  };

  const runMerged = async (batch: Item[], rows: number, started: number): Promise<void> => {
    const head = batch[0]!;
    let outputs: Tensor[];
    try {
      const merged: Tensor[] = head.inputs.map((t) => {
        const parts = batch.map((it) => (it === head ? t : it.inputs.find((x) => x.name === t.name)!).data);
        const data = concatData(t.datatype, parts);
        handOver(data);
        return { name: t.name, datatype: t.datatype, shape: [rows, ...t.shape.slice(1)], data };
      });
      outputs = await backend.run(merged, head.outputNames);
    } catch {
      // a request in the batch made the model fail: run each alone, so only it fails
      await Promise.all(batch.map((it) => runAlone(it, now())));
      return;
    }
    const end = now();
    observer?.batch?.({ model: labels.model, version: labels.version, size: rows, requests: batch.length });
    for (const o of outputs) {
      if (o.shape[0] !== rows) {
        const error = new ServingError(
          "INTERNAL",
          `${label}: output ${o.name} has shape [${o.shape.join(", ")}], not a first dimension of the batch's ${rows} rows`,
        );
        for (const it of batch) it.reject(error);
        return;
      }
    }
    let row = 0;
    for (const it of batch) {
      const value: Tensor[] = outputs.map((o) => {
        const per = rows === 0 ? 0 : o.data.length / rows;
        return {
          name: o.name,
          datatype: o.datatype,
          shape: [it.rows, ...o.shape.slice(1)],
          data: sliceData(o.data, row * per, (row + it.rows) * per),
        };
      });
      row += it.rows;
      it.resolve({
        value,
        queueSeconds: (started - it.enqueued) / 1000,
        computeSeconds: (end - started) / 1000,
        batchSize: rows,
      });
    }
  };

  const dispatch = (batch: Item[], rows: number) => {
    inflight++;
    const started = now();
    const done = batch.length === 1 ? runAlone(batch[0]!, started) : runMerged(batch, rows, started);
    done.finally(() => {
      inflight--;
      answered(batch.length);
      if (queue.length > 0) schedule();
    });
  };

  /** Schedules after the I/O that is ready now. */
  const later = () => {
    immediate ??= setImmediate(() => {
      immediate = undefined;
      schedule();
    });
  };

  const arm = (waitMs: number) => {
    if (timer) return;
    // sub-millisecond delays cannot be timers (they fire after 1 ms at best): look again
    // after the I/O that is ready, which is where the requests to join the batch come from
    if (waitMs < 1) later();
    else
      timer = setTimeout(() => {
        timer = undefined;
        schedule();
      }, waitMs);
  };

  function schedule(): void {
    while (inflight < capacity && queue.length > 0) {
      const head = queue[0]!;
      const batch = [head];
      let rows = head.rows;
      let full = rows >= maxBatch;
      for (let i = 1; i < queue.length && !full; i++) {
        const it = queue[i]!;
        if (it.key !== head.key) continue;
        if (rows + it.rows > maxBatch) {
          full = true;
          break;
        }
        batch.push(it);
        rows += it.rows;
        if (rows === maxBatch) full = true;
      }
      let take = batch.length;
      const waited = now() - head.enqueued;
      if (!full && !draining && delayMs > 0 && waited < delayMs) {
        // a preferred size reached now runs now (the largest one a prefix of the queue makes)
        let found = 0;
        if (preferred.length > 0) {
          let sum = 0;
          for (let i = 0; i < batch.length; i++) {
            sum += batch[i]!.rows;
            if (preferred.includes(sum)) found = i + 1;
          }
        }
        if (found === 0) {
          arm(delayMs - waited);
          return;
        }
        take = found;
        rows = 0;
        for (let i = 0; i < take; i++) rows += batch[i]!.rows;
      }
      const chosen = take === batch.length ? batch : batch.slice(0, take);
      if (chosen.length === 1) queue.shift();
      else {
        const set = new Set(chosen);
        let w = 0;
        for (let r = 0; r < queue.length; r++) if (!set.has(queue[r]!)) queue[w++] = queue[r]!;
        queue.length = w;
      }
      dispatch(chosen, rows);
    }
  }

  const unavailable = () =>
    new ServingError("UNAVAILABLE", `${label} is draining (being replaced or unloaded); retry the request`);

  return {
    get pending() {
      return pending;
    },
    run(inputs, outputNames) {
      if (draining) return Promise.reject(unavailable());
      const rows = rowsOf(inputs);
      if (rows instanceof ServingError) return Promise.reject(rows);
      pending++;
      return new Promise<Timed<Tensor[]>>((resolve, reject) => {
        const item: Item = {
          inputs,
          outputNames,
          key: batching ? batchKey(inputs, outputNames) : "",
          rows,
          enqueued: now(),
          resolve,
          reject,
        };
        if (!batching) {
          runAlone(item, item.enqueued).finally(() => answered(1));
          return;
        }
        queue.push(item);
        // an idle backend takes a lone request at once; otherwise batches are formed after
        // the I/O of this turn of the event loop, so the requests that arrive together (or
        // the callers a finished batch answered, sending again) are merged rather than the
        // first of them running alone
        if (inflight === 0 && queue.length === 1) schedule();
        else later();
      });
    },
    drain() {
      if (drained) return drained;
      draining = true;
      if (timer) clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
      timer = undefined;
      immediate = undefined;
      drained = new Promise<void>((resolve) => {
        onDrained = resolve;
        if (pending === 0) {
          onDrained = undefined;
          resolve();
        }
      });
      schedule();
      return drained;
    },
  };
}

/**
 * The ONNX Runtime backend: one `onnxruntime-node` session per worker thread (ORT's `run()`
 * blocks the thread it runs on, so sessions on the main thread would stall every other
 * request), `workers` of them per loaded model version. A call goes to the worker with the
 * fewest calls in flight (round robin among equals); its input buffers are copied once and
 * transferred, the outputs come back transferred. A worker that dies fails only the calls
 * it held and is replaced. BYTES elements reach ONNX Runtime as UTF-8 text (ONNX's `string`
 * type), so bytes that are not valid UTF-8 arrive with U+FFFD in their place.
 *
 * onnxruntime-node is an optional peer: it is resolved when a model is loaded, and its
 * absence is a `MODEL_INVALID` error that says how to install it.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { ServingError } from "../errors.ts";
import type { Backend, Datatype, Tensor, TensorData, TensorSpec } from "../types.ts";
import { datatypeOf, ORT_TYPE, TYPED_ARRAY } from "./datatypes.ts";
import { ONNX_WORKER_SOURCE } from "./onnx-worker.ts";

/** Typed arrays the batcher made for one call: the backend may transfer them without a copy. */
const handedOver = new WeakSet<object>();

/** Marks tensor data as owned by the backend call it is passed to (its buffer may be transferred away). */
export function handOver(data: TensorData): void {
  if (!Array.isArray(data)) handedOver.add(data);
}

const workersOf = new WeakMap<Backend, Slot[]>();

/** The worker threads of an ONNX backend now (for tests that stop one). */
export function onnxWorkers(backend: Backend): Worker[] {
  return (workersOf.get(backend) ?? []).map((s) => s.worker);
}

/** onnxruntime-node's entry file (`pkg` is for tests), or the error that says how to install it. */
export function resolveOnnxRuntime(file: string, pkg = "onnxruntime-node"): string {
  try {
    return createRequire(import.meta.url).resolve(pkg);
  } catch (cause) {
    throw new ServingError(
      "MODEL_INVALID",
      `serving ${file} needs ${pkg}: run ONNXRUNTIME_NODE_INSTALL=skip npm install ${pkg}`,
      { cause },
    );
  }
}

interface WireTensor {
  name: string;
  type: string;
  dims: number[];
  data: TensorData | string[];
}

interface Reply {
  id?: number;
  ready?: boolean;
  loadError?: string;
  outputs?: WireTensor[];
  error?: string;
}

interface Call {
  resolve(outputs: Tensor[]): void;
  reject(error: Error): void;
  slot: Slot;
}

interface Slot {
  worker: Worker;
  inflight: number;
}

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();

function toWire(t: Tensor, transfer: ArrayBuffer[]): WireTensor {
  const type = ORT_TYPE[t.datatype];
  if (t.datatype === "BYTES") {
    const strings = (t.data as Uint8Array[]).map((b) => utf8Decoder.decode(b));
    return { name: t.name, type, dims: t.shape, data: strings };
  }
  let data = t.data as Exclude<TensorData, Uint8Array[]>;
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  if (!handedOver.has(data) || !whole || !(data.buffer instanceof ArrayBuffer)) {
    // a copy of the caller's elements only (not of a larger buffer they are a view of, such
    // as a request body), made with the datatype's own array: a Node Buffer's slice() is a view
    const copy = new TYPED_ARRAY[t.datatype](data.length);
    (copy as Uint8Array).set(data as Uint8Array);
    data = copy;
  }
  transfer.push(data.buffer as ArrayBuffer);
  return { name: t.name, type, dims: t.shape, data };
}

function fromWire(t: WireTensor, file: string): Tensor {
  const datatype: Datatype | undefined = datatypeOf(t.type);
  if (!datatype)
    throw new ServingError("INTERNAL", `${file}: output ${t.name} has type ${t.type}, which the protocol cannot carry`);
  let data: TensorData;
  if (datatype === "BYTES") data = (t.data as string[]).map((s) => utf8Encoder.encode(s));
  else if (datatype === "FP16" && !(t.data instanceof Uint16Array)) {
    // a Float16Array where the platform has one: the same bits, read as the protocol's Uint16Array
    const view = t.data as Uint8Array;
    data = new Uint16Array(view.buffer, view.byteOffset, view.length);
  } else data = t.data as TensorData;
  return { name: t.name, datatype, shape: t.dims, data };
}

/**
 * Loads an ONNX model into `workers` worker threads and resolves once every session is
 * created; a file ONNX Runtime refuses is a `MODEL_INVALID` error naming it.
 */
export async function loadOnnxBackend(
  file: string,
  specs: { inputs: TensorSpec[]; outputs: TensorSpec[] },
  options: { workers: number; label: string },
): Promise<Backend> {
  const ortPath = resolveOnnxRuntime(file);
  const calls = new Map<number, Call>();
  const slots: Slot[] = [];
  let nextId = 1;
  let turn = 0;
  let closed = false;

  const failCalls = (slot: Slot, error: Error) => {
    for (const [id, call] of calls) {
      if (call.slot !== slot) continue;
      calls.delete(id);
      call.reject(error);
    }
    slot.inflight = 0;
    slot.worker.unref();
  };

  const spawn = (): { slot: Slot; ready: Promise<void> } => {
    const worker = new Worker(ONNX_WORKER_SOURCE, { eval: true, workerData: { ortPath, file, threads: 1 } });
    const slot: Slot = { worker, inflight: 0 };
    let settle: { resolve(): void; reject(e: Error): void } | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    worker.on("message", (reply: Reply) => {
      if (reply.id === undefined) {
        if (reply.ready) settle?.resolve();
        else
          settle?.reject(
            new ServingError(
              "MODEL_INVALID",
              `${file}: ONNX Runtime cannot load the model (${reply.loadError}); serve a valid .onnx file`,
            ),
          );
        settle = undefined;
        return;
      }
      const call = calls.get(reply.id);
      if (!call) return;
      calls.delete(reply.id);
      if (--slot.inflight === 0) worker.unref();
      if (reply.error !== undefined) {
        call.reject(
          new ServingError("INTERNAL", `${options.label}: ONNX Runtime failed running the request: ${reply.error}`),
        );
        return;
      }
      try {
        call.resolve(reply.outputs!.map((t) => fromWire(t, file)));
      } catch (e) {
        call.reject(e as Error);
      }
    });
    const died = (reason: string) => {
      const error = new ServingError("INTERNAL", `${options.label}: an ONNX Runtime worker stopped (${reason})`);
      settle?.reject(error);
      settle = undefined;
      failCalls(slot, error);
      const at = slots.indexOf(slot);
      if (at >= 0 && !closed) slots[at] = spawn().slot;
    };
    worker.on("error", (e) => died(e.message));
    worker.on("exit", (code) => {
      if (!closed && slots.includes(slot)) died(`exit code ${code}`);
    });
    // an idle thread never keeps the process alive (an unclosed backend must not hold a CLI
    // or a test run open); one with calls in flight does
    ready.then(
      () => {
        if (slot.inflight === 0) worker.unref();
      },
      () => {},
    );
    return { slot, ready };
  };

  const started = Array.from({ length: Math.max(1, options.workers) }, spawn);
  for (const s of started) slots.push(s.slot);
  try {
    await Promise.all(started.map((s) => s.ready));
  } catch (e) {
    closed = true;
    await Promise.all(slots.map((s) => s.worker.terminate()));
    throw e;
  }

  const pick = (): Slot => {
    let best = slots[turn % slots.length]!;
    for (let i = 1; i < slots.length; i++) {
      const s = slots[(turn + i) % slots.length]!;
      if (s.inflight < best.inflight) best = s;
    }
    turn++;
    return best;
  };

  const backend: Backend & { readonly concurrency: number } = {
    platform: "onnxruntime_onnx",
    inputs: specs.inputs,
    outputs: specs.outputs,
    concurrency: slots.length,
    run(inputs, outputNames) {
      if (closed) return Promise.reject(new ServingError("UNAVAILABLE", `${options.label} is unloaded; retry`));
      return new Promise<Tensor[]>((resolve, reject) => {
        const transfer: ArrayBuffer[] = [];
        let wire: WireTensor[];
        try {
          wire = inputs.map((t) => toWire(t, transfer));
        } catch (e) {
          reject(e);
          return;
        }
        const slot = pick();
        const id = nextId++;
        calls.set(id, { resolve, reject, slot });
        if (slot.inflight++ === 0) slot.worker.ref();
        slot.worker.postMessage({ id, inputs: wire, outputs: outputNames ?? null }, transfer);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      const error = new ServingError("UNAVAILABLE", `${options.label} is unloaded; retry`);
      for (const slot of slots) failCalls(slot, error);
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
  workersOf.set(backend, slots);
  return backend;
}

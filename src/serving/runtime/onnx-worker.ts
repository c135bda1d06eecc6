/**
 * The code of an ONNX Runtime worker thread, as a string run with `new Worker(code, {eval:
 * true})`: plain CommonJS, so the same text runs under vitest/tsx (from the `.ts` sources)
 * and from the built `dist/`, with no worker file to find beside the module.
 *
 * `workerData`: `{ortPath, file, threads}` (`ortPath` is onnxruntime-node's resolved entry,
 * since an eval'd worker resolves packages from the working directory, not from here). The
 * worker creates one session and posts `{ready: true}` or `{loadError}`. Then each message
 * `{id, inputs: [{name, type, dims, data}], outputs: string[] | null}` is answered with
 * `{id, outputs: [{name, type, dims, data}]}` (the output buffers transferred) or
 * `{id, error}`. ONNX Runtime's `run()` blocks the thread it runs on, so messages are run
 * one at a time, in order.
 */
export const ONNX_WORKER_SOURCE = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
// onnxruntime-node's binding cannot read a Float16Array (Node 24 has one), and ONNX Runtime
// hands FP16 data over as one where it exists: in this thread FP16 stays a Uint16Array
delete globalThis.Float16Array;
const ort = require(workerData.ortPath);
const message = (e) => (e && e.message ? e.message : String(e));
const ready = ort.InferenceSession.create(workerData.file, {
  intraOpNumThreads: workerData.threads,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all",
}).then(
  (session) => {
    parentPort.postMessage({ ready: true });
    return session;
  },
  (e) => {
    parentPort.postMessage({ loadError: message(e) });
    return undefined;
  },
);
let chain = Promise.resolve();
parentPort.on("message", (msg) => {
  chain = chain.then(() => run(msg));
});
async function run(msg) {
  const session = await ready;
  if (!session) {
    parentPort.postMessage({ id: msg.id, error: "the model did not load in this worker" });
    return;
  }
  try {
    const feeds = {};
    for (const t of msg.inputs) feeds[t.name] = new ort.Tensor(t.type, t.data, t.dims);
    const names = msg.outputs || session.outputNames;
    const result = await session.run(feeds, names);
    const outputs = [];
    const transfer = [];
    for (const name of names) {
      const t = result[name];
      let data = t.data;
      if (ArrayBuffer.isView(data)) {
        if (data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength) data = data.slice();
        transfer.push(data.buffer);
      }
      outputs.push({ name, type: t.type, dims: Array.from(t.dims, Number), data });
    }
    try {
      parentPort.postMessage({ id: msg.id, outputs }, transfer);
    } catch {
      parentPort.postMessage({ id: msg.id, outputs });
    }
  } catch (e) {
    parentPort.postMessage({ id: msg.id, error: message(e) });
  }
}
`;

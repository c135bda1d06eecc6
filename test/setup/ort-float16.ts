/**
 * Setup of the unit test project. ONNX Runtime picks the array type of its float16 tensors
 * once, at the first tensor made in a process, and onnxruntime-node's binding cannot read
 * the `Float16Array` it picks where the platform has one (Node 24). Weft's own users of ONNX
 * Runtime make that choice first (`keepFloat16AsUint16`), but the unit test files share one
 * module graph per worker, so whichever file makes a tensor first decides for the rest:
 * this makes the choice before any of them does.
 */
import { keepFloat16AsUint16 } from "../../src/serving/wire/dtypes.ts";

try {
  const name = "onnxruntime-node";
  keepFloat16AsUint16(await import(name));
} catch {
  // without onnxruntime-node the tests that need it say so and skip
}

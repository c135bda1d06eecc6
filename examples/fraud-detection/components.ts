/**
 * The components of the fraud-detection pipeline. Each lives in its own file under
 * `components/`, so the bundle of a task holds only the code that task runs.
 */
export { evaluate } from "./components/evaluate.ts";
export { explain } from "./components/explain.ts";
export { exportModel } from "./components/export-model.ts";
export { loadData } from "./components/load-data.ts";
export { preprocess } from "./components/preprocess.ts";
export { selectBestModel } from "./components/select-best.ts";
export { smokeSample } from "./components/smoke-sample.ts";
export { REFERENCE_ROWS, train } from "./components/train.ts";
export { validateData } from "./components/validate-data.ts";

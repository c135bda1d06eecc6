/**
 * The compiler: SDK pipelines to KFP IR (`PipelineSpec`), with TypeScript function
 * components bundled into their task commands.
 */
export { type Analysis, analyze } from "./analyze.ts";
export { type BundleCache, bundleComponent, MAX_BUNDLE_BYTES } from "./bundle.ts";
export { type AnyPipeline, type CompileOptions, compileGraph, compilePipeline, compileToYaml } from "./compile.ts";
export { type CompileFileOptions, compilePipelineFile, pickPipeline } from "./compile-file.ts";
export { CompilerError, type CompilerErrorCode } from "./errors.ts";
export { conditionCel } from "./groups.ts";

/**
 * Where a corpus file (pipelines compiled by the KFP Python SDK) expresses the same
 * pipeline as a golden TypeScript pipeline, the compiled structure must match it:
 * components, DAG tasks, inputs, outputs, trigger and iterator policies. What depends on
 * the source language is normalized away: executor command, args and image, and sdkVersion.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compilePipelineFile } from "../../src/compiler/index.ts";
import { loadPipelineFile, type PipelinePackage, type PipelineSpec } from "../../src/ir/index.ts";
import { corpusDir as corpus, corpusShared, goldenDir as dir, NO_COUNTERPART, SAME_PIPELINE } from "./_corpus.ts";

/** Drops what depends on the source language: executor command/args/image and sdkVersion. */
function normalize(pkg: PipelinePackage): PipelineSpec {
  const spec = structuredClone(pkg.pipelineSpec);
  delete spec.sdkVersion;
  for (const executor of Object.values(spec.deploymentSpec?.executors ?? {})) {
    if (!executor.container) continue;
    delete executor.container.command;
    delete executor.container.args;
    executor.container.image = "<image>";
  }
  // This corpus file was written by a KFP version that left isOptional off defaulted root inputs.
  for (const p of Object.values(spec.root.inputDefinitions?.parameters ?? {})) {
    if (p.defaultValue !== undefined) p.isOptional = true;
  }
  return spec;
}

/** A name reduced to its words: `pipeline-with-after.ts`, `pipeline_with_after.yaml` → `after`. */
function stem(name: string): string {
  return name
    .replace(/\.(ts|yaml)$/, "")
    .replace(/_compiled$/, "")
    .replace(/[-_]/g, " ")
    .replace(/^pipeline with /, "")
    .replace(/^pipeline /, "")
    .trim();
}

describe.skipIf(!corpusShared.present)("golden pipelines and their KFP counterparts", () => {
  it("names corpus files that exist", () => {
    for (const file of Object.values(SAME_PIPELINE)) expect(existsSync(join(corpus, file)), file).toBe(true);
  });

  it("compares every golden whose name matches a corpus file, or says why that file is another pipeline", () => {
    const corpusFiles = ["critical", "essential", "parallel_and_nested"].flatMap((d) =>
      readdirSync(join(corpus, d)).map((f) => `${d}/${f}`),
    );
    const unexplained: string[] = [];
    for (const [module, reason] of Object.entries(NO_COUNTERPART)) {
      for (const f of corpusFiles) {
        const base = (f.split("/")[1] ?? f).replace(/\.yaml$/, "");
        if (stem(base) === stem(module) && !reason.includes(base)) unexplained.push(`${module} ~ ${f}`);
      }
    }
    expect(unexplained).toEqual([]);
  });
});

describe.skipIf(!corpusShared.present)("compiled structure matches the KFP corpus", () => {
  for (const [module, corpusFile] of Object.entries(SAME_PIPELINE)) {
    it(`${module} matches ${corpusFile}`, async () => {
      const ours = normalize(await compilePipelineFile(join(dir, module), { bundle: false }));
      const theirs = normalize(loadPipelineFile(join(corpus, corpusFile)));
      expect(ours).toEqual(theirs);
    });
  }
});

/**
 * Golden tests: every pipeline module in this folder is compiled and compared byte for
 * byte with its checked-in `<name>.yaml` (update with `UPDATE_GOLDEN=1`). Function
 * components are compiled unbundled here, so the files show the lowering, not the bundles
 * (bundling has its own tests); the compiled IR must pass the IR validator.
 *
 * These files are snapshots of Weft's own output, not KFP references: a change shows up
 * here, but whether it is right is judged against the KFP-compiled corpus
 * (corpus.test.ts). Each file starts with a header saying so and naming its KFP
 * counterpart, if any (_corpus.ts).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compilePipelineFile } from "../../src/compiler/index.ts";
import { parsePipelineYaml, serializePipeline, validatePipeline } from "../../src/ir/index.ts";
import { goldenDir as dir, NO_COUNTERPART, SAME_PIPELINE, snapshotHeader } from "./_corpus.ts";

const update = process.env.UPDATE_GOLDEN === "1";

/** Pipeline modules: `<name>.ts`, not tests and not helpers (`_*.ts`). */
const goldenModules = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.startsWith("_"))
  .sort();

describe("golden pipelines", () => {
  it("has at least 25 pipelines, each with its YAML", () => {
    expect(goldenModules.length).toBeGreaterThanOrEqual(25);
    if (!update)
      for (const f of goldenModules) expect(existsSync(join(dir, f.replace(/\.ts$/, ".yaml"))), f).toBe(true);
  });

  it("lists every pipeline either with its KFP counterpart or as having none, never both", () => {
    const listed = [...Object.keys(SAME_PIPELINE), ...Object.keys(NO_COUNTERPART)].sort();
    expect(listed).toEqual(goldenModules);
  });

  for (const file of goldenModules) {
    it(`${file} compiles to its golden YAML`, async () => {
      const pkg = await compilePipelineFile(join(dir, file), { bundle: false });
      const yaml = serializePipeline(pkg);
      const goldenPath = join(dir, file.replace(/\.ts$/, ".yaml"));
      if (update) writeFileSync(goldenPath, snapshotHeader(file) + yaml);
      expect(snapshotHeader(file) + yaml).toBe(readFileSync(goldenPath, "utf8"));
      expect(validatePipeline(parsePipelineYaml(yaml, goldenPath), { file: goldenPath })).toEqual([]);
      const again = serializePipeline(await compilePipelineFile(join(dir, file), { bundle: false }));
      expect(again).toBe(yaml);
    });
  }
});

/**
 * Golden tests: every pipeline module in this folder is compiled and compared byte for
 * byte with its checked-in `<name>.yaml` (update with `UPDATE_GOLDEN=1`). Function
 * components are compiled unbundled here, so the files show the lowering, not the bundles
 * (bundling has its own tests); the compiled IR must pass the IR validator.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compilePipelineFile } from "../../src/compiler/index.ts";
import { parsePipelineYaml, serializePipeline, validatePipeline } from "../../src/ir/index.ts";

const dir = fileURLToPath(new URL(".", import.meta.url));
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

  for (const file of goldenModules) {
    it(`${file} compiles to its golden YAML`, async () => {
      const pkg = await compilePipelineFile(join(dir, file), { bundle: false });
      const yaml = serializePipeline(pkg);
      const goldenPath = join(dir, file.replace(/\.ts$/, ".yaml"));
      if (update) writeFileSync(goldenPath, yaml);
      expect(yaml).toBe(readFileSync(goldenPath, "utf8"));
      expect(validatePipeline(parsePipelineYaml(yaml, goldenPath), { file: goldenPath })).toEqual([]);
      const again = serializePipeline(await compilePipelineFile(join(dir, file), { bundle: false }));
      expect(again).toBe(yaml);
    });
  }
});

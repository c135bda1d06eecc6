/** `weft compile` as a user runs it: the real `bin/weft.js` in a child process. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parsePipelineYaml, validatePipeline } from "../../src/ir/index.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "weft-cli-compile-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function weft(...args: string[]) {
  return spawnSync(process.execPath, [join(root, "bin", "weft.js"), ...args], { cwd: root, encoding: "utf8" });
}

describe("weft compile", () => {
  it("prints the IR on stdout", () => {
    const res = weft("compile", "test/golden/pipeline-with-after.ts");
    expect(res.status).toBe(0);
    expect(res.stdout.startsWith("# PIPELINE DEFINITION\n# Name: pipeline-with-after\n")).toBe(true);
    expect(validatePipeline(parsePipelineYaml(res.stdout))).toEqual([]);
  });

  it("writes to -o and picks a pipeline with --export", () => {
    const file = join(out, "nested", "inner.yaml");
    const res = weft("compile", "test/golden/pipeline-outputs.ts", "--export", "training", "-o", file);
    expect(res.status).toBe(0);
    expect(res.stdout).toBe("");
    const pkg = parsePipelineYaml(readFileSync(file, "utf8"), file);
    expect(pkg.pipelineSpec.pipelineInfo.name).toBe("training");
    const bundle = pkg.pipelineSpec.deploymentSpec?.executors?.["exec-make-dataset"]?.container?.command?.[3] ?? "";
    expect(bundle.length).toBeGreaterThan(1000);
  });

  it("fails with a clear error and exit code 2 for a missing file or an unknown export", () => {
    const missing = weft("compile", "nope.ts");
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("error[COMPILE_FILE_NOT_FOUND]: nope.ts: no such file");
    const unknown = weft("compile", "test/golden/pipeline-outputs.ts", "--export", "nope");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('export "nope" is not a pipeline; exported pipelines: default, training');
  });
});

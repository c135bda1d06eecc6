import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { artifactContentRoots, pipelineRootDir, resolveInsideAny } from "./pipeline-root.ts";

describe("pipelineRootDir", () => {
  it("reads file:// URIs and absolute paths as local directories; unset is the home's", () => {
    expect(pipelineRootDir(undefined)).toBeUndefined();
    expect(pipelineRootDir("")).toBeUndefined();
    expect(pipelineRootDir("file:///data/weft")).toBe("/data/weft");
    expect(pipelineRootDir("file://localhost/data/weft")).toBe("/data/weft");
    expect(pipelineRootDir("FILE:///data/my%20root")).toBe("/data/my root");
    expect(pipelineRootDir("/data/weft/../other/")).toBe("/data/other");
  });

  it("refuses object stores, hosts and relative paths, naming the field", () => {
    for (const root of ["gs://b/r", "s3://b/r", "minio://mlpipeline/v2/artifacts", "oci://x", "https://h/x"]) {
      expect(() => pipelineRootDir(root, "run.runtime_config.pipeline_root")).toThrow(
        /run\.runtime_config\.pipeline_root .* only under file:\/\/ roots/,
      );
    }
    expect(() => pipelineRootDir("file://host/data")).toThrow(/not a local file:\/\/ URI/);
    expect(() => pipelineRootDir("data/weft")).toThrow(/not an absolute path/);
    expect(() => pipelineRootDir("file:data")).toThrow(/not a local file:\/\/ URI/);
  });
});

describe("artifactContentRoots", () => {
  it("adds <root>/<run id> of runs with their own root, and nothing else of that root", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "weft-roots-"));
    try {
      const home = path.join(dir, "home", "artifacts");
      const root = path.join(dir, "root");
      fs.mkdirSync(path.join(root, "run-1", "t"), { recursive: true });
      fs.writeFileSync(path.join(root, "run-1", "t", "out"), "x");
      fs.writeFileSync(path.join(root, "secret"), "s");
      const roots = artifactContentRoots(home, [
        { id: "run-1", pipelineRoot: `file://${root}` },
        { id: "run-2" },
        { id: "run-3", pipelineRoot: "gs://legacy/root" },
      ]);
      expect(roots).toEqual([home, path.join(root, "run-1")]);
      expect(resolveInsideAny(roots, `file://${root}/run-1/t/out`)).toBe(path.join(root, "run-1", "t", "out"));
      expect(() => resolveInsideAny(roots, `file://${root}/secret`)).toThrow(/outside the artifact store/);
      expect(() => resolveInsideAny(roots, `file://${root}/run-1/../secret`)).toThrow(/outside the artifact store/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

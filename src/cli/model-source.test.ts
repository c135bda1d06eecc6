import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { digestArtifact } from "../artifacts/index.ts";
import { copyModelContent, prepareDestination, streamMember, verifyDownload } from "./model-download.ts";
import { type ModelVersionView, parseModelRef } from "./model-source.ts";
import { compareUris } from "./model-views.ts";

describe("model URIs", () => {
  it("reads versions, aliases, stages (any case) and latest", () => {
    expect(parseModelRef("models:/fraud/3")).toEqual({ name: "fraud", kind: "version", version: 3 });
    expect(parseModelRef("models:/fraud@champion")).toEqual({ name: "fraud", kind: "alias", alias: "champion" });
    expect(parseModelRef("models:/fraud/production")).toEqual({ name: "fraud", kind: "stage", stage: "Production" });
    expect(parseModelRef("models:/fraud/latest")).toEqual({ name: "fraud", kind: "latest" });
  });

  it("refuses malformed URIs with the forms they may take", () => {
    for (const bad of [
      "fraud/3",
      "models:/fraud",
      "models:/fraud/0",
      "models:/fraud/Prod",
      "models:/@x",
      "models:/a@",
    ]) {
      expect(() => parseModelRef(bad), bad).toThrow(
        expect.objectContaining({ code: "BAD_MODEL_URI", exitCode: 2, message: expect.stringContaining(bad) }),
      );
    }
  });

  it("compare takes URIs, or a name with versions, aliases and stages", () => {
    expect(compareUris(["models:/a/1", "models:/a@champion"], "weft")).toEqual(["models:/a/1", "models:/a@champion"]);
    expect(compareUris(["a", "1", "@champion", "Production"], "weft")).toEqual([
      "models:/a/1",
      "models:/a@champion",
      "models:/a/Production",
    ]);
    expect(() => compareUris(["a", "1"], "weft")).toThrow(/two versions or more/);
    expect(() => compareUris(["models:/a/1", "2"], "weft")).toThrow(/"2" is not a model URI/);
    expect(() => compareUris(["a", "1", "x"], "weft")).toThrow(/"x" is not a version number/);
  });
});

describe("model downloads", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function version(digest: string | undefined): ModelVersionView {
    return {
      name: "m",
      version: 1,
      status: "READY",
      stage: "None",
      aliases: [],
      tags: {},
      datasets: [],
      metrics: {},
      source: "file:///x",
      ...(digest ? { digest } : {}),
    };
  }

  it("copies a directory, checks its digest, and removes a copy whose digest differs", async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-model-dl-"));
    mkdirSync(join(dir, "src", "sub"), { recursive: true });
    writeFileSync(join(dir, "src", "model.json"), "{}");
    writeFileSync(join(dir, "src", "sub", "w.bin"), "123");
    const recorded = await digestArtifact(join(dir, "src"));
    const dest = join(dir, "out");
    prepareDestination(dest, false);
    expect(copyModelContent(join(dir, "src"), dest, "models:/m/1")).toBe("directory");
    const ok = await verifyDownload(version(recorded?.kind === "directory" ? recorded.digest : undefined), dest);
    expect(ok).toMatchObject({ kind: "directory", checked: true });
    expect(readFileSync(join(dest, "sub", "w.bin"), "utf8")).toBe("123");
    await expect(verifyDownload(version(`sha256:${"0".repeat(64)}`), dest)).rejects.toMatchObject({
      code: "MODEL_DIGEST_MISMATCH",
      exitCode: 1,
    });
    expect(() => readFileSync(join(dest, "model.json"))).toThrow();
    expect(() => prepareDestination(join(dir, "src"), false)).toThrow(
      expect.objectContaining({ code: "OUTPUT_EXISTS" }),
    );
  });

  it("never copies a link and never writes a member outside the path", async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-model-dl-"));
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "secret"), "s");
    symlinkSync(join(dir, "secret"), join(dir, "src", "link"));
    expect(() => copyModelContent(join(dir, "src"), join(dir, "out"), "models:/m/1")).toThrow(/symbolic link/);
    await expect(
      streamMember(join(dir, "out2"), ["..", "escape"], new Blob(["x"]).stream(), "models:/m/1"),
    ).rejects.toThrow(/outside the download path/);
    expect(() => readFileSync(join(dir, "escape"))).toThrow();
  });
});

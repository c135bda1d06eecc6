import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runArtifactStoreContract } from "./contract.ts";
import { digestFile, digestTree } from "./digest.ts";
import { resolveInside } from "./guard.ts";
import { LocalArtifactStore } from "./local-store.ts";

runArtifactStoreContract("LocalArtifactStore", async () => {
  const root = await mkdtemp(join(tmpdir(), "weft-artifacts-"));
  return {
    store: new LocalArtifactStore(join(root, "artifacts")),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

describe("LocalArtifactStore", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "weft-local-store-"));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("uses file:// URIs of absolute paths and maps them back", () => {
    const store = new LocalArtifactStore(join(root, "artifacts"));
    const uri = store.uriFor("run 1", "train", "model");
    expect(uri).toBe(`file://${root}/artifacts/run%201/train/model`);
    expect(store.localPath(uri)).toBe(`${root}/artifacts/run 1/train/model`);
  });

  it("accepts plain absolute paths and paths relative to the root", () => {
    const store = new LocalArtifactStore(root);
    expect(store.localPath(`${root}/r/t/o`)).toBe(`${root}/r/t/o`);
    expect(store.localPath("r/t/o")).toBe(`${root}/r/t/o`);
  });
});

describe("resolveInside", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "weft-guard-"));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("rejects traversal, encoded traversal, other schemes and symlinks that lead out", () => {
    expect(() => resolveInside(root, `file://${root}/a/../../etc/passwd`)).toThrow(
      /resolves to \/.*etc\/passwd, outside the artifact store/,
    );
    expect(() => resolveInside(root, `file://${root}/%2e%2e/x`)).toThrow(/outside the artifact store/);
    expect(() => resolveInside(root, "../x")).toThrow(/outside the artifact store/);
    expect(() => resolveInside(root, "/etc/passwd")).toThrow(/outside the artifact store/);
    expect(() => resolveInside(root, "gs://bucket/x")).toThrow(/only serves file:\/\/ URIs/);
    mkdirSync(join(root, "run"));
    symlinkSync("/etc", join(root, "run", "link"));
    expect(() => resolveInside(root, join(root, "run", "link"))).toThrow(/outside the artifact store/);
  });

  it("returns the local path of URIs inside the store", () => {
    expect(resolveInside(root, `file://${root}/run/task/out`)).toBe(`${root}/run/task/out`);
  });
});

describe("digests", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "weft-digest-"));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("digests a file as sha256 of its content, streaming a large file", async () => {
    writeFileSync(join(root, "empty"), "");
    expect(await digestFile(join(root, "empty"))).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    writeFileSync(join(root, "big"), Buffer.alloc(5 * 1024 * 1024, 7));
    expect(await digestFile(join(root, "big"))).toMatch(/^[0-9a-f]{64}$/);
  });

  it("distinguishes trees that differ only in where content sits", async () => {
    mkdirSync(join(root, "a/x"), { recursive: true });
    mkdirSync(join(root, "b"), { recursive: true });
    writeFileSync(join(root, "a/x/f"), "12");
    writeFileSync(join(root, "b/x"), "f12");
    expect(await digestTree(join(root, "a"))).not.toBe(await digestTree(join(root, "b")));
  });
});

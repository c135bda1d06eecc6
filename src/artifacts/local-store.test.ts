import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runArtifactStoreContract } from "./contract.ts";
import { digestArtifact, digestFile, digestTree } from "./digest.ts";
import { insideRoot, resolveInside } from "./guard.ts";
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

describe("insideRoot", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "weft-inside-"));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("joins names and relative task paths under the root", () => {
    expect(insideRoot(root, "run", "for-loop-2/iteration-0/train", "out")).toBe(
      `${root}/run/for-loop-2/iteration-0/train/out`,
    );
    expect(insideRoot(root)).toBe(root);
  });

  it("throws naming the offending segment for ../, absolute paths, empty parts, backslashes and NUL", () => {
    for (const bad of ["..", "../x", "a/../../x", "/etc/passwd", "a//b", ".", "a\\..\\b", "a\0b", ""]) {
      expect(() => insideRoot(root, "run", bad), JSON.stringify(bad)).toThrow(
        expect.objectContaining({
          code: "ARTIFACT_INVALID_SEGMENT",
          message: expect.stringContaining(JSON.stringify(bad)),
        }),
      );
    }
  });

  it("refuses a path that passes a symbolic link inside the root, but allows the last member to be one", () => {
    const outside = mkdtempSync(join(tmpdir(), "weft-inside-target-"));
    try {
      symlinkSync(outside, join(root, "run"));
      expect(() => insideRoot(root, "run", "task", "out")).toThrow(/run is a symbolic link/);
      expect(insideRoot(root, "run")).toBe(join(root, "run"));
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe("the store never follows links or names out of its root", () => {
  let parent: string;
  let store: LocalArtifactStore;
  let sentinel: string;
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), "weft-store-links-"));
    sentinel = join(parent, "sentinel");
    mkdirSync(sentinel);
    writeFileSync(join(sentinel, "secret"), "secret\n");
    store = new LocalArtifactStore(join(parent, "artifacts"));
  });
  afterEach(() => {
    rmSync(parent, { recursive: true, force: true });
  });

  it("refuses ../, encoded ../ and absolute names in run ids, task paths, output names and URIs", async () => {
    expect(() => store.uriFor("..", "t", "o")).toThrow(/runId "\.\."/);
    expect(() => store.uriFor("r", "a/../../..", "o")).toThrow(/segment "\.\."/);
    expect(() => store.uriFor("r", "t", "../../sentinel")).toThrow(/outputName "\.\.\/\.\.\/sentinel"/);
    expect(() => store.uriFor("r", "/etc", "o")).toThrow(/segment ""/);
    for (const uri of [
      `${store.rootUri}/../sentinel/secret`,
      `${store.rootUri}/%2e%2e/sentinel/secret`,
      `${store.rootUri}/r/%2E%2E%2F%2E%2E%2Fsentinel/secret`,
      join(sentinel, "secret"),
      "../sentinel/secret",
    ]) {
      await expect(store.open(uri), uri).rejects.toMatchObject({ code: "ARTIFACT_OUTSIDE_STORE" });
      await expect(store.write(uri, "x"), uri).rejects.toMatchObject({ code: "ARTIFACT_OUTSIDE_STORE" });
      await expect(store.remove(uri), uri).rejects.toMatchObject({ code: "ARTIFACT_OUTSIDE_STORE" });
    }
    expect(readFileSync(join(sentinel, "secret"), "utf8")).toBe("secret\n");
  });

  it("refuses to read, digest or write through a linked artifact; removing it removes only the link", async () => {
    const uri = store.uriFor("r", "t", "o");
    const dirUri = store.uriFor("r", "t", "d");
    mkdirSync(join(store.root, "r", "t"), { recursive: true });
    symlinkSync(join(sentinel, "secret"), join(store.root, "r", "t", "o"));
    symlinkSync(sentinel, join(store.root, "r", "t", "d"));
    for (const u of [uri, dirUri, `${dirUri}/secret`]) {
      await expect(store.open(u), u).rejects.toThrow(/symbolic link/);
      await expect(store.digest(u), u).rejects.toThrow(/symbolic link/);
      await expect(store.size(u), u).rejects.toThrow(/symbolic link/);
      await expect(store.write(u, "overwritten"), u).rejects.toThrow(/symbolic link/);
      await expect(store.copyTo(u, join(parent, "copy")), u).rejects.toThrow(/symbolic link/);
    }
    await store.remove(uri);
    await store.remove(dirUri);
    expect(existsSync(join(store.root, "r", "t", "o"))).toBe(false);
    expect(readFileSync(join(sentinel, "secret"), "utf8")).toBe("secret\n");
    expect(existsSync(join(parent, "copy"))).toBe(false);
  });

  it("digests a directory's links as their link text, never walking or reading the target", async () => {
    const uri = store.uriFor("r", "t", "d");
    await store.write(`${uri}/f`, "data\n");
    symlinkSync(sentinel, join(store.localPath(uri), "etc"));
    const first = await store.digest(uri);
    expect(await store.size(uri)).toBe(5);
    expect(await store.list(uri)).toEqual(["f"]);
    writeFileSync(join(sentinel, "secret"), "changed\n");
    writeFileSync(join(sentinel, "more"), "more\n");
    expect(await store.digest(uri)).toBe(first);
    expect(await digestArtifact(store.localPath(uri))).toEqual({
      kind: "directory",
      digest: `sha256:${first}`,
      sizeBytes: 5,
    });
  });
});

describe("digestArtifact", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "weft-digest-artifact-"));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("gives sha256sum's digest for a file and reports links and absence instead of following them", async () => {
    writeFileSync(join(root, "f"), "a,b\n1,2\n");
    const sum = execFileSync("sha256sum", [join(root, "f")], { encoding: "utf8" }).split(" ")[0];
    expect(await digestArtifact(join(root, "f"))).toEqual({ kind: "file", digest: `sha256:${sum}`, sizeBytes: 8 });
    symlinkSync("/etc/passwd", join(root, "l"));
    expect(await digestArtifact(join(root, "l"))).toEqual({ kind: "symlink", target: "/etc/passwd" });
    expect(await digestArtifact(join(root, "absent"))).toBeUndefined();
  });

  it("is canonical: equal trees in two places digest alike; a renamed member, a retyped member or other link text differ", async () => {
    const make = (dir: string, link: string, name = "b") => {
      mkdirSync(join(root, dir, "sub"), { recursive: true });
      writeFileSync(join(root, dir, "sub", name), "1");
      writeFileSync(join(root, dir, "a"), "2");
      symlinkSync(link, join(root, dir, "l"));
    };
    make("one", "sub/b");
    make("two", "sub/b");
    make("three", "/etc");
    make("four", "sub/b", "c");
    const d = async (dir: string) => ((await digestArtifact(join(root, dir))) as { digest: string }).digest;
    expect(await d("one")).toBe(await d("two"));
    expect(await d("three")).not.toBe(await d("one"));
    expect(await d("four")).not.toBe(await d("one"));
    mkdirSync(join(root, "five/sub"), { recursive: true });
    writeFileSync(join(root, "five/sub/b"), "1");
    writeFileSync(join(root, "five/a"), "2");
    writeFileSync(join(root, "five/l"), "sub/b");
    expect(await d("five")).not.toBe(await d("one"));
  });
});

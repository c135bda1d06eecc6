/**
 * The contract suite every {@link ArtifactStore} implementation runs, so backends behave alike.
 *
 * @example
 * runArtifactStoreContract("LocalArtifactStore", async () => {
 *   const root = await mkdtemp(join(tmpdir(), "store-"));
 *   return { store: new LocalArtifactStore(root), cleanup: () => rm(root, { recursive: true }) };
 * });
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ArtifactStore } from "./store.ts";

/** A fresh, empty store for one test, and how to dispose of it. */
export interface ArtifactStoreFixture {
  store: ArtifactStore;
  cleanup(): Promise<void>;
}

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/** Registers the shared artifact store tests under `describe(name)`. */
export function runArtifactStoreContract(name: string, makeStore: () => Promise<ArtifactStoreFixture>): void {
  describe(`ArtifactStore contract: ${name}`, () => {
    let fixture: ArtifactStoreFixture;
    let store: ArtifactStore;
    let scratch: string;
    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
      scratch = await mkdtemp(join(tmpdir(), "weft-artifact-contract-"));
    });
    afterEach(async () => {
      await fixture.cleanup();
      await rm(scratch, { recursive: true, force: true });
    });

    it("lays out URIs as <root>/<run>/<task path>/<output>", () => {
      expect(store.uriFor("run-1", "train", "model")).toBe(`${store.rootUri}/run-1/train/model`);
      expect(store.uriFor("run-1", "for-loop-2/train", "model")).toBe(`${store.rootUri}/run-1/for-loop-2/train/model`);
    });

    it("rejects ids that would leave their place in the layout", () => {
      expect(() => store.uriFor("..", "train", "model")).toThrow(/runId "\.\."/);
      expect(() => store.uriFor("r", "a/../b", "model")).toThrow(/taskPath "a\/\.\.\/b"/);
      expect(() => store.uriFor("r", "t", "x/y")).toThrow(/outputName "x\/y"/);
    });

    it("writes, reads, sizes and digests a file artifact", async () => {
      const uri = store.uriFor("run-1", "prep", "train");
      expect(await store.exists(uri)).toBe(false);
      await store.write(uri, "a,b\n1,2\n");
      expect(await store.exists(uri)).toBe(true);
      expect(await readAll(await store.open(uri))).toBe("a,b\n1,2\n");
      expect(await store.size(uri)).toBe(8);
      expect(await store.digest(uri)).toBe(sha256("a,b\n1,2\n"));
      expect(await store.list(uri)).toEqual([]);
    });

    it("writes from a stream and from bytes", async () => {
      const a = store.uriFor("r", "t", "stream");
      const b = store.uriFor("r", "t", "bytes");
      await store.write(a, Readable.from(["he", "llo"]));
      await store.write(b, new TextEncoder().encode("hello"));
      expect(await store.digest(a)).toBe(await store.digest(b));
    });

    it("treats a directory artifact as a tree with a stable digest", async () => {
      const one = store.uriFor("run-1", "train", "model");
      const two = store.uriFor("run-2", "train", "model");
      for (const uri of [one, two]) {
        await store.write(`${uri}/weights/b.bin`, "BBBB");
        await store.write(`${uri}/config.json`, "{}");
      }
      expect(await store.list(one)).toEqual(["config.json", "weights/b.bin"]);
      expect(await store.size(one)).toBe(6);
      expect(await store.digest(one)).toBe(await store.digest(two));
      await store.write(`${two}/config.json`, "{ }");
      expect(await store.digest(one)).not.toBe(await store.digest(two));
      await expect(store.open(one)).rejects.toMatchObject({ code: "ARTIFACT_IS_DIRECTORY" });
    });

    it("copies files and directories to a local path", async () => {
      const file = store.uriFor("r", "t", "file");
      const dir = store.uriFor("r", "t", "dir");
      await store.write(file, "content");
      await store.write(`${dir}/nested/x.txt`, "x");
      await store.copyTo(file, join(scratch, "out", "file.txt"));
      await store.copyTo(dir, join(scratch, "dir-copy"));
      expect(await readFile(join(scratch, "out", "file.txt"), "utf8")).toBe("content");
      expect(await readFile(join(scratch, "dir-copy", "nested", "x.txt"), "utf8")).toBe("x");
    });

    it("removes artifacts, and removing an absent one is not an error", async () => {
      const uri = store.uriFor("r", "t", "gone");
      await store.write(`${uri}/a`, "a");
      await store.remove(uri);
      expect(await store.exists(uri)).toBe(false);
      await expect(store.remove(uri)).resolves.toBeUndefined();
    });

    it("reports a missing artifact with its URI", async () => {
      const uri = store.uriFor("r", "t", "missing");
      await expect(store.digest(uri)).rejects.toMatchObject({ code: "ARTIFACT_NOT_FOUND" });
      await expect(store.open(uri)).rejects.toThrow(uri);
      await expect(store.copyTo(uri, join(scratch, "x"))).rejects.toMatchObject({ code: "ARTIFACT_NOT_FOUND" });
    });

    it("refuses URIs outside the store", async () => {
      const outside = `${store.rootUri}/r/../../outside`;
      await expect(store.exists(outside)).rejects.toMatchObject({ code: "ARTIFACT_OUTSIDE_STORE" });
      await expect(store.write(outside, "x")).rejects.toMatchObject({ code: "ARTIFACT_OUTSIDE_STORE" });
      await expect(store.remove(store.rootUri)).rejects.toMatchObject({ code: "ARTIFACT_OUTSIDE_STORE" });
    });
  });
}

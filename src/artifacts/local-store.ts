/** The `file://` artifact store: content under `<root>/<run>/<task path>/<output>`. */
import { constants } from "node:fs";
import { cp, lstat, mkdir, open, rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { localPathToUri } from "../executor/uri.ts";
import { digestArtifact, walkTree } from "./digest.ts";
import { ArtifactError } from "./errors.ts";
import { checkSegment, resolveInside } from "./guard.ts";
import type { ArtifactData, ArtifactStore } from "./store.ts";

/**
 * Artifact storage on the local disk (`$WEFT_HOME/artifacts`). Every URI is checked to lie
 * inside the root before it is touched.
 *
 * @example
 * const store = new LocalArtifactStore(".weft/artifacts");
 * const uri = store.uriFor("run-1", "train", "model"); // file:///abs/.weft/artifacts/run-1/train/model
 */
export class LocalArtifactStore implements ArtifactStore {
  /** Absolute path of the store's root directory. */
  readonly root: string;
  readonly rootUri: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.rootUri = localPathToUri(this.root, { file: true });
  }

  uriFor(runId: string, taskPath: string, outputName: string): string {
    const segments = [
      checkSegment("runId", runId),
      ...taskPath.split("/").map((s) => checkSegment(`taskPath "${taskPath}" segment`, s)),
      checkSegment("outputName", outputName),
    ];
    return localPathToUri(resolve(this.root, ...segments), { file: true });
  }

  localPath(uri: string): string {
    return resolveInside(this.root, uri);
  }

  async exists(uri: string): Promise<boolean> {
    return (await this.statOf(uri)) !== undefined;
  }

  async digest(uri: string): Promise<string> {
    const { path } = await this.mustStat(uri);
    const found = await digestArtifact(path);
    if (found === undefined) throw this.notFound(uri);
    if (found.kind !== "file" && found.kind !== "directory") {
      throw new ArtifactError(
        "ARTIFACT_NOT_REGULAR",
        `artifact "${uri}" is not a regular file or directory; store the content itself, not a link or a special file.`,
      );
    }
    return found.digest.slice("sha256:".length);
  }

  async size(uri: string): Promise<number> {
    const { path, info } = await this.mustStat(uri);
    if (!info.isDirectory()) return info.size;
    return (await walkTree(path)).reduce((total, e) => total + e.size, 0);
  }

  async list(uri: string): Promise<string[]> {
    const { path, info } = await this.mustStat(uri);
    if (!info.isDirectory()) return [];
    return (await walkTree(path)).filter((e) => e.kind === "file").map((e) => e.relPath);
  }

  async open(uri: string): Promise<Readable> {
    const { path, info } = await this.mustStat(uri);
    if (info.isDirectory()) {
      throw new ArtifactError(
        "ARTIFACT_IS_DIRECTORY",
        `artifact "${uri}" is a directory; list its files with list() and open "<uri>/<file>", or use copyTo().`,
      );
    }
    return (await open(path, constants.O_RDONLY | constants.O_NOFOLLOW)).createReadStream();
  }

  async write(uri: string, data: ArtifactData): Promise<void> {
    const path = this.localPath(uri);
    await mkdir(dirname(path), { recursive: true });
    const source = typeof data === "string" || data instanceof Uint8Array ? [data] : data;
    await pipeline(
      source,
      (
        await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW)
      ).createWriteStream(),
    );
  }

  async copyTo(uri: string, destPath: string): Promise<void> {
    const { path } = await this.mustStat(uri);
    await mkdir(dirname(resolve(destPath)), { recursive: true });
    await cp(path, destPath, { recursive: true, verbatimSymlinks: true });
  }

  async remove(uri: string): Promise<void> {
    // rm removes a link itself, never what it points to.
    await rm(resolveInside(this.root, uri, { linkAtEnd: "allow" }), { recursive: true, force: true });
  }

  private async statOf(uri: string) {
    const path = this.localPath(uri);
    try {
      return { path, info: await lstat(path) };
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw cause;
    }
  }

  private async mustStat(uri: string) {
    const found = await this.statOf(uri);
    if (!found) throw this.notFound(uri);
    return found;
  }

  private notFound(uri: string): ArtifactError {
    return new ArtifactError(
      "ARTIFACT_NOT_FOUND",
      `artifact "${uri}" does not exist in the store ${this.root}; check that the task that produces it succeeded.`,
    );
  }
}

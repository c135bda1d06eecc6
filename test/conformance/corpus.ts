/**
 * Locating the shared KFP conformance corpus (`kfp-conformance` in the shared folder beside
 * the project root, through `test/shared-dir.ts`) for the tests in this folder.
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { sharedPath } from "../shared-dir.ts";

/** The corpus; tests that read it skip where it is absent. */
export const CORPUS = sharedPath("kfp-conformance");
/** Absolute path of the corpus. */
export const CORPUS_DIR = CORPUS.path;

/** Subfolders of the corpus: pipelines that must validate, and ones that must not. */
export type CorpusFolder = "valid" | "kubernetes" | "invalid";

/** The corpus's `.yaml` files under `sub`, as paths relative to it, sorted (none when absent). */
export function corpusFiles(sub: CorpusFolder): string[] {
  const out: string[] = [];
  if (!CORPUS.present) return out;
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".yaml")) out.push(relative(CORPUS_DIR, path));
    }
  };
  walk(join(CORPUS_DIR, sub));
  return out.sort();
}

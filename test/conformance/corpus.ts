/**
 * Locating the shared KFP conformance corpus (`../shared/kfp-conformance` relative to
 * the project root) for the tests in this folder.
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

/** Absolute path of the corpus. */
export const CORPUS_DIR = resolve(import.meta.dirname, "../../../shared/kfp-conformance");

/** The corpus's `.yaml` files under `sub` (`valid` or `invalid`), as paths relative to it, sorted. */
export function corpusFiles(sub: "valid" | "invalid"): string[] {
  const out: string[] = [];
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

/**
 * Locating the shared KFP conformance corpus (`../shared/kfp-conformance` relative to
 * the project root, or the folder named by `WEFT_KFP_CONFORMANCE`) for the tests in this
 * folder. Where it is absent the tests skip with a printed reason, except under
 * `CI=true`, where an absent corpus fails the run.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

/** Absolute path of the corpus. */
export const CORPUS_DIR = resolve(
  process.env.WEFT_KFP_CONFORMANCE ?? resolve(import.meta.dirname, "../../../shared/kfp-conformance"),
);

/** Subfolders of the corpus: pipelines that must validate, and ones that must not. */
export type CorpusFolder = "valid" | "kubernetes" | "invalid";

/**
 * Whether the corpus is here. Prints why the tests skip when it is not; throws under
 * `CI=true`, where a missing corpus must not pass silently.
 */
export function corpusPresent(): boolean {
  if (existsSync(join(CORPUS_DIR, "valid"))) return true;
  const why = `KFP conformance corpus not found at ${CORPUS_DIR} (set WEFT_KFP_CONFORMANCE to its folder)`;
  if (process.env.CI === "true") throw new Error(`${why}; it is required under CI=true`);
  console.warn(`skipping: ${why}`);
  return false;
}

/** The corpus's `.yaml` files under `sub`, as paths relative to it, sorted (none when absent). */
export function corpusFiles(sub: CorpusFolder): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".yaml")) out.push(relative(CORPUS_DIR, path));
    }
  };
  if (existsSync(join(CORPUS_DIR, sub))) walk(join(CORPUS_DIR, sub));
  return out.sort();
}

/**
 * The one way tests reach the shared folder beside the repository (`../shared`: the KFP
 * conformance corpus). A user's clone has no such folder: there the tests that need it
 * skip, and the reason is printed. In CI (`CI=true`) the folder must be there, and its
 * absence fails the run instead of silently skipping a third of the suite.
 *
 * @example
 * const corpus = sharedPath("kfp-conformance");
 * describe.skipIf(!corpus.present)("the corpus", () => { ... corpus.path ... });
 */
import { existsSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";

/** Where the shared folder is: beside the repository's root. */
export const SHARED_ROOT = resolve(import.meta.dirname, "../../shared");

/** `WEFT_SHARED_DIR` points the tests elsewhere (e.g. at a missing folder, to see them skip). */
function defaultRoot(): string {
  return process.env.WEFT_SHARED_DIR ? resolve(process.env.WEFT_SHARED_DIR) : SHARED_ROOT;
}

/** A path inside the shared folder, and whether it is there. */
export interface SharedPath {
  /** Absolute path (also when absent, so that code building on it stays simple). */
  path: string;
  /** Whether it exists; tests that need it skip when not. */
  present: boolean;
  /** Why it is not there (printed once), when it is not. */
  reason: string | undefined;
}

/** What {@link sharedPath} reads from its surroundings; tests of this helper pass their own. */
export interface SharedPathOptions {
  root?: string;
  env?: Readonly<Record<string, string | undefined>>;
  log?: (line: string) => void;
}

const printed = new Set<string>();

/** Whether the environment says this is a CI run. */
export function isCi(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return /^(true|1)$/i.test(env.CI ?? "");
}

/**
 * Locates `rel` inside the shared folder.
 * @throws Error when `rel` leaves the shared folder, or when it is absent under `CI=true`
 */
export function sharedPath(rel: string, options: SharedPathOptions = {}): SharedPath {
  const root = options.root ?? defaultRoot();
  const path = resolve(root, rel);
  const inside = relative(root, path);
  if (inside.startsWith("..") || isAbsolute(inside)) {
    throw new Error(`shared path "${rel}" leaves the shared folder ${root}; name a path inside it`);
  }
  if (existsSync(path)) return { path, present: true, reason: undefined };
  const reason = `${path} is absent (the shared folder beside the repository, which a clone does not have)`;
  if (isCi(options.env)) {
    throw new Error(`${reason}; CI must run the tests that need it: check the shared folder out beside the repository`);
  }
  if (!printed.has(path)) {
    printed.add(path);
    (options.log ?? console.warn)(`skipping the tests that need shared/${rel}: ${reason}`);
  }
  return { path, present: false, reason };
}

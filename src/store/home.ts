/**
 * Where Weft keeps its state (the database, artifacts and logs): `$WEFT_HOME`. One rule,
 * used by the CLI and the server it starts:
 *
 * 1. `$WEFT_HOME` when set (relative to the working directory);
 * 2. else the nearest directory upward from the working directory that holds a
 *    `weft.config.json` or a `package.json`: its `weft.config.json`'s `home` (relative to
 *    that file), or its `.weft`; where one directory holds both, the config file decides;
 * 3. else `./.weft`.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { StoreError } from "./errors.ts";

/** The project file that may choose the home: `{ "home": "path relative to this file" }`. */
export const CONFIG_FILE = "weft.config.json";

/** Which rule chose the home. */
export type HomeSource = "WEFT_HOME" | "weft.config.json" | "package.json" | "cwd";

/** A resolved home and why it is that one. */
export interface HomeResolution {
  /** Absolute path of the home directory (it may not exist yet). */
  home: string;
  source: HomeSource;
  /** The file that chose it (`weft.config.json` or `package.json`), when one did. */
  file?: string;
  /** The project directory (the one holding {@link HomeResolution.file}), when a file chose the home. */
  project?: string;
}

/**
 * Resolves the home by the rule above; reads nothing but `weft.config.json` files.
 *
 * @throws StoreError `CONFIG_INVALID` when the nearest `weft.config.json` is not a JSON
 *   object or its `home` is not a non-empty string.
 * @example
 * resolveHome({}, "/work/app/src"); // { home: "/work/app/.weft", source: "package.json", file: "/work/app/package.json", project: "/work/app" }
 */
export function resolveHome(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): HomeResolution {
  const fromEnv = env.WEFT_HOME?.trim();
  if (fromEnv) return { home: resolve(cwd, fromEnv), source: "WEFT_HOME" };
  let dir = resolve(cwd);
  for (;;) {
    const config = join(dir, CONFIG_FILE);
    if (existsSync(config)) return { home: homeFromConfig(config), source: CONFIG_FILE, file: config, project: dir };
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) return { home: join(dir, ".weft"), source: "package.json", file: pkg, project: dir };
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return { home: resolve(cwd, ".weft"), source: "cwd" };
}

/** One line saying where state lives and why, for `weft runs list` and the server banner. */
export function describeHome(r: HomeResolution): string {
  const why =
    r.source === "WEFT_HOME"
      ? "from $WEFT_HOME"
      : r.source === "cwd"
        ? "no package.json or weft.config.json above the working directory; set WEFT_HOME to choose"
        : `from ${r.file}`;
  return `${r.home} (${why})`;
}

function homeFromConfig(file: string): string {
  const bad = (what: string) =>
    new StoreError(
      "CONFIG_INVALID",
      `${file}: ${what}; write a JSON object such as { "home": ".weft" } (home is relative to this file), or delete the file`,
    );
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw bad(`cannot be read as JSON (${(err as Error).message})`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw bad("is not a JSON object");
  const home: unknown = (doc as Record<string, unknown>).home;
  if (home === undefined) return join(dirname(file), ".weft");
  if (typeof home !== "string" || home.trim() === "") throw bad(`"home" must be a non-empty string`);
  return resolve(dirname(file), home);
}

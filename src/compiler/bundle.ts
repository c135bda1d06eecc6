/**
 * Bundling a TypeScript function component with esbuild into one ESM file that runs the
 * component under the KFP executor contract. npm packages stay external (the task installs
 * them from the component's `packages`); `weft` itself is bundled.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import type { TaskBase } from "../sdk/index.ts";
import { CompilerError } from "./errors.ts";
import { inlineSourceMapComment, type RawSourceMap, trimSourceMap } from "./source-map.ts";

/** The largest bundle a task command can carry (one argv string is limited to 128 KiB on Linux). */
export const MAX_BUNDLE_BYTES = 120 * 1024;

const SELF = fileURLToPath(import.meta.url);

/** The weft package root (holds `package.json`, and `src/` in a checkout or `dist/` when installed). */
export const WEFT_ROOT = resolve(dirname(SELF), "..", "..");

/**
 * A module of this running copy of weft: `src/<path>.ts` when weft runs from its sources
 * (a checkout), `dist/<path>.js` when it runs from the built package.
 */
function weftModule(path: string): string {
  return join(dirname(SELF), "..", ...path.split("/")) + extname(SELF);
}

/** Bundles by source file and component name, shared within one compile. */
export type BundleCache = Map<string, string>;

/** The nearest directory above `file` with a package.json (the user's project root). */
export function projectRootOf(file: string): string {
  let dir = dirname(file);
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) return dirname(file);
    dir = up;
  }
}

/** `weft` and its subpath exports resolve to this copy of weft's modules, so they are bundled. */
const WEFT_ALIASES: Record<string, string> = {
  "weft/executor": weftModule("executor/index"),
  "weft/client": weftModule("client/index"),
  weft: weftModule("index"),
};

/** The name of the generated entry module (never part of the source map). */
const ENTRY_NAME = "weft-task-entry.mjs";

/** `{{$` followed by `.` or `}`: the text {@link shieldPlaceholders} rewrites. */
const SHIELDED = /\{\{\$(?=[.}])/g;
/** Characters each shielded `$` adds (`\x24` for `$`). */
const SHIELD_GROWTH = 3;

/**
 * Weft's own code, as this copy runs it (`src/` in a checkout, `dist/` in the installed
 * package): bundled into every task, never mapped (the map covers the project's).
 */
const WEFT_SOURCES = resolve(dirname(SELF), "..") + sep;

/**
 * The shielded program and the comment that carries its inline source map, trimmed to the project's own
 * sources with paths relative to the project root (`components/train.ts`), so a task's
 * stack trace run with `node --enable-source-maps` names the user's `.ts` lines.
 */
function withSourceMap(js: string, mapText: string | undefined, root: string): { program: string; map?: string } {
  const program = shieldPlaceholders(js);
  if (mapText === undefined) return { program };
  const insertions = new Map<number, number[]>();
  js.split("\n").forEach((line, i) => {
    const at = [...line.matchAll(SHIELDED)].map((m) => (m.index ?? 0) + 2);
    if (at.length) insertions.set(i, at);
  });
  const map = trimSourceMap(JSON.parse(mapText) as RawSourceMap, {
    keep: (source) => source !== ENTRY_NAME && !resolve(root, source).startsWith(WEFT_SOURCES),
    insertions,
    growth: SHIELD_GROWTH,
  });
  if (map.sources.length === 0) return { program };
  return { program, map: `${program.endsWith("\n") ? "" : "\n"}${inlineSourceMapComment(map)}\n` };
}

/** Runs first in a task: tells the SDK it is inside a task (see `loadComponentFromText`). */
const BANNER = "globalThis.__WEFT_IN_TASK__=true;";

function importPath(from: string, to: string): string {
  const rel = relative(from, to).split(sep).join("/");
  return rel.startsWith(".") ? rel : `./${rel}`;
}

/**
 * The bundle of a function component task: an ESM program that finds the component among
 * its module's exports and runs it with `process.argv`.
 *
 * @throws CompilerError `COMPILE_NO_SOURCE_FILE`, `COMPILE_BUNDLE_FAILED` or
 *   `COMPILE_BUNDLE_TOO_LARGE` naming the component.
 */
export function bundleComponent(task: TaskBase, sourceFile: string | undefined, cache: BundleCache): string {
  const name = task.component.name;
  if (!sourceFile || !existsSync(sourceFile)) {
    throw new CompilerError(
      "COMPILE_NO_SOURCE_FILE",
      `component "${name}" (task "${task.name}"): the module that defines it was not found${sourceFile ? ` (${sourceFile})` : ""}; define components with component({...}) at the top level of a .ts module and export them`,
    );
  }
  const key = `${sourceFile}\0${name}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const root = projectRootOf(sourceFile);
  const entry = [
    `import { main } from ${JSON.stringify(importPath(root, weftModule("executor/index")))};`,
    `import * as mod from ${JSON.stringify(importPath(root, sourceFile))};`,
    `const c = Object.values(mod).find((v) => typeof v === "function" && v.name === ${JSON.stringify(name)} && v.impl && v.impl.kind === "function");`,
    `if (!c) { process.stderr.write(${JSON.stringify(`component "${name}" is not exported by its module; export it`)} + "\\n"); process.exit(1); }`,
    "await main(c);",
  ].join("\n");
  let text: string;
  try {
    const result = buildSync({
      stdin: { contents: entry, resolveDir: root, sourcefile: ENTRY_NAME, loader: "js" },
      absWorkingDir: root,
      // not written: names the output so that the map's sources are relative to the project root
      outfile: join(root, "weft-task.mjs"),
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      minify: true,
      legalComments: "none",
      charset: "utf8",
      write: false,
      logLevel: "silent",
      packages: "external",
      alias: WEFT_ALIASES,
      banner: { js: BANNER },
      sourcemap: "external",
      sourcesContent: false,
    });
    const js = result.outputFiles.find((f) => f.path.endsWith(".mjs"))?.text ?? "";
    const map = result.outputFiles.find((f) => f.path.endsWith(".map"))?.text;
    const mapped = withSourceMap(js, map, root);
    // the map is left out rather than the component refused when only the map is too large
    text =
      mapped.map !== undefined && Buffer.byteLength(mapped.program) + mapped.map.length <= MAX_BUNDLE_BYTES
        ? mapped.program + mapped.map
        : mapped.program;
  } catch (cause) {
    const detail = (cause as { errors?: Array<{ text: string }> }).errors?.map((e) => e.text).join("; ");
    throw new CompilerError(
      "COMPILE_BUNDLE_FAILED",
      `component "${name}": bundling ${relative(root, sourceFile)} failed: ${detail ?? (cause as Error).message}`,
      { cause },
    );
  }
  const size = Buffer.byteLength(text);
  if (size > MAX_BUNDLE_BYTES) {
    throw new CompilerError(
      "COMPILE_BUNDLE_TOO_LARGE",
      `component "${name}": its bundle is ${Math.round(size / 1024)} KiB, over the ${MAX_BUNDLE_BYTES / 1024} KiB a task command can carry; move heavy dependencies to the component's packages (they are installed in the task, not bundled)`,
    );
  }
  cache.set(key, text);
  return text;
}

/**
 * The KFP launcher (and Weft's engine) substitutes `{{$}}` and `{{$.…}}` placeholders
 * anywhere in a task's command, and the bundle is part of the command. Any such text in
 * the program (an error message, a placeholder builder) would be replaced by the executor
 * input JSON and break the program, so `$` is written as the JavaScript escape `\x24`
 * there: inside string and template literals, where such text lives, it means the same.
 * `{{${` (a template interpolation) is left alone.
 */
export function shieldPlaceholders(program: string): string {
  return program.replace(SHIELDED, "{{\\x24");
}

/** The stand-in for a bundle when compiling without bundling: names the module and component. */
export function bundleReference(task: TaskBase, sourceFile: string | undefined): string {
  const where = sourceFile ? relative(projectRootOf(sourceFile), sourceFile).split(sep).join("/") : "<unknown module>";
  return `// weft: unbundled component "${task.component.name}" from ${where}\n`;
}

/** Reads the weft package version (for `sdkVersion`). */
export function weftVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(WEFT_ROOT, "package.json"), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

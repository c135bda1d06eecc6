/**
 * Bundling a TypeScript function component with esbuild into one ESM file that runs the
 * component under the KFP executor contract. npm packages stay external (the task installs
 * them from the component's `packages`); `weft` itself is bundled.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync, type Plugin } from "esbuild";
import type { TaskBase } from "../sdk/index.ts";
import { CompilerError } from "./errors.ts";

/** The largest bundle a task command can carry (one argv string is limited to 128 KiB on Linux). */
export const MAX_BUNDLE_BYTES = 120 * 1024;

/** The weft package root (holds `src/`). */
export const WEFT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

const LOAD_COMPONENT = join(WEFT_ROOT, "src", "sdk", "load-component.ts");

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

function weftEntry(subpath: string): string | undefined {
  const map: Record<string, string> = {
    "": "src/index.ts",
    "/executor": "src/executor/index.ts",
    "/client": "src/client/index.ts",
  };
  const rel = map[subpath];
  return rel === undefined ? undefined : join(WEFT_ROOT, rel);
}

const STUB = `const fail = () => { throw new Error("KFP YAML components are loaded at compile time, not inside a task"); };
export function loadComponentFromText() { return Object.assign(fail, { inputs: {}, outputs: {}, impl: { kind: "loaded" } }); }
export const loadComponentFromFile = loadComponentFromText;
`;

const plugin: Plugin = {
  name: "weft-task",
  setup(build) {
    build.onResolve({ filter: /^weft(\/.*)?$/ }, (args) => {
      const path = weftEntry(args.path.slice("weft".length));
      return path ? { path } : undefined;
    });
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("weft") ? undefined : { path: args.path, external: true },
    );
    // The YAML loader is compile-time only; the task never loads YAML (keeps `yaml` out of the bundle).
    build.onLoad({ filter: /load-component\.ts$/ }, (args) =>
      args.path === LOAD_COMPONENT ? { contents: STUB, loader: "js" } : undefined,
    );
  },
};

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
    `import { main } from ${JSON.stringify(importPath(root, join(WEFT_ROOT, "src", "executor", "index.ts")))};`,
    `import * as mod from ${JSON.stringify(importPath(root, sourceFile))};`,
    `const c = Object.values(mod).find((v) => typeof v === "function" && v.name === ${JSON.stringify(name)} && v.impl && v.impl.kind === "function");`,
    `if (!c) { process.stderr.write(${JSON.stringify(`component "${name}" is not exported by its module; export it`)} + "\\n"); process.exit(1); }`,
    "await main(c);",
  ].join("\n");
  let text: string;
  try {
    const result = buildSync({
      stdin: { contents: entry, resolveDir: root, sourcefile: "weft-task-entry.mjs", loader: "js" },
      absWorkingDir: root,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      minify: true,
      legalComments: "none",
      charset: "utf8",
      write: false,
      logLevel: "silent",
      plugins: [plugin],
    });
    text = result.outputFiles[0]?.text ?? "";
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

/** Reads the weft package version (for `sdkVersion`). */
export function weftVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(WEFT_ROOT, "package.json"), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

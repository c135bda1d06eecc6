/**
 * A project folder for the tuning steps' pipeline tests: `package.json` (an ES module),
 * the repository's `node_modules` (the task programs import weft's npm dependencies, such
 * as yaml, from there), `steps.ts` with two plain components (`makeData` writes a Dataset
 * holding 0.5; `useBest` takes the best parameters and value), and the test's own files;
 * then its `pipeline.ts` imported. Also a trials CSV read back.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { AnyPipeline } from "../../src/compiler/index.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
/** The `weft` entry as a quoted path, for the modules the tests write. */
export const SDK = JSON.stringify(join(ROOT, "src", "index.ts"));

/** Plain components, in a module of their own (their bundles leave the tuning code out). */
const STEPS = `import { writeFileSync } from "node:fs";
import { artifact, component, param } from ${SDK};

export const makeData = component({
  name: "make_data",
  outputs: { data: artifact.Dataset },
  run: (_inputs, outputs) => { writeFileSync(outputs.data.path, "0.5\\n"); },
});

export const useBest = component({
  name: "use_best",
  inputs: { params: param.object<Record<string, number>>(), value: param.float() },
  outputs: { x: param.float(), value: param.float() },
  run: ({ params, value }) => ({ x: params.x, value }),
});
`;

/**
 * Writes the project under `home/project` (`files`: name to text, `pipeline.ts` among them)
 * and imports its `pipeline.ts`.
 */
export async function writeStepProject(
  home: string,
  files: Readonly<Record<string, string>>,
): Promise<Record<string, AnyPipeline>> {
  const dir = join(home, "project");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  writeFileSync(join(dir, "steps.ts"), STEPS);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return (await import(join(dir, "pipeline.ts"))) as Record<string, AnyPipeline>;
}

/** The rows of a trials CSV artifact, by its URI. */
export function csvRows(uri: string): string[][] {
  const path = uri.startsWith("file://") ? fileURLToPath(uri) : uri;
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((l) => l.split(","));
}

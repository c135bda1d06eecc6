/**
 * Vitest global set-up for the core suite: tasks that run KFP pip preludes make their
 * Python environments in a folder of this run (`WEFT_PYTHON_ENVS`), never in the user's
 * cache, unless the caller already chose one. The folder is removed at the end.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export default function setup(): () => void {
  if (process.env.WEFT_PYTHON_ENVS) return () => {};
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "weft-test-python-envs-"));
  process.env.WEFT_PYTHON_ENVS = dir;
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

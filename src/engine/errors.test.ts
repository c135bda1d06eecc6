import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ArtifactError } from "../artifacts/index.ts";
import { IrError } from "../ir/index.ts";
import { EngineError, failureOf, TASK_ERRORS, TaskError, type TaskErrorCode, taskFailure } from "./errors.ts";

const here = path.dirname(new URL(import.meta.url).pathname);
/** The engine's source, without tests and without the catalogue itself. */
const sources = fs
  .readdirSync(here)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "errors.ts")
  .map((f) => ({ file: f, text: fs.readFileSync(path.join(here, f), "utf8") }));
const codes = Object.keys(TASK_ERRORS) as TaskErrorCode[];

describe("task failure catalogue", () => {
  it.each(codes)("%s is raised somewhere in the engine", (code) => {
    const users = sources.filter((s) => s.text.includes(`"${code}"`)).map((s) => s.file);
    expect(users, `no engine file raises ${code}; raise it or remove it from TASK_ERRORS`).not.toEqual([]);
  });

  it("gives every code a meaning and an action", () => {
    for (const [code, e] of Object.entries(TASK_ERRORS)) {
      expect(code).toMatch(/^[A-Z][A-Z_]+$/);
      expect(e.meaning.length, code).toBeGreaterThan(10);
      expect(e.action.length, code).toBeGreaterThan(3);
    }
  });

  it("is listed in src/engine/README.md with the same meanings and actions", () => {
    const readme = fs.readFileSync(path.join(here, "README.md"), "utf8");
    const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| (.*) \| (.*) \|$/gm)].map((m) => [m[1], m[2], m[3]]);
    expect(rows).toEqual(Object.entries(TASK_ERRORS).map(([c, e]) => [c, e.meaning, e.action]));
  });
});

describe("failureOf", () => {
  it("keeps a TaskError's code and action, and names the task once", () => {
    const e = new TaskError("OUTPUT_MISSING", "task 'root/a' did not write output parameter 'n'");
    expect(failureOf(e, "INTERNAL", "root/a")).toEqual({
      code: "OUTPUT_MISSING",
      message: "task 'root/a' did not write output parameter 'n'",
      action: TASK_ERRORS.OUTPUT_MISSING.action,
    });
  });

  it("maps engine and artifact errors onto the catalogue, and anything else onto the fallback", () => {
    expect(failureOf(new EngineError("PLAN_INVALID", "cpu 'x' is not a CPU quantity"), "INTERNAL", "root/a")).toEqual(
      taskFailure("SPEC_INVALID", "task 'root/a': cpu 'x' is not a CPU quantity"),
    );
    expect(failureOf(new ArtifactError("ARTIFACT_OUTSIDE_STORE", "outside")).code).toBe("PATH_UNSAFE");
    expect(failureOf(new IrError("IR_PLACEHOLDER", "placeholder {{$.x}}: unknown")).code).toBe("SPEC_INVALID");
    expect(failureOf(new Error("disk full"), "CACHE_FAILED")).toEqual(taskFailure("CACHE_FAILED", "disk full"));
    expect(failureOf("weird").code).toBe("INTERNAL");
  });
});

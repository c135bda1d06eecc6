import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isCi, SHARED_ROOT, sharedPath } from "./shared-dir.ts";

const root = mkdtempSync(join(tmpdir(), "weft-shared-"));
mkdirSync(join(root, "kfp-conformance"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("sharedPath", () => {
  it("returns the path of what is there", () => {
    const lines: string[] = [];
    const got = sharedPath("kfp-conformance", { root, env: {}, log: (l) => lines.push(l) });
    expect(got).toEqual({ path: join(root, "kfp-conformance"), present: true, reason: undefined });
    expect(lines).toEqual([]);
  });

  it("outside CI, says what is absent and why, once, so that the tests skip", () => {
    const lines: string[] = [];
    const opts = { root, env: { CI: "" }, log: (l: string) => lines.push(l) };
    const got = sharedPath("specs", opts);
    expect(got.present).toBe(false);
    expect(got.path).toBe(join(root, "specs"));
    expect(got.reason).toContain(`${join(root, "specs")} is absent`);
    sharedPath("specs", opts);
    expect(lines).toEqual([`skipping the tests that need shared/specs: ${got.reason}`]);
  });

  it("under CI=true, fails instead of skipping", () => {
    expect(() => sharedPath("nothing-here", { root, env: { CI: "true" }, log: () => {} })).toThrow(
      /nothing-here is absent .*CI must run the tests that need it/,
    );
    expect(isCi({ CI: "true" })).toBe(true);
    expect(isCi({ CI: "1" })).toBe(true);
    expect(isCi({ CI: "false" })).toBe(false);
    expect(isCi({})).toBe(false);
  });

  it("keeps names inside the shared folder", () => {
    expect(() => sharedPath("../etc", { root, env: {} })).toThrow(/leaves the shared folder/);
    expect(() => sharedPath("/etc", { root, env: {} })).toThrow(/leaves the shared folder/);
  });

  it("looks for ../shared beside the repository", () => {
    expect(SHARED_ROOT).toBe(join(import.meta.dirname, "..", "..", "shared"));
  });
});

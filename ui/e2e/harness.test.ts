/**
 * The decision every browser test file makes first: run, skip with a printed reason
 * (locally, without Chromium), or fail (in CI, without Chromium).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BrowserMissingError, browserSkipDecision, isCi, ROOT } from "./harness.ts";

describe("browserSkipDecision", () => {
  it("runs when Chromium is installed, in CI or not", () => {
    expect(browserSkipDecision("/usr/bin/chromium", true, {})).toBeUndefined();
    expect(browserSkipDecision("/usr/bin/chromium", true, { CI: "true" })).toBeUndefined();
  });

  it("skips with a reason that names the binary and the fix when Chromium is missing locally", () => {
    const reason = browserSkipDecision("/nowhere/chromium", false, {});
    expect(reason).toMatch(/\/nowhere\/chromium is not installed/);
    expect(reason).toMatch(/apt-get install -y chromium/);
    expect(reason).toMatch(/skipping/);
    expect(browserSkipDecision("/nowhere/chromium", false, { CI: "false" })).toMatch(/skipping/);
  });

  it("throws in CI when Chromium is missing", () => {
    for (const CI of ["true", "1", "TRUE"]) {
      expect(() => browserSkipDecision("/nowhere/chromium", false, { CI })).toThrow(BrowserMissingError);
    }
    try {
      browserSkipDecision("/nowhere/chromium", false, { CI: "true" });
    } catch (err) {
      expect((err as BrowserMissingError).code).toBe("UI_E2E_NO_BROWSER");
      expect((err as Error).message).toMatch(
        /\/nowhere\/chromium is not installed.*install Chromium on the CI machine/,
      );
    }
  });

  it("reads CI as CI services set it", () => {
    expect(isCi({ CI: "true" })).toBe(true);
    expect(isCi({ CI: "1" })).toBe(true);
    expect(isCi({ CI: "" })).toBe(false);
    expect(isCi({})).toBe(false);
  });
});

describe("skipReason in a real process", () => {
  const script = `import(${JSON.stringify(join(ROOT, "ui/e2e/harness.ts"))}).then((h) => { h.skipReason(); process.stdout.write("ran"); })`;
  const tsx = join(ROOT, "node_modules/tsx/dist/loader.mjs");
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ["--import", tsx, "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", WEFT_CHROMIUM: "/nowhere/chromium", ...env },
    });

  it("prints the reason and goes on outside CI", () => {
    const r = run({});
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("ran");
    expect(r.stderr).toMatch(/ui e2e: \/nowhere\/chromium is not installed.*skipping/);
  });

  it("fails with the reason under CI=true", () => {
    const r = run({ CI: "true" });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/UI_E2E_NO_BROWSER|\/nowhere\/chromium is not installed/);
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sharedPath } from "../../test/shared-dir.ts";
import {
  ACTIVE_RUN_STATES,
  isActiveRunState,
  isRetryableRunState,
  isRunState,
  isSuccessState,
  isTerminalRunState,
  isTerminalState,
  isTerminalTaskState,
  RUN_STATES,
  RUNTIME_STATES,
  TASK_STATES,
  TERMINAL_RUN_STATES,
  TERMINAL_TASK_STATES,
  UNFINISHED_TASK_STATES,
} from "./states.ts";

const SWAGGER = sharedPath("specs/kfp-v2beta1-api.swagger.json");

describe("run and task states", () => {
  it.skipIf(!SWAGGER.present)("run states are KFP's V2beta1RuntimeState", () => {
    const swagger = JSON.parse(readFileSync(SWAGGER.path, "utf8")) as {
      definitions: Record<string, { enum?: string[] }>;
    };
    const kfp = swagger.definitions.v2beta1RuntimeState?.enum ?? [];
    expect([...RUNTIME_STATES].sort()).toEqual([...kfp].sort());
    expect(RUN_STATES).toEqual(kfp.filter((s) => s !== "RUNTIME_STATE_UNSPECIFIED"));
  });

  it("splits run states into terminal and active ones, and task states into terminal and unfinished ones", () => {
    expect([...TERMINAL_RUN_STATES, ...ACTIVE_RUN_STATES].sort()).toEqual([...RUN_STATES].sort());
    expect(TERMINAL_RUN_STATES.filter((s) => isActiveRunState(s))).toEqual([]);
    expect([...TERMINAL_TASK_STATES, ...UNFINISHED_TASK_STATES].sort()).toEqual([...TASK_STATES].sort());
    expect(TASK_STATES.filter((s) => isTerminalTaskState(s) && !isTerminalState(s))).toEqual([]);
  });

  it("answers the questions the code asks", () => {
    expect(RUNTIME_STATES.filter(isTerminalRunState)).toEqual(["SUCCEEDED", "SKIPPED", "FAILED", "CANCELED"]);
    expect(TASK_STATES.filter(isTerminalTaskState)).toEqual(["SUCCEEDED", "FAILED", "SKIPPED", "CANCELED", "CACHED"]);
    expect(RUNTIME_STATES.filter(isRetryableRunState)).toEqual(["FAILED", "CANCELED"]);
    expect(TASK_STATES.filter(isSuccessState)).toEqual(["SUCCEEDED", "CACHED"]);
    expect(isTerminalRunState("CACHED")).toBe(false);
    expect(isTerminalState("CACHED")).toBe(true);
    expect(isActiveRunState("RUNTIME_STATE_UNSPECIFIED")).toBe(false);
    expect(isRunState("RUNTIME_STATE_UNSPECIFIED")).toBe(false);
    expect(isRunState("PAUSED")).toBe(true);
    for (const f of [isTerminalState, isActiveRunState, isRetryableRunState, isSuccessState, isRunState]) {
      expect(f(undefined)).toBe(false);
      expect(f("succeeded")).toBe(false);
    }
  });
});

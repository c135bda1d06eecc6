import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidInputError, NotFoundError, openStore, type Store } from "../store/index.ts";
import { parseModelUri, resolveModelUri } from "./index.ts";

let store: Store;

beforeEach(() => {
  store = openStore(mkdtempSync(join(tmpdir(), "weft-model-uri-")));
});

afterEach(() => {
  store.close();
  rmSync(store.home, { recursive: true, force: true });
});

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error");
}

describe("parseModelUri", () => {
  it("reads MLflow's forms: version, alias, stage (any case) and latest", () => {
    expect(parseModelUri("models:/fraud-detector/3")).toEqual({
      uri: "models:/fraud-detector/3",
      name: "fraud-detector",
      version: 3,
    });
    expect(parseModelUri("models:/fraud-detector@champion")).toMatchObject({
      name: "fraud-detector",
      alias: "champion",
    });
    expect(parseModelUri("models:/Fraud Detector/production")).toMatchObject({
      name: "Fraud Detector",
      stage: "Production",
    });
    expect(parseModelUri("models:/m/None")).toMatchObject({ stage: "None" });
    expect(parseModelUri("models:/m/LATEST")).toMatchObject({ name: "m", latest: true });
  });

  it("refuses anything else, naming the URI and the accepted forms", () => {
    for (const uri of [
      "runs:/abc/model",
      "models:fraud/1",
      "models://host/fraud/1",
      "models:/fraud",
      "models:/fraud/",
      "models:/fraud/1/extra",
      "models:/fraud/0",
      "models:/fraud/Live",
      "models:/@champion",
      "models:/fraud@",
      "models:/fraud@bad alias",
    ]) {
      const err = errorOf(() => parseModelUri(uri));
      expect(err, uri).toBeInstanceOf(InvalidInputError);
      expect(err.message).toContain(`model URI '${uri}'`);
      expect(err.message).toContain("models:/NAME/VERSION, models:/NAME@ALIAS");
    }
  });
});

describe("resolveModelUri", () => {
  beforeEach(() => {
    store.models.createModel({ name: "fraud-detector" });
    for (let i = 0; i < 4; i++) store.models.createVersion({ name: "fraud-detector", runId: `r${i}` });
    store.models.setAlias("fraud-detector", "champion", 2);
    store.models.transitionStage("fraud-detector", 1, "Production");
    store.models.transitionStage("fraud-detector", 3, "Production");
    store.models.transitionStage("fraud-detector", 4, "Archived");
  });

  it("resolves each form to its version", () => {
    const version = (uri: string) => resolveModelUri(store, uri).version;
    expect(version("models:/fraud-detector/1")).toBe(1);
    expect(version("models:/fraud-detector@champion")).toBe(2);
    expect(version("models:/fraud-detector/Production")).toBe(3);
    expect(version("models:/fraud-detector/archived")).toBe(4);
    expect(version("models:/fraud-detector/latest")).toBe(4);
    expect(resolveModelUri(store, "models:/fraud-detector@champion").runId).toBe("r1");
  });

  it("says what is missing, naming the URI", () => {
    const cases: [string, string][] = [
      ["models:/nope/1", "no registered model is named 'nope'"],
      ["models:/fraud-detector/9", "has no version 9"],
      ["models:/fraud-detector@challenger", "has no alias 'challenger'"],
      ["models:/fraud-detector/Staging", "no version of model 'fraud-detector' is in stage Staging"],
    ];
    for (const [uri, text] of cases) {
      const err = errorOf(() => resolveModelUri(store, uri));
      expect(err, uri).toBeInstanceOf(NotFoundError);
      expect(err.message).toContain(`model URI '${uri}'`);
      expect(err.message).toContain(text);
    }
    store.models.createModel({ name: "empty" });
    expect(errorOf(() => resolveModelUri(store, "models:/empty/latest")).message).toContain("has no versions yet");
  });

  it("a model name with a quote resolves its latest version (the name is a bound value)", () => {
    store.models.createModel({ name: "it's" });
    store.models.createVersion({ name: "it's" });
    expect(resolveModelUri(store, "models:/it's/latest")).toMatchObject({ name: "it's", version: 1 });
  });
});

import { describe, expect, it } from "vitest";
import { compileRegistryFilter, InvalidQueryError, likeToGlob } from "../store/index.ts";
import {
  decodePageToken,
  encodePageToken,
  maxResultsLimits,
  parseModelFilter,
  parseOrderBy,
  parseVersionFilter,
} from "./index.ts";

function errorOf(fn: () => unknown): InvalidQueryError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidQueryError);
    return err as InvalidQueryError;
  }
  throw new Error("expected an InvalidQueryError");
}

describe("registry filter grammar", () => {
  it("parses MLflow's documented forms into comparisons", () => {
    expect(parseModelFilter("name LIKE '%fraud%'")).toEqual([
      { type: "attribute", key: "name", comparator: "LIKE", value: "%fraud%", position: 0 },
    ]);
    expect(parseModelFilter("tags.k = 'v'")).toEqual([
      { type: "tag", key: "k", comparator: "=", value: "v", position: 0 },
    ]);
    expect(parseVersionFilter("run_id = 'abc' and version_number>=2 AND tags.`a b`!=\"x\"")).toEqual([
      { type: "attribute", key: "run_id", comparator: "=", value: "abc", position: 0 },
      { type: "attribute", key: "version_number", comparator: ">=", value: 2, position: 19 },
      { type: "tag", key: "a b", comparator: "!=", value: "x", position: 41 },
    ]);
    expect(parseVersionFilter("run_id IN ('a', 'b','c')")[0]?.value).toEqual(["a", "b", "c"]);
    expect(parseVersionFilter("tags.mlflow.source.type ilike 'NOTE%'")[0]).toMatchObject({
      type: "tag",
      key: "mlflow.source.type",
      comparator: "ILIKE",
    });
    expect(parseModelFilter("name = 'it''s'")[0]?.value).toBe("it's");
    expect(parseModelFilter(undefined)).toEqual([]);
    expect(parseModelFilter("   ")).toEqual([]);
  });

  it("compiles to SQL with every value bound as a parameter", () => {
    const hostile = "x' OR '1'='1";
    const compiled = compileRegistryFilter(
      parseVersionFilter(`name = '${hostile.replaceAll("'", "''")}' AND tags.k LIKE 'a%' AND run_id IN ('r1','r2')`),
      "versions",
    );
    expect(compiled.where).not.toContain("OR '1'");
    expect(compiled.where).toBe(
      "v.name = ? AND (v.name, v.version) IN (SELECT t.name, t.version FROM model_version_tags t WHERE t.key = ? AND t.value GLOB ?) AND v.run_id IN (?, ?)",
    );
    expect(compiled.params).toEqual([hostile, "k", "a*", "r1", "r2"]);
    expect(compileRegistryFilter([], "models")).toEqual({ where: "1", params: [] });
  });

  it("turns MLflow's case-sensitive LIKE into GLOB, keeping GLOB's own characters literal", () => {
    expect(likeToGlob("%fraud_v?[1]*")).toBe("*fraud?v[?][[]1][*]");
  });

  it("names the position and the token of what it refuses", () => {
    expect(errorOf(() => parseModelFilter("name = 'a' OR name = 'b'")).message).toContain("at position 11: OR");
    expect(errorOf(() => parseModelFilter("name = 'a' name = 'b'")).message).toContain(
      "at position 11: expected AND or the end of the filter but found 'name'",
    );
    expect(errorOf(() => parseModelFilter("name ~ 'a'")).message).toContain("position 5: unexpected character '~'");
    expect(errorOf(() => parseModelFilter("name 'a'")).message).toContain("expected a comparator after 'name'");
    expect(errorOf(() => parseVersionFilter("version_number = 1.5")).message).toContain("compares with an integer");
    expect(errorOf(() => parseVersionFilter("name = 3")).message).toContain("write '3' in quotes");
    expect(errorOf(() => parseVersionFilter("source_path IN ('a')")).message).toContain("does not support IN");
    expect(errorOf(() => parseVersionFilter("run_id IN ('a' 'b')")).message).toContain("expected ',' or ')'");
    expect(errorOf(() => parseVersionFilter("tags. = 'a'")).message).toContain("names no tag key");
    expect(errorOf(() => parseModelFilter("version_number = 1")).message).toContain(
      "'version_number' is not a searchable attribute of registered models",
    );
    expect(errorOf(() => parseModelFilter("name != 'a")).message).toContain("position 8");
  });

  it("parses order_by with MLflow's tie-breakers and refuses unknown keys", () => {
    expect(parseOrderBy(["last_updated_timestamp DESC"], "models")).toEqual([
      { key: "last_updated_timestamp", ascending: false },
      { key: "name", ascending: true },
    ]);
    expect(parseOrderBy([], "versions")).toEqual([
      { key: "name", ascending: true },
      { key: "version_number", ascending: false },
    ]);
    expect(parseOrderBy(["attribute.version_number asc", "name DESC"], "versions")).toEqual([
      { key: "version_number", ascending: true },
      { key: "name", ascending: false },
    ]);
    expect(errorOf(() => parseOrderBy(["name sideways"], "models")).message).toContain('order_by "name sideways"');
    expect(errorOf(() => parseOrderBy(["run_id"], "versions")).message).toContain("expected one of");
  });

  it("page tokens round-trip and a foreign token is refused by name", () => {
    expect(decodePageToken(encodePageToken(300))).toBe(300);
    expect(decodePageToken(undefined)).toBe(0);
    for (const bad of ["%%%", Buffer.from("[]").toString("base64"), Buffer.from('{"offset":1.5}').toString("base64")]) {
      expect(errorOf(() => decodePageToken(bad)).message).toContain(`page_token '${bad}'`);
    }
    expect(maxResultsLimits("models")).toEqual({ default: 100, max: 1000 });
  });

  it("refuses values of the wrong type, as an untyped request may carry them", () => {
    expect(errorOf(() => parseModelFilter(7 as never)).message).toContain("filter: expected a string");
    expect(errorOf(() => parseOrderBy("name" as never, "models")).message).toContain("order_by: expected a list");
    expect(errorOf(() => decodePageToken(3 as never)).message).toContain("page_token: expected the string");
  });
});

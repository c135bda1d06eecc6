import { describe, expect, it } from "vitest";
import { parseBody, RunBody, snakeKeys } from "./bodies.ts";
import { ApiError, toApiError, toRpcStatus } from "./errors.ts";
import { EXPERIMENT_FIELDS, RUN_FIELDS } from "./kfp-json.ts";
import { buildListQuery, encodePageToken, parseFilter, parsePageSize, parseSortBy } from "./query.ts";

const f = (predicates: unknown[]) => JSON.stringify({ predicates });

describe("parseFilter", () => {
  it("maps KFP keys to store fields and accepts operations by name or number", () => {
    expect(parseFilter(f([{ key: "display_name", operation: "EQUALS", string_value: "a" }]), RUN_FIELDS)).toEqual([
      { field: "displayName", op: "EQUALS", value: "a" },
    ]);
    expect(parseFilter(f([{ key: "state", operation: 2, string_value: "FAILED" }]), RUN_FIELDS)[0]?.op).toBe(
      "NOT_EQUALS",
    );
    expect(parseFilter(f([{ key: "state", operation: "8", string_value: "FAIL" }]), RUN_FIELDS)[0]?.op).toBe(
      "IS_SUBSTRING",
    );
    expect(parseFilter(f([{ key: "state", op: "EQUALS", stringValue: "FAILED" }]), RUN_FIELDS)[0]?.value).toBe(
      "FAILED",
    );
  });

  it("reads every value kind in snake_case and camelCase", () => {
    const one = (p: Record<string, unknown>) => parseFilter(f([{ key: "created_at", ...p }]), RUN_FIELDS)[0]?.value;
    expect(one({ operation: "GREATER_THAN", timestamp_value: "2026-01-01T00:00:00Z" })).toBe(
      Date.parse("2026-01-01T00:00:00Z"),
    );
    expect(one({ operation: "GREATER_THAN", timestampValue: "2026-01-01T00:00:00Z" })).toBe(
      Date.parse("2026-01-01T00:00:00Z"),
    );
    expect(one({ operation: "LESS_THAN", long_value: "1767225600" })).toBe(1_767_225_600_000); // Unix seconds
    expect(one({ operation: "LESS_THAN", intValue: 10 })).toBe(10_000);
    expect(one({ operation: "IN", long_values: { values: ["1", "2"] } })).toEqual([1000, 2000]);
    const names = parseFilter(f([{ key: "name", operation: "IN", stringValues: { values: ["a", "b"] } }]), RUN_FIELDS);
    expect(names[0]).toEqual({ field: "displayName", op: "IN", value: ["a", "b"] });
    const ints = parseFilter(f([{ key: "state", operation: "IN", int_values: { values: [1, 2] } }]), RUN_FIELDS);
    expect(ints[0]?.value).toEqual([1, 2]);
  });

  it("explains what is wrong with a bad filter", () => {
    const bad = (text: string) => {
      try {
        parseFilter(text, RUN_FIELDS);
      } catch (err) {
        expect(err).toBeInstanceOf(ApiError);
        expect((err as ApiError).status).toBe(400);
        return (err as Error).message;
      }
      throw new Error("accepted");
    };
    expect(bad("{")).toMatch(/filter is not valid JSON/);
    expect(bad("[]")).toMatch(/must be a JSON object/);
    expect(bad(JSON.stringify({ predicates: [], extra: 1 }))).toMatch(/unknown field "extra"/);
    expect(bad(f([{ key: "colour", operation: "EQUALS", string_value: "x" }]))).toMatch(
      /"colour" is not a run field.*display_name/,
    );
    expect(bad(f([{ key: "state", operation: 0, string_value: "x" }]))).toMatch(
      /predicates\[0\]\.operation 0 is not an operation/,
    );
    expect(bad(f([{ key: "state", operation: "EQUALS" }]))).toMatch(/exactly one value/);
    expect(bad(f([{ key: "state", operation: "EQUALS", string_value: "a", int_value: 1 }]))).toMatch(
      /found string_value, int_value/,
    );
    expect(bad(f([{ key: "state", operation: "IN", string_value: "a" }]))).toMatch(/IN, which takes a list/);
    expect(bad(f([{ key: "state", operation: "EQUALS", string_values: { values: ["a"] } }]))).toMatch(/single value/);
    expect(bad(f([{ key: "state", operation: "IS_SUBSTRING", int_value: 3 }]))).toMatch(
      /IS_SUBSTRING, which takes a string_value/,
    );
    expect(bad(f([{ key: "created_at", operation: "EQUALS", timestamp_value: "soon" }]))).toMatch(
      /not an RFC 3339 timestamp/,
    );
    expect(bad(f([{ key: "state", operation: "EQUALS", int_value: "x" }]))).toMatch(/not an integer/);
  });
});

describe("sort, page size and page tokens", () => {
  it("parses sort_by", () => {
    expect(parseSortBy(undefined, RUN_FIELDS)).toEqual({ field: "createdAt", desc: true });
    expect(parseSortBy("display_name", RUN_FIELDS)).toEqual({ field: "displayName", desc: false });
    expect(parseSortBy("created_at desc", RUN_FIELDS)).toEqual({ field: "createdAt", desc: true });
    expect(() => parseSortBy("created_at sideways", RUN_FIELDS)).toThrow(/must be "field" or "field desc"/);
    // a metric named by an iteration's label holds spaces
    expect(parseSortBy("metric:evaluate[kind=mlp, slope=3].f1 desc", RUN_FIELDS)).toEqual({
      field: "metric:evaluate[kind=mlp, slope=3].f1",
      desc: true,
    });
    expect(() => parseSortBy("colour", RUN_FIELDS)).toThrow(/sort_by "colour" is not a run field/);
  });

  it("defaults page_size to 20 and caps it at 200", () => {
    expect(parsePageSize(undefined)).toBe(20);
    expect(parsePageSize("0")).toBe(20);
    expect(parsePageSize("50")).toBe(50);
    expect(parsePageSize("5000")).toBe(200);
    expect(() => parsePageSize("-1")).toThrow(/page_size/);
    expect(() => parsePageSize("ten")).toThrow(/page_size/);
  });

  it("binds a page token to its query", () => {
    const params = { filter: f([{ key: "name", operation: "EQUALS", string_value: "x" }]), sort_by: "name" };
    const q = buildListQuery(EXPERIMENT_FIELDS, params);
    const token = encodePageToken("store-token", EXPERIMENT_FIELDS, q) ?? "";
    expect(buildListQuery(EXPERIMENT_FIELDS, { ...params, page_token: token }).pageToken).toBe("store-token");
    expect(() => buildListQuery(EXPERIMENT_FIELDS, { ...params, sort_by: "name desc", page_token: token })).toThrow(
      /different filter or sort_by/,
    );
    expect(() => buildListQuery(EXPERIMENT_FIELDS, { page_token: "%%%" })).toThrow(/not a token this server issued/);
    expect(encodePageToken(undefined, EXPERIMENT_FIELDS, q)).toBeUndefined();
  });
});

describe("bodies and errors", () => {
  it("accepts camelCase message fields but leaves free-form values alone", () => {
    expect(
      snakeKeys({
        displayName: "x",
        runtimeConfig: { parameters: { myParam: 1 } },
        pipelineSpec: { pipelineInfo: {} },
      }),
    ).toEqual({
      display_name: "x",
      runtime_config: { parameters: { myParam: 1 } },
      pipeline_spec: { pipelineInfo: {} },
    });
  });

  it("names unknown fields and invalid values with their path", () => {
    expect(() => parseBody(RunBody, { display_name: "r", runtime_config: { paramters: {} } }, "run")).toThrow(
      /^run\.runtime_config: unknown field "paramters"/,
    );
    expect(() => parseBody(RunBody, { display_name: 5 }, "run")).toThrow(/^run\.display_name: /);
    expect(() => parseBody(RunBody, [], "run")).toThrow(/must be a JSON object/);
  });

  it("maps other modules' errors by code, and unknown failures to 500", () => {
    const notFound = Object.assign(new Error("run 'x' was not found"), { code: "NOT_FOUND" });
    expect(toApiError(notFound).error.status).toBe(404);
    const param = Object.assign(new Error("bad"), { code: "PARAMETER_INVALID" });
    expect(toApiError(param).error.status).toBe(400);
    const ir = Object.assign(new Error("bad yaml"), { code: "IR_YAML_SYNTAX" });
    expect(toRpcStatus(toApiError(ir).error, "IR_YAML_SYNTAX")).toMatchObject({ code: 3, message: "bad yaml" });
    expect(toApiError(new Error("boom")).error.status).toBe(500);
  });
});

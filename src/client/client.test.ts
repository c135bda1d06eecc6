import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { sharedPath } from "../../test/shared-dir.ts";
import { ClientError, encodeFilter, listQuery, remoteHost, resolvePipelineSource, WeftClient } from "./index.ts";

const ADD_NUMBERS = sharedPath("kfp-conformance/valid/critical/add_numbers.yaml");

describe("filters and list queries", () => {
  it("chooses the KFP value kind from the value's type", () => {
    const when = new Date("2026-01-01T00:00:00Z");
    expect(
      JSON.parse(
        encodeFilter([
          { key: "state", op: "EQUALS", value: "SUCCEEDED" },
          { key: "created_at", op: "GREATER_THAN", value: when },
          { key: "n", op: "LESS_THAN", value: 5 },
          { key: "big", op: "LESS_THAN", value: 2 ** 40 },
          { key: "name", op: "IN", value: ["a", "b"] },
          { key: "n", op: "IN", value: [1, 2] },
        ]),
      ),
    ).toEqual({
      predicates: [
        { key: "state", operation: "EQUALS", string_value: "SUCCEEDED" },
        { key: "created_at", operation: "GREATER_THAN", timestamp_value: "2026-01-01T00:00:00.000Z" },
        { key: "n", operation: "LESS_THAN", int_value: 5 },
        { key: "big", operation: "LESS_THAN", long_value: String(2 ** 40) },
        { key: "name", operation: "IN", string_values: { values: ["a", "b"] } },
        { key: "n", operation: "IN", int_values: { values: [1, 2] } },
      ],
    });
  });

  it("builds the query string KFP expects", () => {
    const q = new URLSearchParams(
      listQuery({ sortBy: "created_at desc", pageSize: 50, pageToken: "t" }, { experiment_id: "e" }).slice(1),
    );
    expect(Object.fromEntries(q)).toEqual({
      sort_by: "created_at desc",
      page_size: "50",
      page_token: "t",
      experiment_id: "e",
    });
    expect(listQuery()).toBe("");
  });
});

describe("pipeline sources and hosts", () => {
  it.skipIf(!ADD_NUMBERS.present)(
    "reads a package file, YAML text, IR objects and functions returning IR",
    async () => {
      const file = ADD_NUMBERS.path;
      const fromFile = await resolvePipelineSource(file);
      expect(fromFile.pipelineSpec.pipelineInfo.name).toBe("add-numbers");
      expect((await resolvePipelineSource(fromFile.pipelineSpec)).pipelineSpec).toBe(fromFile.pipelineSpec);
      expect((await resolvePipelineSource(async () => fromFile)).pipelineSpec.pipelineInfo.name).toBe("add-numbers");
      await expect(resolvePipelineSource("missing.yaml")).rejects.toThrow(/missing\.yaml does not exist/);
    },
  );

  it("takes the remote host from --host or WEFT_HOST", () => {
    expect(remoteHost("http://a:1", { WEFT_HOST: "http://b:2" })).toBe("http://a:1");
    expect(remoteHost(undefined, { WEFT_HOST: "http://b:2" })).toBe("http://b:2");
    expect(remoteHost(undefined, {})).toBeUndefined();
    expect(() => new WeftClient({ host: "localhost:8888" })).toThrow(/must be an http:\/\/ or https:\/\/ URL/);
  });

  it("reports an unreachable server as CLIENT_NETWORK", async () => {
    const port = await new Promise<number>((res) => {
      const srv = createServer().listen(0, "127.0.0.1", () => {
        const addr = srv.address();
        srv.close(() => res(typeof addr === "object" && addr ? addr.port : 0));
      });
    });
    const err = await new WeftClient({ host: `http://127.0.0.1:${port}` }).healthz().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientError);
    expect((err as ClientError).code).toBe("CLIENT_NETWORK");
  });
});

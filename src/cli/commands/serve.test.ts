import { describe, expect, it } from "vitest";
import { CliError } from "../errors.ts";
import { type ServeCommandOptions, servePlan } from "./serve.ts";

const defaults: ServeCommandOptions = {
  host: "127.0.0.1",
  port: "8000",
  grpcPort: "8001",
  grpc: true,
  aliasInterval: "1000",
  maxBodyMb: "64",
};

function refusal(sources: string[], opts: Partial<ServeCommandOptions>): string {
  try {
    servePlan(sources, { ...defaults, ...opts });
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    return (err as CliError).message;
  }
  throw new Error("expected a refusal");
}

describe("weft serve options", () => {
  it("reads sources, ports, canary, shadow, transformers, batching overrides and the request log", () => {
    const plan = servePlan(["models:/fraud-detector@champion"], {
      ...defaults,
      port: "0",
      grpcPort: "0",
      canary: "challenger=10%",
      shadow: "fraud-detector:4",
      followAlias: true,
      transformer: ["./t.ts", "other=./o.ts"],
      workers: "2",
      maxBatchSize: "64",
      maxQueueDelayUs: "250",
      logSample: "0.1",
    });
    expect(plan).toEqual({
      specs: [{ source: "models:/fraud-detector@champion" }],
      host: "127.0.0.1",
      port: 0,
      grpcPort: 0,
      canary: { target: "challenger", percent: 10 },
      shadow: { model: "fraud-detector", target: "4" },
      followAliasMs: 1000,
      transformers: [{ file: "./t.ts" }, { model: "other", file: "./o.ts" }],
      workers: 2,
      maxBatchSize: 64,
      maxQueueDelayUs: 250,
      bodyLimitBytes: 64 * 1024 * 1024,
      requestLog: { sample: 0.1 },
    });
    const repo = servePlan(["./fraud.onnx"], { ...defaults, name: "fraud", repository: "./repo", grpc: false });
    expect(repo.specs).toEqual([
      { source: "./fraud.onnx", name: "fraud" },
      { source: "./repo", repository: true },
    ]);
    expect(repo.grpcPort).toBeUndefined();
    expect(servePlan(["m.onnx"], { ...defaults, requestLog: "r.log" }).requestLog).toEqual({
      file: "r.log",
      sample: 1,
    });
  });

  it("refuses bad options with a message naming the flag and what to write", () => {
    expect(refusal([], {})).toContain("nothing to serve");
    expect(refusal(["a.onnx", "b.onnx"], { name: "x" })).toContain("--name x names one model");
    expect(refusal(["a.onnx"], { port: "70000" })).toContain('--port "70000" must be an integer from 0 to 65535');
    expect(refusal(["a.onnx"], { port: "8000", grpcPort: "8000" })).toContain("--grpc-port 8000 is also --port");
    expect(refusal(["a.onnx"], { canary: "challenger" })).toContain("--canary challenger=10%");
    expect(refusal(["a.onnx"], { canary: "challenger=150%" })).toContain("percent from 0 to 100");
    expect(refusal(["a.onnx"], { shadow: "fraud:" })).toContain('--shadow "fraud:"');
    expect(refusal(["a.onnx"], { logSample: "2" })).toContain('--log-sample "2" must be a fraction from 0 to 1');
    expect(refusal(["a.onnx"], { workers: "0" })).toContain('--workers "0"');
    expect(refusal(["a.onnx"], { transformer: ["=x.ts"] })).toContain("[MODEL=]FILE.ts");
    expect(refusal(["a.onnx"], { host: "0.0.0.0" })).toContain("refusing to listen on --host 0.0.0.0");
    expect(servePlan(["a.onnx"], { ...defaults, host: "0.0.0.0", allowRemoteUnauthenticated: true }).host).toBe(
      "0.0.0.0",
    );
  });
});

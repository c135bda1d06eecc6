import { describe, expect, it } from "vitest";
import { Artifact, Dataset } from "./artifact.ts";
import { localPathToUri, uriToLocalPath } from "./uri.ts";

describe("uriToLocalPath", () => {
  it("maps remote object stores to their mounts as KFP does", () => {
    expect(uriToLocalPath("gs://bucket/run/model")).toBe("/gcs/bucket/run/model");
    expect(uriToLocalPath("s3://bucket/key/x.csv")).toBe("/s3/bucket/key/x.csv");
    expect(uriToLocalPath("minio://mlpipeline/v2/artifacts/a")).toBe("/minio/mlpipeline/v2/artifacts/a");
    expect(uriToLocalPath("oci://registry.io/org/model:v1")).toBe("/oci/registry.io_org_model:v1");
  });

  it("maps file URIs and plain paths to local paths as they are", () => {
    expect(uriToLocalPath("file:///x/y")).toBe("/x/y");
    expect(uriToLocalPath("file://localhost/x/y")).toBe("/x/y");
    expect(uriToLocalPath("file:///a%20b/c")).toBe("/a b/c");
    expect(uriToLocalPath("/tmp/plain")).toBe("/tmp/plain");
  });
});

describe("localPathToUri", () => {
  it("inverts the mounts", () => {
    expect(localPathToUri("/gcs/b/k")).toBe("gs://b/k");
    expect(localPathToUri("/s3/b/k")).toBe("s3://b/k");
    expect(localPathToUri("/minio/b/k")).toBe("minio://b/k");
    expect(localPathToUri("/oci/registry.io_org_model:v1")).toBe("oci://registry.io/org/model:v1");
    expect(localPathToUri("/oci/registry.io_org_model:v1/models")).toBe("oci://registry.io/org/model:v1");
  });

  it("keeps other paths, or makes file URIs on request, and round-trips", () => {
    expect(localPathToUri("/tmp/x")).toBe("/tmp/x");
    const uri = localPathToUri("/tmp/a b/100%/c", { file: true });
    expect(uri).toBe("file:///tmp/a%20b/100%25/c");
    expect(uriToLocalPath(uri)).toBe("/tmp/a b/100%/c");
  });
});

describe("Artifact.path", () => {
  it("reads through the URI mapping and writes back in the URI's own scheme", () => {
    const a = new Dataset({ uri: "gs://b/old" });
    expect(a.path).toBe("/gcs/b/old");
    a.path = "/gcs/b/new";
    expect(a.uri).toBe("gs://b/new");
    const local = new Artifact({ uri: "file:///data/one" });
    local.path = "/data/two";
    expect(local.uri).toBe("file:///data/two");
  });

  it("takes an absolute path as the URI, as the local engine hands it, and keeps it a path", () => {
    const a = new Dataset({ uri: "/home/u/.weft/artifacts/r/train/data" });
    expect(a.path).toBe("/home/u/.weft/artifacts/r/train/data");
    a.path = "/home/u/.weft/artifacts/r/train/data-2";
    expect(a.uri).toBe("/home/u/.weft/artifacts/r/train/data-2");
    expect(a.toJSON().uri).toBe("/home/u/.weft/artifacts/r/train/data-2");
  });

  it("carries schema titles on the class and on instances", () => {
    expect(Dataset.schemaTitle).toBe("system.Dataset");
    expect(Dataset.schemaVersion).toBe("0.0.1");
    expect(new Dataset().schemaTitle).toBe("system.Dataset");
    expect(new Artifact({}, { schemaTitle: "google.VertexModel" }).schemaTitle).toBe("google.VertexModel");
  });
});

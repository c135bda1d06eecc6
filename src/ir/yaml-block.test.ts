import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { sharedPath } from "../../test/shared-dir.ts";
import { readBlockYaml } from "./yaml-block.ts";

/** What the `yaml` package reads from `text` (the reference the fast reader must match). */
function reference(text: string): unknown[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((v) => v !== null && v !== undefined);
}

function read(text: string): unknown[] | undefined {
  const r = readBlockYaml(text);
  if (r && "duplicate" in r) throw new Error(`duplicate ${r.duplicate.key}`);
  return r?.values.filter((v) => v !== null && v !== undefined);
}

describe("readBlockYaml", () => {
  it("reads plain scalars as the YAML 1.2 core schema does", () => {
    const text = [
      "a: 1",
      "b: -2",
      "c: 1.0",
      "d: 1e3",
      "e: .inf",
      "f: -.Inf",
      "g: 0x1F",
      "h: 0o17",
      "i: true",
      "j: False",
      "k: null",
      "l: ~",
      "m:",
      "n: yes",
      "o: 2.1.0",
      "p: a#b",
      "q: x # comment",
      "r: gcr.io/x:latest",
      "s: '007'",
      "t: -ec",
      "u: 0b101",
      "v: -0x1F",
      "w: +0o17",
      "x: -.5",
      "y: 1e400",
      "z: 1_000",
    ].join("\n");
    expect(read(text)).toEqual(reference(text));
    expect(read(text)).toEqual([
      {
        a: 1,
        b: -2,
        c: 1,
        d: 1000,
        e: Number.POSITIVE_INFINITY,
        f: Number.NEGATIVE_INFINITY,
        g: 31,
        h: 15,
        i: true,
        j: false,
        k: null,
        l: null,
        m: null,
        n: "yes",
        o: "2.1.0",
        p: "a#b",
        q: "x",
        r: "gcr.io/x:latest",
        s: "007",
        t: "-ec",
        u: "0b101",
        v: "-0x1F",
        w: "+0o17",
        x: -0.5,
        y: Number.POSITIVE_INFINITY,
        z: "1_000",
      },
    ]);
  });

  it("reads multi-line plain and quoted scalars, escapes and literal blocks like the yaml package", () => {
    const text = `root:
  condition: int(inputs.parameter_values['x'])
    > 5
  single: 'it''s a
    folded

    line '
  double: "a\\tb \\"q\\" \\u00e9\\x41\\
    \\ continued
    next"
  list:
  - - nested
    - 2
  - key: v
    other: w
  -
  - |
    line one
      indented

    last
  - |-
    stripped
  - |+
    kept

  empty: {}
  none: []
  'quoted key': 1
  "dq": 2
---
platforms:
  kubernetes: {}
`;
    expect(read(text)).toEqual(reference(text));
  });

  it("reports the first duplicate key with its offset", () => {
    const text = "a:\n  b: 1\n  c: 2\n  b: 3\n";
    expect(readBlockYaml(text)).toEqual({ duplicate: { offset: text.lastIndexOf("b:"), key: "b" } });
    expect(readBlockYaml("a: 1\n'a': 2\n")).toEqual({ duplicate: { offset: 5, key: "a" } });
  });

  it.each([
    ["an anchor", "a: &x 1\nb: *x\n"],
    ["a tag", "a: !!str 1\n"],
    ["a flow mapping", "a: {b: 1}\n"],
    ["a folded block", "a: >\n  text\n"],
    ["a tab", "a:\tb\n"],
    ["CRLF line ends", "a: 1\r\nb: 2\r\n"],
    ["a nested mapping on one line", "a: b: c\n"],
    ["a numeric key", "1: a\n"],
    ["bad indentation", "a:\n    b: 1\n  c: 2\n"],
    ["an unclosed quote", "a: 'b\n"],
    ["a quoted continuation at the parent's indentation", "a:\n  - 'x\n  y'\n"],
  ])("leaves %s to the yaml package", (_what, text) => {
    expect(readBlockYaml(text)).toBeUndefined();
  });

  it("reads every pipeline file of the project and the corpus exactly as the yaml package does", () => {
    const root = resolve(import.meta.dirname, "../..");
    const corpus = sharedPath("kfp-conformance");
    const dirs = [join(root, "test"), join(root, "examples"), ...(corpus.present ? [corpus.path] : [])];
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (name === "node_modules") continue;
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.ya?ml$/.test(name)) files.push(path);
      }
    };
    for (const dir of dirs) walk(dir);
    let fast = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const got = read(text);
      if (got === undefined) continue;
      const docs = parseAllDocuments(text);
      if (docs.some((d) => d.errors.length > 0)) continue;
      expect(got, file).toEqual(reference(text));
      fast++;
    }
    expect(fast).toBeGreaterThan(files.length * 0.9);
  });
});

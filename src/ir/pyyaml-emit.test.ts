import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { emitPyYaml } from "./pyyaml-emit.ts";
import { plainIsString, pythonFloatRepr, pyyamlFloat } from "./pyyaml-scalar.ts";

describe("emitPyYaml", () => {
  it("writes block mappings with sorted keys, indentless sequences and flow empties", () => {
    const text = emitPyYaml({ b: [1, "x", { k: [] }], a: { z: {}, y: [[1, 2]] } });
    expect(text).toBe(
      ["a:", "  y:", "  - - 1.0", "    - 2.0", "  z: {}", "b:", "- 1.0", "- x", "- k: []", ""].join("\n"),
    );
  });

  it("writes integers only for the integer fields it is told about", () => {
    expect(
      emitPyYaml({ maxRetryCount: 3, backoffFactor: 2, constant: 0.5 }, { integerKeys: new Set(["maxRetryCount"]) }),
    ).toBe("backoffFactor: 2.0\nconstant: 0.5\nmaxRetryCount: 3\n");
  });

  it("quotes strings that would read back as other types (YAML 1.1 and 1.2)", () => {
    const values = ["yes", "off", "true", "null", "", "~", "1.0", "12", "0o17", "1e3", "0x1F", "2001-12-14", "=", "<<"];
    const text = emitPyYaml({ v: values });
    expect(text).toBe(`v:\n${values.map((v) => `- '${v}'`).join("\n")}\n`);
    expect(parse(text)).toEqual({ v: values });
  });

  it("uses single quotes for indicators and double quotes for escapes, like PyYAML", () => {
    expect(emitPyYaml({ a: "{{$}}", b: "- x", c: "a: b", d: "tab\there", e: "é", f: "it's", g: "# c" })).toBe(
      [`a: '{{$}}'`, `b: '- x'`, `c: 'a: b'`, `d: "tab\\there"`, `e: "\\xE9"`, `f: it's`, `g: '# c'`, ""].join("\n"),
    );
  });

  it("folds long plain scalars at 80 columns", () => {
    const words = Array.from({ length: 30 }, (_, i) => `word${i}`).join(" ");
    const text = emitPyYaml({ description: words });
    const lines = text.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[0]?.length).toBeGreaterThan(80);
    expect(lines.slice(1).every((l) => l.startsWith("  word"))).toBe(true);
    expect(parse(text)).toEqual({ description: words });
  });

  it("writes multi-line text single-quoted with blank lines, or double-quoted with escapes", () => {
    expect(emitPyYaml({ s: "one\ntwo\n" })).toBe("s: 'one\n\n  two\n\n  '\n");
    expect(emitPyYaml({ s: "a\n  b" })).toBe('s: "a\\n  b"\n');
  });

  it("folds a long string the same wherever it recurs, at each column as PyYAML does", () => {
    const text =
      "line with  some spaces and it's quoted 0 w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w end\nline with  some spaces and it's quoted 1 w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w end\nline with  some spaces and it's quoted 2 w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w end";
    // PyYAML 6: yaml.dump({"list": [text, [text], {"deep": {"k": text}}], "z": text}, sort_keys=True)
    expect(emitPyYaml({ list: [text, [text], { deep: { k: text } }], z: text })).toBe(
      "list:\n- 'line with  some spaces and it''s quoted 0 w w w w w w w w w w w w w w w w w w w\n  w w w w w w w w w w w end\n\n  line with  some spaces and it''s quoted 1 w w w w w w w w w w w w w w w w w w w\n  w w w w w w w w w w w end\n\n  line with  some spaces and it''s quoted 2 w w w w w w w w w w w w w w w w w w w\n  w w w w w w w w w w w end'\n- - 'line with  some spaces and it''s quoted 0 w w w w w w w w w w w w w w w w w w\n    w w w w w w w w w w w w end\n\n    line with  some spaces and it''s quoted 1 w w w w w w w w w w w w w w w w w w\n    w w w w w w w w w w w w end\n\n    line with  some spaces and it''s quoted 2 w w w w w w w w w w w w w w w w w w\n    w w w w w w w w w w w w end'\n- deep:\n    k: 'line with  some spaces and it''s quoted 0 w w w w w w w w w w w w w w w w\n      w w w w w w w w w w w w w w end\n\n      line with  some spaces and it''s quoted 1 w w w w w w w w w w w w w w w w w\n      w w w w w w w w w w w w w end\n\n      line with  some spaces and it''s quoted 2 w w w w w w w w w w w w w w w w w\n      w w w w w w w w w w w w w end'\nz: 'line with  some spaces and it''s quoted 0 w w w w w w w w w w w w w w w w w w\n  w w w w w w w w w w w w end\n\n  line with  some spaces and it''s quoted 1 w w w w w w w w w w w w w w w w w w w\n  w w w w w w w w w w w end\n\n  line with  some spaces and it''s quoted 2 w w w w w w w w w w w w w w w w w w w\n  w w w w w w w w w w w end'\n",
    );
  });

  it("counts an astral character as one column when folding double-quoted text", () => {
    const text = `${"\u{1F642} word ".repeat(14)}x\ty`;
    // PyYAML 6: yaml.dump({"a": [text, {"k": text}], "b": text}, sort_keys=True)
    expect(emitPyYaml({ a: [text, { k: text }], b: text })).toBe(
      'a:\n- "\\U0001F642 word \\U0001F642 word \\U0001F642 word \\U0001F642 word \\U0001F642 word\\\n  \\ \\U0001F642 word \\U0001F642 word \\U0001F642 word \\U0001F642 word \\U0001F642 word\\\n  \\ \\U0001F642 word \\U0001F642 word \\U0001F642 word \\U0001F642 word x\\ty"\n- k: "\\U0001F642 word \\U0001F642 word \\U0001F642 word \\U0001F642 word \\U0001F642 word\\\n    \\ \\U0001F642 word \\U0001F642 word \\U0001F642 word \\U0001F642 word \\U0001F642 word\\\n    \\ \\U0001F642 word \\U0001F642 word \\U0001F642 word \\U0001F642 word x\\ty"\nb: "\\U0001F642 word \\U0001F642 word \\U0001F642 word \\U0001F642 word \\U0001F642 word\\\n  \\ \\U0001F642 word \\U0001F642 word \\U0001F642 word \\U0001F642 word \\U0001F642 word\\\n  \\ \\U0001F642 word \\U0001F642 word \\U0001F642 word \\U0001F642 word x\\ty"\n',
    );
  });

  it("round-trips arbitrary strings through a YAML 1.2 reader", () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const alphabet = [
      "a",
      "b",
      " ",
      "  ",
      "\n",
      "'",
      '"',
      "\\",
      ":",
      "#",
      "-",
      "{",
      "}",
      "[",
      "]",
      ",",
      "\t",
      "é",
      "🙂",
      "1",
      ".",
      "e",
      "?",
      "!",
      "*",
      "&",
      "%",
      "@",
      "`",
      "|",
      ">",
    ];
    const strings = Array.from({ length: 400 }, () =>
      Array.from({ length: rand(120) }, () => alphabet[rand(alphabet.length)] ?? "").join(""),
    );
    const value = {
      list: strings,
      map: Object.fromEntries(strings.slice(0, 50).map((s, i) => [`k${i}${s.slice(0, 5)}`, s])),
    };
    expect(parse(emitPyYaml(value))).toEqual(value);
  });
});

describe("scalar helpers", () => {
  it("pyyamlFloat writes floats as PyYAML does", () => {
    expect(pyyamlFloat(1)).toBe("1.0");
    expect(pyyamlFloat(-0.25)).toBe("-0.25");
    expect(pyyamlFloat(1e-7)).toBe("1.0e-07");
    expect(pyyamlFloat(1.5e-7)).toBe("1.5e-07");
    expect(pyyamlFloat(1e20)).toBe("1.0e+20");
    expect(pyyamlFloat(0.0001)).toBe("0.0001");
    expect(pyyamlFloat(0.00001)).toBe("1.0e-05");
    expect(pyyamlFloat(1.25e-6)).toBe("1.25e-06");
    expect(pyyamlFloat(123456789012345680000)).toBe("1.2345678901234568e+20");
    expect(pyyamlFloat(1e15)).toBe("1000000000000000.0");
    expect(pyyamlFloat(1e16)).toBe("1.0e+16");
    expect(pyyamlFloat(Number.POSITIVE_INFINITY)).toBe(".inf");
    expect(pyyamlFloat(Number.NaN)).toBe(".nan");
  });

  it("pythonFloatRepr matches Python's repr", () => {
    expect(pythonFloatRepr(0.1)).toBe("0.1");
    expect(pythonFloatRepr(3)).toBe("3.0");
    expect(pythonFloatRepr(1e-5)).toBe("1e-05");
    expect(pythonFloatRepr(-2.5e17)).toBe("-2.5e+17");
  });

  it("plainIsString tells which plain texts read back as strings", () => {
    expect(plainIsString("hello")).toBe(true);
    expect(plainIsString("0.0.1")).toBe(true);
    expect(plainIsString("kfp-2.14.3")).toBe(true);
    expect(plainIsString("3")).toBe(false);
    expect(plainIsString("No")).toBe(false);
  });
});

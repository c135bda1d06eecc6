/**
 * Reading a parsed YAML document field by field: each failure is a TuningError naming the
 * file, the line and the YAML path (`spec.parameters[1].feasibleSpace.max`) and saying what
 * to do.
 */

import { type Document, LineCounter, parseAllDocuments } from "yaml";
import { TuningError, type TuningErrorCode } from "../errors.ts";

export type Segment = string | number;
export type Path = readonly Segment[];

export function pathString(path: Path): string {
  let out = "";
  for (const s of path) out += typeof s === "number" ? `[${s}]` : out === "" ? s : `.${s}`;
  return out;
}

export class Reader {
  readonly file: string;
  private readonly doc: Document | undefined;
  private readonly lines: LineCounter;

  private constructor(file: string, doc: Document | undefined, lines: LineCounter) {
    this.file = file;
    this.doc = doc;
    this.lines = lines;
  }

  /** Parses `text`, which must hold exactly one YAML document. */
  static parse(text: string, file: string): { reader: Reader; value: unknown } {
    const lines = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
    const empty = new Reader(file, undefined, lines);
    if (!Array.isArray(docs))
      empty.fail([], "the file is empty. Write a Katib `Experiment` (apiVersion: kubeflow.org/v1beta1).");
    const list = (docs as Document[]).filter((d) => d.contents !== null);
    for (const d of docs as Document[]) {
      const err = d.errors[0];
      if (err) {
        const pos = lines.linePos(err.pos[0]);
        throw new TuningError(
          "TUNING_SPEC_INVALID",
          `${file}:${pos.line}:${pos.col}: not valid YAML: ${err.message.split("\n")[0]}. Fix the YAML syntax.`,
        );
      }
    }
    if (list.length === 0)
      empty.fail([], "the file is empty. Write a Katib `Experiment` (apiVersion: kubeflow.org/v1beta1).");
    if (list.length > 1) empty.fail([], `the file holds ${list.length} YAML documents. Keep one Experiment per file.`);
    const doc = list[0] as Document;
    return { reader: new Reader(file, doc, lines), value: doc.toJS({ maxAliasCount: 100 }) };
  }

  /** `file:line: path: message` (the line of the field, or of its nearest present parent). */
  where(path: Path): string {
    let line: number | undefined;
    for (let n = path.length; n >= 0 && line === undefined && this.doc; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === "object" && node.range) line = this.lines.linePos(node.range[0]).line;
    }
    const at = pathString(path);
    return `${this.file}${line !== undefined ? `:${line}` : ""}${at ? `: ${at}` : ""}`;
  }

  fail(path: Path, message: string, code: TuningErrorCode = "TUNING_SPEC_INVALID"): never {
    throw new TuningError(code, `${this.where(path)}: ${message}`);
  }

  unsupported(path: Path, message: string): never {
    return this.fail(path, message, "TUNING_SPEC_UNSUPPORTED");
  }

  /** An object (mapping); `undefined` when absent and not required. */
  object(path: Path, v: unknown, required: true): Record<string, unknown>;
  object(path: Path, v: unknown, required?: boolean): Record<string, unknown> | undefined;
  object(path: Path, v: unknown, required = false): Record<string, unknown> | undefined {
    if (v === undefined || v === null) {
      if (required) this.fail(path, "is required. Add it.");
      return undefined;
    }
    if (typeof v !== "object" || Array.isArray(v))
      this.fail(path, `must be a mapping, got ${describe(v)}. Write it as \`key: value\` lines.`);
    return v as Record<string, unknown>;
  }

  array(path: Path, v: unknown, required = false): unknown[] {
    if (v === undefined || v === null) {
      if (required) this.fail(path, "is required. Add it as a list.");
      return [];
    }
    if (!Array.isArray(v)) this.fail(path, `must be a list, got ${describe(v)}. Write it as \`- item\` lines.`);
    return v;
  }

  /**
   * Checks an object's keys: `ignored` ones are read by a cluster only and skipped here,
   * `unsupported` ones are errors saying what to use instead, any other unknown key is an
   * error listing the known ones.
   */
  keys(
    path: Path,
    obj: Record<string, unknown>,
    known: readonly string[],
    unsupported: Readonly<Record<string, string>> = {},
    ignored: readonly string[] = [],
  ): void {
    for (const k of Object.keys(obj)) {
      if (known.includes(k) || ignored.includes(k)) continue;
      const why = unsupported[k];
      if (why !== undefined) this.unsupported([...path, k], why);
      this.fail([...path, k], `is not a field here. Remove it; the fields are ${known.join(", ")}.`);
    }
  }

  string(path: Path, v: unknown, required: true): string;
  string(path: Path, v: unknown, required?: boolean): string | undefined;
  string(path: Path, v: unknown, required = false): string | undefined {
    if (v === undefined || v === null || v === "") {
      if (required) this.fail(path, "is required. Add it.");
      return undefined;
    }
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    if (typeof v !== "string") this.fail(path, `must be a string, got ${describe(v)}.`);
    return v;
  }

  /** A number, written as Katib does (a string, `"0.01"`) or as a YAML number. */
  number(path: Path, v: unknown): number | undefined {
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v === "number") return v;
    if (typeof v === "string" && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) return Number(v);
    return this.fail(path, `${describe(v)} is not a number. Write a number such as "0.01".`);
  }

  integer(path: Path, v: unknown, min: number): number | undefined {
    const n = this.number(path, v);
    if (n !== undefined && (!Number.isInteger(n) || n < min))
      this.fail(path, `${n} is not an integer >= ${min}. Give a whole number.`);
    return n;
  }

  /** One of `allowed`; `undefined` when absent. */
  oneOf<T extends string>(path: Path, v: unknown, allowed: readonly T[]): T | undefined {
    const s = this.string(path, v);
    if (s === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(s))
      this.fail(path, `"${s}" is not allowed. Use one of ${allowed.join(", ")}.`);
    return s as T;
  }

  /** Katib's `[{name, value}]` settings as a record (names distinct, values strings). */
  settings(path: Path, v: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    this.array(path, v).forEach((item, i) => {
      const at = [...path, i];
      const o = this.object(at, item, true);
      this.keys(at, o, ["name", "value"]);
      const name = this.string([...at, "name"], o.name, true);
      if (name in out) this.fail([...at, "name"], `"${name}" is set twice. Set it once.`);
      out[name] = this.string([...at, "value"], o.value) ?? "";
    });
    return out;
  }
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `"${v}"`;
  return String(v);
}

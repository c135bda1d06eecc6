/**
 * A YAML writer that reproduces PyYAML's `yaml.dump(..., sort_keys=True)` output for
 * JSON data (block style, indentless sequences in mappings, 80-column folding of long
 * scalars), which is how the KFP compiler writes pipeline files.
 */
import { analyzeScalar, escapeChar, plainIsString, pyyamlFloat } from "./pyyaml-scalar.ts";

const BEST_WIDTH = 80;
const BREAKS = "\n\u0085\u2028\u2029";

/** Options of {@link emitPyYaml}. */
export interface EmitOptions {
  /** Keys whose integer values are written as integers; other numbers are written as floats, as protobuf `Value`s are. */
  integerKeys?: ReadonlySet<string>;
}

class Emitter {
  private out: string[] = [];
  private column = 0;
  private whitespace = true;
  private indention = true;

  constructor(private readonly integerKeys: ReadonlySet<string>) {}

  text(): string {
    return this.out.join("");
  }

  private write(data: string): void {
    this.column += data.length;
    this.out.push(data);
  }

  lineBreak(): void {
    this.out.push("\n");
    this.whitespace = true;
    this.indention = true;
    this.column = 0;
  }

  indent(indent: number): void {
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.lineBreak();
    if (this.column < indent) {
      this.whitespace = true;
      this.out.push(" ".repeat(indent - this.column));
      this.column = indent;
    }
  }

  indicator(ind: string, needWhitespace: boolean, whitespace = false, indention = false): void {
    this.write(this.whitespace || !needWhitespace ? ind : ` ${ind}`);
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
  }

  /** A node in block context; `indent` is the enclosing collection's indentation. */
  node(value: unknown, indent: number, mappingContext: boolean, key?: string): void {
    if (Array.isArray(value)) {
      if (value.length === 0) {
        this.indicator("[", true, true);
        this.indicator("]", false);
        return;
      }
      const seqIndent = mappingContext && !this.indention ? indent : indent + 2;
      for (const item of value) {
        this.indent(seqIndent);
        this.indicator("-", true, false, true);
        this.node(item, seqIndent, false);
      }
      return;
    }
    if (value !== null && typeof value === "object") {
      const keys = Object.keys(value)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort();
      if (keys.length === 0) {
        this.indicator("{", true, true);
        this.indicator("}", false);
        return;
      }
      for (const k of keys) {
        this.indent(indent + 2);
        this.scalar(k, indent + 4, true);
        this.indicator(":", false);
        this.node((value as Record<string, unknown>)[k], indent + 2, true, k);
      }
      return;
    }
    this.scalar(value, indent + 2, false, key);
  }

  /** Writes a scalar; `indent` is where continuation lines start. */
  scalar(value: unknown, indent: number, simpleKey: boolean, key?: string): void {
    if (typeof value !== "string") {
      let text: string;
      if (value === null || value === undefined) text = "null";
      else if (typeof value === "boolean") text = value ? "true" : "false";
      else if (typeof value === "number") {
        text =
          Number.isInteger(value) && key !== undefined && this.integerKeys.has(key)
            ? String(value)
            : pyyamlFloat(value);
      } else text = String(value);
      this.plain(Array.from(text), indent, false);
      return;
    }
    const chars = Array.from(value);
    const a = analyzeScalar(chars);
    if (plainIsString(value) && !(simpleKey && (a.empty || a.multiline)) && a.allowBlockPlain) {
      this.plain(chars, indent, !simpleKey);
    } else if (a.allowSingleQuoted && !(simpleKey && a.multiline)) {
      this.singleQuoted(chars, indent, !simpleKey);
    } else {
      this.doubleQuoted(chars, indent, !simpleKey);
    }
  }

  private plain(chars: string[], indent: number, split: boolean): void {
    if (chars.length === 0) return;
    if (!this.whitespace) this.write(" ");
    this.whitespace = false;
    this.indention = false;
    let spaces = false;
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = chars[end];
      if (spaces) {
        if (ch !== " ") {
          if (start + 1 === end && this.column > BEST_WIDTH && split) {
            this.indent(indent);
            this.whitespace = false;
            this.indention = false;
          } else {
            this.write(chars.slice(start, end).join(""));
          }
          start = end;
        }
      } else if (ch === undefined || ch === " " || BREAKS.includes(ch)) {
        this.write(chars.slice(start, end).join(""));
        start = end;
      }
      if (ch !== undefined) spaces = ch === " ";
    }
  }

  private singleQuoted(chars: string[], indent: number, split: boolean): void {
    this.indicator("'", true);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = chars[end];
      if (spaces) {
        if (ch !== " ") {
          if (start + 1 === end && this.column > BEST_WIDTH && split && start !== 0 && end !== chars.length) {
            this.indent(indent);
          } else {
            this.write(chars.slice(start, end).join(""));
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === undefined || !BREAKS.includes(ch)) {
          if (chars[start] === "\n") this.lineBreak();
          for (const br of chars.slice(start, end)) {
            if (br === "\n") this.lineBreak();
            else {
              this.out.push(br);
              this.whitespace = true;
              this.indention = true;
              this.column = 0;
            }
          }
          this.indent(indent);
          start = end;
        }
      } else if (ch === undefined || ch === " " || ch === "'" || BREAKS.includes(ch)) {
        if (start < end) {
          this.write(chars.slice(start, end).join(""));
          start = end;
        }
      }
      if (ch === "'") {
        this.write("''");
        start = end + 1;
      }
      if (ch !== undefined) {
        spaces = ch === " ";
        breaks = BREAKS.includes(ch);
      }
    }
    this.indicator("'", false);
  }

  private doubleQuoted(chars: string[], indent: number, split: boolean): void {
    this.indicator('"', true);
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = chars[end];
      const code = ch === undefined ? 0 : (ch.codePointAt(0) ?? 0);
      if (ch === undefined || '"\\\u0085\u2028\u2029\ufeff'.includes(ch) || !(code >= 0x20 && code <= 0x7e)) {
        if (start < end) {
          this.write(chars.slice(start, end).join(""));
          start = end;
        }
        if (ch !== undefined) {
          this.write(escapeChar(ch));
          start = end + 1;
        }
      }
      if (
        end > 0 &&
        end < chars.length - 1 &&
        (ch === " " || start >= end) &&
        this.column + (end - start) > BEST_WIDTH &&
        split
      ) {
        const data = `${chars.slice(start, end).join("")}\\`;
        if (start < end) start = end;
        this.write(data);
        this.indent(indent);
        this.whitespace = false;
        this.indention = false;
        if (chars[start] === " ") this.write("\\");
      }
    }
    this.indicator('"', false);
  }
}

/**
 * Writes one YAML document for `value` exactly as PyYAML's `yaml.dump(value,
 * sort_keys=True)` would (without a trailing document marker).
 */
export function emitPyYaml(value: unknown, options: EmitOptions = {}): string {
  const e = new Emitter(options.integerKeys ?? new Set());
  e.node(value, -2, false);
  e.lineBreak();
  return e.text();
}

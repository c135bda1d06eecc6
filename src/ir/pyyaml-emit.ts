/**
 * A YAML writer that reproduces PyYAML's `yaml.dump(..., sort_keys=True)` output for
 * JSON data (block style, indentless sequences in mappings, 80-column folding of long
 * scalars), which is how the KFP compiler writes pipeline files.
 */
import { analyzeScalar, escapeChar, plainIsString, pyyamlFloat } from "./pyyaml-scalar.ts";

const BEST_WIDTH = 80;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const QUOTE = 0x27;
/** Whether a UTF-16 code unit is a line break PyYAML knows (`\n`, NEL, LS, PS). */
function isBreakCode(c: number): boolean {
  return c === 0x0a || c === 0x85 || c === 0x2028 || c === 0x2029;
}

/** Strings at least this long have their rendering remembered for reuse. */
const MEMO_MIN_LENGTH = 256;

/** Flags of the styles a string allows (from {@link analyzeScalar} and {@link plainIsString}). */
const Style = { Plain: 1, SingleQuoted: 2, Multiline: 4, Empty: 8 } as const;

/** A remembered rendering of a long string scalar, with the writer state it starts and ends in. */
interface Rendered {
  indent: number;
  simpleKey: boolean;
  column: number;
  whitespace: boolean;
  indention: boolean;
  text: string;
  endColumn: number;
  endWhitespace: boolean;
  endIndention: boolean;
}

/** Options of {@link emitPyYaml}. */
export interface EmitOptions {
  /** Keys whose integer values are written as integers; other numbers are written as floats, as protobuf `Value`s are. */
  integerKeys?: ReadonlySet<string>;
}

class Emitter {
  /** Finished pieces of output; `line` is the text written since the last one. */
  private out: string[] = [];
  private line = "";
  private column = 0;
  private whitespace = true;
  private indention = true;
  private readonly memo = new Map<string, Rendered>();
  private readonly styles = new Map<string, number>();

  constructor(private readonly integerKeys: ReadonlySet<string>) {}

  text(): string {
    this.flush();
    return this.out.join("");
  }

  /** Moves the line being built into the output. */
  private flush(): void {
    if (this.line !== "") {
      this.out.push(this.line);
      this.line = "";
    }
  }

  private write(data: string): void {
    this.column += data.length;
    this.line += data;
  }

  lineBreak(): void {
    this.out.push(`${this.line}\n`);
    this.line = "";
    this.whitespace = true;
    this.indention = true;
    this.column = 0;
  }

  indent(indent: number): void {
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.lineBreak();
    if (this.column < indent) {
      this.whitespace = true;
      this.line += " ".repeat(indent - this.column);
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
      this.plain(text, indent, false);
      return;
    }
    if (value.length < MEMO_MIN_LENGTH) {
      this.stringScalar(value, indent, simpleKey);
      return;
    }
    // Long strings (bundled programs, scripts) recur in many executors: reuse their rendering
    // when the writer is in the same state, since the output depends on nothing else.
    const hit = this.memo.get(value);
    if (
      hit !== undefined &&
      hit.indent === indent &&
      hit.simpleKey === simpleKey &&
      hit.column === this.column &&
      hit.whitespace === this.whitespace &&
      hit.indention === this.indention
    ) {
      this.flush();
      this.out.push(hit.text);
      this.column = hit.endColumn;
      this.whitespace = hit.endWhitespace;
      this.indention = hit.endIndention;
      return;
    }
    this.flush();
    const mark = this.out.length;
    const before = { column: this.column, whitespace: this.whitespace, indention: this.indention };
    this.stringScalar(value, indent, simpleKey);
    this.flush();
    const text = this.out.slice(mark).join("");
    this.out.length = mark;
    this.out.push(text);
    this.memo.set(value, {
      indent,
      simpleKey,
      ...before,
      text,
      endColumn: this.column,
      endWhitespace: this.whitespace,
      endIndention: this.indention,
    });
  }

  /** PyYAML's style choice for a string, as {@link Style} flags; keys and enum values recur, so it is remembered. */
  private styleOf(value: string): number {
    let flags = this.styles.get(value);
    if (flags === undefined) {
      const a = analyzeScalar(value);
      flags =
        (a.allowBlockPlain && plainIsString(value) ? Style.Plain : 0) |
        (a.allowSingleQuoted ? Style.SingleQuoted : 0) |
        (a.multiline ? Style.Multiline : 0) |
        (a.empty ? Style.Empty : 0);
      this.styles.set(value, flags);
    }
    return flags;
  }

  private stringScalar(value: string, indent: number, simpleKey: boolean): void {
    const flags = this.styleOf(value);
    if (flags & Style.Plain && !(simpleKey && flags & (Style.Empty | Style.Multiline))) {
      this.plain(value, indent, !simpleKey);
    } else if (flags & Style.SingleQuoted && !(simpleKey && flags & Style.Multiline)) {
      this.singleQuoted(value, indent, !simpleKey);
    } else {
      this.doubleQuoted(value, indent, !simpleKey);
    }
  }

  /**
   * Plain style. Only printable ASCII reaches it (anything else is special, so quoted), so
   * code units are code points here.
   */
  private plain(text: string, indent: number, split: boolean): void {
    const n = text.length;
    if (n === 0) return;
    if (!this.whitespace) this.write(" ");
    this.whitespace = false;
    this.indention = false;
    let spaces = false;
    let start = 0;
    for (let end = 0; end <= n; end++) {
      const c = end < n ? text.charCodeAt(end) : -1;
      if (spaces) {
        if (c !== SPACE) {
          if (start + 1 === end && this.column > BEST_WIDTH && split) {
            this.indent(indent);
            this.whitespace = false;
            this.indention = false;
          } else {
            this.write(text.slice(start, end));
          }
          start = end;
        }
      } else if (c === -1 || c === SPACE || isBreakCode(c)) {
        this.write(text.slice(start, end));
        start = end;
      }
      if (c !== -1) spaces = c === SPACE;
    }
  }

  /** Single-quoted style; like plain, it only sees printable ASCII and `\n`. */
  private singleQuoted(text: string, indent: number, split: boolean): void {
    this.indicator("'", true);
    const n = text.length;
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= n; end++) {
      const c = end < n ? text.charCodeAt(end) : -1;
      if (spaces) {
        if (c !== SPACE) {
          if (start + 1 === end && this.column > BEST_WIDTH && split && start !== 0 && end !== n) {
            this.indent(indent);
          } else {
            this.write(text.slice(start, end));
          }
          start = end;
        }
      } else if (breaks) {
        if (c === -1 || !isBreakCode(c)) {
          if (text.charCodeAt(start) === NEWLINE) this.lineBreak();
          for (let j = start; j < end; j++) {
            if (text.charCodeAt(j) === NEWLINE) this.lineBreak();
            else {
              this.line += text.charAt(j);
              this.whitespace = true;
              this.indention = true;
              this.column = 0;
            }
          }
          this.indent(indent);
          start = end;
        }
      } else if (c === -1 || c === SPACE || c === QUOTE || isBreakCode(c)) {
        if (start < end) {
          this.write(text.slice(start, end));
          start = end;
        }
      }
      if (c === QUOTE) {
        this.write("''");
        start = end + 1;
      }
      if (c !== -1) {
        spaces = c === SPACE;
        breaks = isBreakCode(c);
      }
    }
    this.indicator("'", false);
  }

  /**
   * Double-quoted style, over code points: a surrogate pair is one character, escaped as
   * `\U…`. Unescaped runs are printable ASCII, so their code-unit lengths are their widths.
   */
  private doubleQuoted(text: string, indent: number, split: boolean): void {
    this.indicator('"', true);
    const n = text.length;
    let start = 0;
    let end = 0;
    for (;;) {
      const code = end < n ? (text.codePointAt(end) as number) : -1;
      const width = code > 0xffff ? 2 : 1;
      if (code === -1 || code === 0x22 || code === 0x5c || code < 0x20 || code > 0x7e) {
        if (start < end) {
          this.write(text.slice(start, end));
          start = end;
        }
        if (code !== -1) {
          this.write(escapeChar(String.fromCodePoint(code)));
          start = end + width;
        }
      }
      // `start > end` only right after an escape, one code point back.
      const pending = start > end ? -1 : end - start;
      if (
        end > 0 &&
        end + width < n &&
        (code === SPACE || start >= end) &&
        this.column + pending > BEST_WIDTH &&
        split
      ) {
        const data = `${text.slice(start, end)}\\`;
        if (start < end) start = end;
        this.write(data);
        this.indent(indent);
        this.whitespace = false;
        this.indention = false;
        if (text.charCodeAt(start) === SPACE) this.write("\\");
      }
      if (code === -1) break;
      end += width;
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

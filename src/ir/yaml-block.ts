/**
 * A one-pass reader for the block-style YAML that the KFP compiler (PyYAML) writes:
 * block mappings and sequences (including sequences at their key's indentation), plain,
 * single- and double-quoted scalars over several lines, literal block scalars (`|`),
 * empty flow collections (`{}`, `[]`), comments and `---` between documents. It builds
 * plain JavaScript values directly, checking duplicate keys with one hash lookup each,
 * so a 50 MB pipeline reads in linear time and without a syntax tree. Anything outside
 * that subset (anchors, aliases, tags, non-empty flow collections, folded scalars, tabs,
 * CR line ends, non-string keys) makes it answer `undefined`, and the caller reads the
 * file with the full `yaml` parser instead, which also reports every syntax error.
 * Scalars resolve as the `yaml` package's YAML 1.2 core schema does.
 *
 * js-yaml was measured in its place (same run, the 45,500-task, 53 MB file of
 * `bench/validate`): as fast, but it parses a second copy of the text (its input with a
 * terminator appended), and reading plus validating peaked at 521 to 540 MB against 419
 * to 459 MB with this reader, over the 500 MB goal. Its core schema also differs from the
 * `yaml` package's: `0b101`, `-0x1F` and `+0o17` are numbers there, `-.5` and `1e400`
 * strings.
 */

/** The outcome of {@link readBlockYaml}. */
export type BlockYamlResult = { values: unknown[] } | { duplicate: { offset: number; key: string } } | undefined;

/** Raised inside the reader when the text leaves the supported subset. */
class Unsupported extends Error {}

/** Raised inside the reader when a mapping repeats a key. */
class Duplicate extends Error {
  constructor(
    readonly offset: number,
    readonly key: string,
  ) {
    super(key);
  }
}

const NL = 10;
const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const SQUOTE = 39;
const DQUOTE = 34;

const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const OCT = /^0o[0-7]+$/;
const HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const INF_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

/** First characters of the plain scalars that are not strings (null, booleans, numbers). */
const MAYBE_TYPED = /^[-+.0-9~nNtTfF]/;

/** A plain scalar's value under the YAML 1.2 core schema (as the `yaml` package reads it). */
function resolvePlain(s: string): unknown {
  if (s !== "" && !MAYBE_TYPED.test(s)) return s;
  if (NULL.test(s)) return null;
  if (BOOL.test(s)) return s[0] === "t" || s[0] === "T";
  if (INT.test(s)) return Number.parseInt(s, 10);
  if (OCT.test(s)) return Number.parseInt(s.slice(2), 8);
  if (HEX.test(s)) return Number.parseInt(s.slice(2), 16);
  if (FLOAT.test(s)) return Number.parseFloat(s);
  if (INF_NAN.test(s)) {
    if (s.endsWith("nan") || s.endsWith("NaN") || s.endsWith("NAN")) return Number.NaN;
    return s[0] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  return s;
}

const ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  t: "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  e: "\x1b",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

class Reader {
  private readonly text: string;
  private readonly n: number;
  /** Position of the current content (first non-space character of a line, or mid-line). */
  private p = 0;
  /** Start of the line holding `p`. */
  private ls = 0;
  /** Column of `p`; -1 at the end of the text or at a document marker. */
  private ind = -1;
  /** `---` when `p` is at a document-start marker. */
  private marker = false;

  constructor(text: string) {
    this.text = text;
    this.n = text.length;
  }

  documents(): unknown[] {
    const values: unknown[] = [];
    this.toContent(0);
    for (;;) {
      if (this.marker) {
        this.p += 3;
        this.skipSpaces();
        this.endOfLine();
        continue;
      }
      if (this.p >= this.n) return values;
      const c = this.text.charCodeAt(this.p);
      if (this.ind !== 0 || c === 37 /* % */) throw new Unsupported();
      if (this.text.startsWith("...", this.p)) throw new Unsupported();
      values.push(this.node(-1));
      if (this.p < this.n && !this.marker) throw new Unsupported();
    }
  }

  /** Moves to the first content of the line starting at `from` or a later one. */
  private toContent(from: number): void {
    const { text, n } = this;
    let ls = from;
    for (;;) {
      let i = ls;
      while (i < n && text.charCodeAt(i) === SPACE) i++;
      if (i >= n) {
        this.p = n;
        this.ls = ls;
        this.ind = -1;
        this.marker = false;
        return;
      }
      const c = text.charCodeAt(i);
      if (c === NL || c === HASH) {
        const eol = text.indexOf("\n", i);
        if (eol === -1) {
          this.p = n;
          this.ind = -1;
          this.marker = false;
          return;
        }
        ls = eol + 1;
        continue;
      }
      this.p = i;
      this.ls = ls;
      this.ind = i - ls;
      this.marker = false;
      if (this.ind === 0 && (text.startsWith("---", i) || text.startsWith("...", i))) {
        const after = text.charCodeAt(i + 3);
        if (Number.isNaN(after) || after === NL || after === SPACE) {
          if (text[i] === ".") throw new Unsupported();
          this.marker = true;
          this.ind = -1;
        }
      }
      return;
    }
  }

  private skipSpaces(): number {
    const start = this.p;
    while (this.p < this.n && this.text.charCodeAt(this.p) === SPACE) this.p++;
    return this.p - start;
  }

  /** After a value: only spaces and a comment may follow on its line; moves to the next content. */
  private endOfLine(): void {
    const skipped = this.skipSpaces();
    if (this.p >= this.n) {
      this.toContent(this.n);
      return;
    }
    const c = this.text.charCodeAt(this.p);
    if (c === HASH && skipped === 0) throw new Unsupported();
    if (c !== NL && c !== HASH) throw new Unsupported();
    const eol = this.text.indexOf("\n", this.p);
    this.toContent(eol === -1 ? this.n : eol + 1);
  }

  private isSeqItem(): boolean {
    if (this.text.charCodeAt(this.p) !== DASH) return false;
    const next = this.text.charCodeAt(this.p + 1);
    return Number.isNaN(next) || next === SPACE || next === NL;
  }

  /** The node at `p` (column `ind`), inside a parent at column `parent`. */
  private node(parent: number): unknown {
    if (this.isSeqItem()) return this.sequence(this.ind);
    if (this.keyHere() !== undefined) return this.mapping(this.ind);
    return this.scalar(parent);
  }

  /** The key at `p` and the position just after its `:`, when `p` starts a mapping entry. */
  private keyHere(): { key: string; after: number } | undefined {
    const { text, p } = this;
    const c = text.charCodeAt(p);
    if (c === SQUOTE || c === DQUOTE) {
      const save = this.p;
      const saveLs = this.ls;
      const eol = text.indexOf("\n", p);
      const key = c === SQUOTE ? this.singleQuoted(-1, true) : this.doubleQuoted(-1, true);
      let i = this.p;
      this.p = save;
      this.ls = saveLs;
      if (key === undefined || (eol !== -1 && i > eol)) return undefined;
      while (text.charCodeAt(i) === SPACE) i++;
      if (text.charCodeAt(i) !== COLON) return undefined;
      const after = text.charCodeAt(i + 1);
      if (!(Number.isNaN(after) || after === SPACE || after === NL)) return undefined;
      if (key === "__proto__") throw new Unsupported();
      return { key, after: i + 1 };
    }
    if ("[]{},#&*!|>%@`?".includes(text[p] as string)) return undefined;
    let i = p;
    for (; i < this.n; i++) {
      const ch = text.charCodeAt(i);
      if (ch === NL) return undefined;
      if (ch === SPACE && text.charCodeAt(i + 1) === HASH) return undefined;
      if (ch === COLON) {
        const after = text.charCodeAt(i + 1);
        if (Number.isNaN(after) || after === SPACE || after === NL) break;
      }
    }
    if (i >= this.n) return undefined;
    const key = text.slice(p, i).trimEnd();
    if (key === "__proto__" || resolvePlain(key) !== key) throw new Unsupported();
    return { key, after: i + 1 };
  }

  private mapping(col: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    while (this.ind === col && !this.isSeqItem()) {
      const start = this.p;
      const entry = this.keyHere();
      if (!entry) throw new Unsupported();
      if (Object.hasOwn(out, entry.key)) throw new Duplicate(start, entry.key);
      this.p = entry.after;
      const skipped = this.skipSpaces();
      const c = this.text.charCodeAt(this.p);
      let value: unknown = null;
      if (Number.isNaN(c) || c === NL || (c === HASH && skipped > 0)) {
        const eol = this.text.indexOf("\n", this.p);
        this.toContent(eol === -1 ? this.n : eol + 1);
        if (this.ind > col) value = this.node(col);
        else if (this.ind === col && this.isSeqItem()) value = this.sequence(col);
      } else {
        this.ind = this.p - this.ls;
        if (this.isSeqItem() || this.keyHere() !== undefined) throw new Unsupported();
        value = this.scalar(col);
      }
      out[entry.key] = value;
    }
    if (this.ind > col) throw new Unsupported();
    return out;
  }

  private sequence(col: number): unknown[] {
    const out: unknown[] = [];
    while (this.ind === col && this.isSeqItem()) {
      this.p++;
      const skipped = this.skipSpaces();
      const c = this.text.charCodeAt(this.p);
      if (Number.isNaN(c) || c === NL || (c === HASH && skipped > 0)) {
        const eol = this.text.indexOf("\n", this.p);
        this.toContent(eol === -1 ? this.n : eol + 1);
        out.push(this.ind > col ? this.node(col) : null);
      } else {
        this.ind = this.p - this.ls;
        out.push(this.node(col));
      }
    }
    if (this.ind > col) throw new Unsupported();
    return out;
  }

  /** A scalar (or empty flow collection) at `p`; `parent` is the column continuation lines must exceed. */
  private scalar(parent: number): unknown {
    const { text } = this;
    const c = text[this.p] as string;
    if (c === "'") {
      const v = this.singleQuoted(parent, false);
      this.endOfLine();
      return v;
    }
    if (c === '"') {
      const v = this.doubleQuoted(parent, false);
      this.endOfLine();
      return v;
    }
    if (c === "|") return this.literal(parent);
    if (c === "{" || c === "[") {
      const empty = c === "{" ? "{}" : "[]";
      if (!text.startsWith(empty, this.p)) throw new Unsupported();
      this.p += 2;
      this.endOfLine();
      return c === "{" ? {} : [];
    }
    if ("]},&*!>%@`?".includes(c)) throw new Unsupported();
    return this.plain(parent);
  }

  private plain(parent: number): unknown {
    const { text, n } = this;
    let eol = text.indexOf("\n", this.p);
    if (eol === -1) eol = n;
    let line = text.slice(this.p, eol);
    const hash = line.indexOf(" #");
    if (hash !== -1) line = line.slice(0, hash);
    line = line.trimEnd();
    if (line.includes(": ") || line.endsWith(":")) throw new Unsupported();
    let value = line;
    let next = eol + 1;
    if (hash === -1) {
      // continuation lines, more indented than the parent, folded with spaces
      let blanks = 0;
      let pos = next;
      while (pos < n) {
        let i = pos;
        while (i < n && text.charCodeAt(i) === SPACE) i++;
        if (i >= n) break;
        if (text.charCodeAt(i) === NL) {
          blanks++;
          pos = i + 1;
          continue;
        }
        if (i - pos <= parent) break;
        if (i === pos && (text.startsWith("---", i) || text.startsWith("...", i))) break;
        let end = text.indexOf("\n", i);
        if (end === -1) end = n;
        const more = text.slice(i, end).trimEnd();
        if (text.charCodeAt(i) === HASH || more.includes(" #") || more.includes(": ") || more.endsWith(":")) {
          throw new Unsupported();
        }
        value += blanks === 0 ? ` ${more}` : "\n".repeat(blanks) + more;
        blanks = 0;
        next = end + 1;
        pos = end + 1;
      }
    }
    this.toContent(Math.min(next, n));
    return value === line ? resolvePlain(value) : value;
  }

  /** The line break(s) inside a quoted scalar at `i`: folded text and the next content position. */
  private fold(i: number, parent: number): { text: string; next: number } {
    const { text, n } = this;
    let blanks = 0;
    let pos = i + 1;
    for (;;) {
      let j = pos;
      while (j < n && text.charCodeAt(j) === SPACE) j++;
      if (j >= n) throw new Unsupported();
      if (text.charCodeAt(j) === NL) {
        blanks++;
        pos = j + 1;
        continue;
      }
      if (j - pos <= parent) throw new Unsupported();
      if (j === pos && (text.startsWith("---", j) || text.startsWith("...", j))) throw new Unsupported();
      this.ls = pos;
      return { text: blanks === 0 ? " " : "\n".repeat(blanks), next: j };
    }
  }

  private singleQuoted(parent: number, oneLine: boolean): string | undefined {
    const { text } = this;
    let i = this.p + 1;
    let out = "";
    for (;;) {
      const q = text.indexOf("'", i);
      const nl = text.indexOf("\n", i);
      if (q === -1) throw new Unsupported();
      if (nl !== -1 && nl < q) {
        if (oneLine) return undefined;
        out += text.slice(i, nl);
        let end = out.length;
        while (end > 0 && out.charCodeAt(end - 1) === SPACE) end--;
        out = out.slice(0, end);
        const f = this.fold(nl, parent);
        out += f.text;
        i = f.next;
        continue;
      }
      out += text.slice(i, q);
      if (text.charCodeAt(q + 1) === SQUOTE) {
        out += "'";
        i = q + 2;
        continue;
      }
      this.p = q + 1;
      return out;
    }
  }

  private doubleQuoted(parent: number, oneLine: boolean): string | undefined {
    const { text, n } = this;
    let i = this.p + 1;
    let out = "";
    /** Length of `out` that line folding must not trim (up to the last escape). */
    let kept = 0;
    for (;;) {
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === DQUOTE || c === 92 /* \ */ || c === NL) break;
        j++;
      }
      if (j >= n) throw new Unsupported();
      out += text.slice(i, j);
      const c = text.charCodeAt(j);
      if (c === DQUOTE) {
        this.p = j + 1;
        return out;
      }
      if (c === NL) {
        if (oneLine) return undefined;
        let end = out.length;
        while (end > kept && out.charCodeAt(end - 1) === SPACE) end--;
        out = out.slice(0, end);
        const f = this.fold(j, parent);
        out += f.text;
        i = f.next;
        continue;
      }
      const e = text[j + 1] as string;
      if (e === "\n") {
        if (oneLine) return undefined;
        // an escaped line break: joined without a space, leading spaces of the next line dropped
        let k = j + 2;
        while (k < n && text.charCodeAt(k) === SPACE) k++;
        if (k >= n || text.charCodeAt(k) === NL || k - (j + 2) <= parent) throw new Unsupported();
        this.ls = j + 2;
        kept = out.length;
        i = k;
        continue;
      }
      const len = HEX_LENGTH[e];
      if (len !== undefined) {
        const hex = text.slice(j + 2, j + 2 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw new Unsupported();
        out += String.fromCodePoint(Number.parseInt(hex, 16));
        i = j + 2 + len;
      } else {
        const s = ESCAPES[e];
        if (s === undefined) throw new Unsupported();
        out += s;
        i = j + 2;
      }
      kept = out.length;
    }
  }

  /** A literal block scalar (`|`, `|-`, `|+`), content indentation detected. */
  private literal(parent: number): string {
    const { text, n } = this;
    let i = this.p + 1;
    let chomp = "";
    const h = text[i];
    if (h === "-" || h === "+") {
      chomp = h;
      i++;
    }
    this.p = i;
    const skipped = this.skipSpaces();
    const c = this.text.charCodeAt(this.p);
    if (!(Number.isNaN(c) || c === NL || (c === HASH && skipped > 0))) throw new Unsupported();
    let pos = text.indexOf("\n", this.p);
    pos = pos === -1 ? n : pos + 1;
    const lines: string[] = [];
    let indent = -1;
    while (pos < n) {
      let j = pos;
      while (j < n && text.charCodeAt(j) === SPACE) j++;
      let end = text.indexOf("\n", pos);
      if (end === -1) end = n;
      const blank = j >= end;
      if (!blank) {
        if (indent === -1) {
          if (j - pos <= parent) break;
          indent = j - pos;
          if (lines.some((l) => l.length > indent)) throw new Unsupported();
        } else if (j - pos < indent) {
          break;
        }
      }
      lines.push(text.slice(pos, end));
      pos = end + 1;
      if (end === n) break;
    }
    const body = lines.map((l) => (indent === -1 ? "" : l.slice(Math.min(indent, l.length))));
    let value = body.join("\n");
    if (lines.length > 0 && pos <= n && text.charCodeAt(pos - 1) === NL) value += "\n";
    if (chomp === "-") value = value.replace(/\n+$/, "");
    else if (chomp === "") value = value.replace(/\n+$/, value.trim() === "" ? "" : "\n");
    this.toContent(Math.min(pos, n));
    return value;
  }
}

/**
 * Reads `text` when it is in the block style KFP writes: every document's value, or the
 * first duplicate key (its offset and name), or `undefined` when the text uses YAML this
 * reader leaves to the full parser.
 */
export function readBlockYaml(text: string): BlockYamlResult {
  if (text.includes("\t") || text.includes("\r") || text.charCodeAt(0) === 0xfeff) return undefined;
  try {
    return { values: new Reader(text).documents() };
  } catch (err) {
    if (err instanceof Duplicate) return { duplicate: { offset: err.offset, key: err.key } };
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

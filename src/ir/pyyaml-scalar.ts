/**
 * Scalar analysis and quoting rules of PyYAML's emitter (the library the KFP compiler
 * writes pipeline files with), so that Weft writes byte-for-byte the same YAML.
 */

/** Which styles PyYAML allows for a scalar (`Emitter.analyze_scalar`). */
export interface ScalarAnalysis {
  empty: boolean;
  multiline: boolean;
  allowBlockPlain: boolean;
  allowSingleQuoted: boolean;
}

const EMPTY: ScalarAnalysis = { empty: true, multiline: false, allowBlockPlain: true, allowSingleQuoted: true };
/** Text that is printable ASCII without a space, `:` or `#` after the first character: always plain-safe past it. */
const SIMPLE_TAIL = /^.[!"$-9;-~]*$/s;
const ANY_BREAK = /[\n\u0085\u2028\u2029]/;

/** Whether a UTF-16 code unit is a line break PyYAML knows (`\n`, NEL, LS, PS). */
function isBreakCode(c: number): boolean {
  return c === 0x0a || c === 0x85 || c === 0x2028 || c === 0x2029;
}

/** Whether a code unit is a space, tab, line break or NUL, or past the end (`NaN`). */
function isSpaceOrEnd(c: number): boolean {
  return Number.isNaN(c) || c === 0x20 || c === 0x09 || c === 0x0d || c === 0x00 || isBreakCode(c);
}

/** Characters that make a scalar a block indicator when they come first. */
function isFirstIndicator(c: number): boolean {
  // # , [ ] { } & * ! | > ' " % @ `
  return (
    c === 0x23 ||
    c === 0x2c ||
    c === 0x5b ||
    c === 0x5d ||
    c === 0x7b ||
    c === 0x7d ||
    c === 0x26 ||
    c === 0x2a ||
    c === 0x21 ||
    c === 0x7c ||
    c === 0x3e ||
    c === 0x27 ||
    c === 0x22 ||
    c === 0x25 ||
    c === 0x40 ||
    c === 0x60
  );
}

/**
 * Port of PyYAML `Emitter.analyze_scalar` (with `allow_unicode=False`). It runs over UTF-16
 * code units: a surrogate is neither a space, a break nor an indicator, and makes the text
 * special exactly as the astral character it belongs to would, so the result is the same
 * as over code points.
 */
export function analyzeScalar(text: string): ScalarAnalysis {
  const n = text.length;
  if (n === 0) return EMPTY;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(n - 1);
  let blockIndicators = text.startsWith("---") || text.startsWith("...");
  if (isFirstIndicator(first)) blockIndicators = true;
  if ((first === 0x3f || first === 0x3a || first === 0x2d) && isSpaceOrEnd(text.charCodeAt(1))) blockIndicators = true;
  const edgeSpace = first === 0x20 || last === 0x20 || isBreakCode(first) || isBreakCode(last);
  if (SIMPLE_TAIL.test(text) && first >= 0x20 && first <= 0x7e) {
    // Printable ASCII with no space, break, `:` or `#` after the first character.
    return { empty: false, multiline: false, allowBlockPlain: !blockIndicators && !edgeSpace, allowSingleQuoted: true };
  }
  let lineBreaks = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWs = true;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (!(c === 0x0a || (c >= 0x20 && c <= 0x7e))) {
      // Special: neither plain nor single-quoted is allowed; only the line breaks still matter.
      return { empty: false, multiline: ANY_BREAK.test(text), allowBlockPlain: false, allowSingleQuoted: false };
    }
    if (i > 0) {
      if (c === 0x3a && isSpaceOrEnd(text.charCodeAt(i + 1))) blockIndicators = true;
      if (c === 0x23 && precededByWs) blockIndicators = true;
    }
    if (c === 0x20) {
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (c === 0x0a) {
      lineBreaks = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWs = c === 0x20 || c === 0x0a;
  }
  let allowBlockPlain = !edgeSpace;
  let allowSingleQuoted = true;
  if (breakSpace || spaceBreak) allowBlockPlain = allowSingleQuoted = false;
  if (lineBreaks || blockIndicators) allowBlockPlain = false;
  return { empty: false, multiline: lineBreaks, allowBlockPlain, allowSingleQuoted };
}

// YAML 1.1 implicit types (PyYAML's resolver): a string matching one must be quoted.
const YAML11 = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:<<)$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/,
  /^(?:=)$/,
];
// YAML 1.2 core types (what YAML 1.2 readers resolve): quoted as well, so both read a string.
const YAML12 = [
  /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/,
  /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
];

/** Whether a plain (unquoted) scalar with this text would be read back as a string. */
export function plainIsString(text: string): boolean {
  return !YAML11.some((re) => re.test(text)) && !YAML12.some((re) => re.test(text));
}

/** Python's `repr` of a finite float: shortest digits, exponent form below 1e-4 and from 1e16. */
export function pythonFloatRepr(n: number): string {
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0";
  const [mantissa = "", expText = "0"] = n.toExponential().split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  const text = String(n);
  return text.includes(".") ? text : `${text}.0`;
}

/** PyYAML's representation of a float: `repr(x).lower()`, with `.0` added before an exponent. */
export function pyyamlFloat(n: number): string {
  if (Number.isNaN(n)) return ".nan";
  if (!Number.isFinite(n)) return n > 0 ? ".inf" : "-.inf";
  const text = pythonFloatRepr(n);
  return !text.includes(".") && text.includes("e") ? text.replace("e", ".0e") : text;
}

/** PyYAML's double-quoted escapes. */
export const ESCAPES: Readonly<Record<string, string>> = {
  "\0": "0",
  "\x07": "a",
  "\b": "b",
  "\t": "t",
  "\n": "n",
  "\v": "v",
  "\f": "f",
  "\r": "r",
  "\x1b": "e",
  '"': '"',
  "\\": "\\",
  "\u0085": "N",
  "\u00a0": "_",
  "\u2028": "L",
  "\u2029": "P",
};

/** The escape PyYAML writes for a character that cannot appear raw in a double-quoted scalar. */
export function escapeChar(ch: string): string {
  const named = ESCAPES[ch];
  if (named !== undefined) return `\\${named}`;
  const code = ch.codePointAt(0) ?? 0;
  if (code <= 0xff) return `\\x${code.toString(16).toUpperCase().padStart(2, "0")}`;
  if (code <= 0xffff) return `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return `\\U${code.toString(16).toUpperCase().padStart(8, "0")}`;
}

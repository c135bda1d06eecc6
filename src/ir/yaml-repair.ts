/**
 * Leniency for YAML that PyYAML accepts but YAML 1.2 parsers reject: multi-line quoted
 * scalars inside an indented block sequence whose continuation lines are indented only
 * as far as the `-` (some KFP-compiled files have them). Continuation lines of a quoted
 * scalar may carry any extra indentation without changing the value, so we indent them.
 */

const OPENER = /^(\s*)(?:-\s+|(?:[^\s'"#][^'"#]*?|'[^']*'|"[^"]*"):\s+|-\s+[^'"#\s][^'"#]*?:\s+)(["'])/;

/** Index just past the closing quote of the scalar opened at `start`, or -1. */
function closingQuote(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i];
    if (quote === '"' && ch === "\\") {
      i++;
      continue;
    }
    if (ch === quote) {
      if (quote === "'" && text[i + 1] === "'") {
        i++;
        continue;
      }
      return i + 1;
    }
  }
  return -1;
}

/**
 * Returns `text` with the continuation lines of multi-line quoted scalars indented two
 * more spaces (blank lines untouched), or `undefined` when nothing needed changing.
 */
export function reindentQuotedContinuations(text: string): string | undefined {
  let out = "";
  let pos = 0;
  let changed = false;
  while (pos < text.length) {
    const eol = text.indexOf("\n", pos);
    const lineEnd = eol === -1 ? text.length : eol;
    const line = text.slice(pos, lineEnd);
    const m = OPENER.exec(line);
    if (!m || line.trimStart().startsWith("#")) {
      out += text.slice(pos, eol === -1 ? text.length : eol + 1);
      pos = eol === -1 ? text.length : eol + 1;
      continue;
    }
    const quoteAt = pos + m[0].length - 1;
    const end = closingQuote(text, quoteAt);
    if (end === -1 || end <= lineEnd) {
      out += text.slice(pos, eol === -1 ? text.length : eol + 1);
      pos = eol === -1 ? text.length : eol + 1;
      continue;
    }
    const scalar = text.slice(pos, end);
    const fixed = scalar.replace(/\n(?=[^\n])/g, "\n  ");
    if (fixed !== scalar) changed = true;
    out += fixed;
    pos = end;
  }
  return changed ? out : undefined;
}

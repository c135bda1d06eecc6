/**
 * The source map a component's bundle carries inline, so that `node --enable-source-maps`
 * (the launcher's node) reports a thrown error at the user's `.ts` file and line.
 *
 * esbuild maps the whole bundle, and most of it is Weft's own executor and SDK. The map
 * kept here covers only the project's sources (paths relative to the project root, no
 * `sourcesContent`); positions in the rest of the bundle are marked unmapped, so they
 * keep their bundle positions instead of borrowing a neighbouring user line. That keeps
 * the map a small fraction of the bundle, and the IR free of absolute paths.
 */

/** A source map v3 as esbuild writes it. */
export interface RawSourceMap {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
  sourcesContent?: (string | null)[];
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Decodes one segment's base64 VLQ fields. */
function decodeSegment(text: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of text) {
    const digit = B64_INDEX.get(ch);
    if (digit === undefined) throw new Error(`source map: bad VLQ character '${ch}'`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    out.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
    value = 0;
    shift = 0;
  }
  return out;
}

function encodeVlq(n: number): string {
  let v = n < 0 ? -n * 2 + 1 : n * 2;
  let s = "";
  do {
    let digit = v % 32;
    v = Math.floor(v / 32);
    if (v > 0) digit |= 32;
    s += B64[digit];
  } while (v > 0);
  return s;
}

/** A decoded segment: the generated column, then source, line, column and name when mapped. */
type Segment = number[];

function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let src = 0;
  let srcLine = 0;
  let srcCol = 0;
  let name = 0;
  for (const lineText of mappings.split(";")) {
    const line: Segment[] = [];
    let col = 0;
    for (const segText of lineText.split(",")) {
      if (segText === "") continue;
      const f = decodeSegment(segText);
      col += f[0] ?? 0;
      if (f.length < 4) {
        line.push([col]);
        continue;
      }
      src += f[1] ?? 0;
      srcLine += f[2] ?? 0;
      srcCol += f[3] ?? 0;
      if (f.length >= 5) {
        name += f[4] ?? 0;
        line.push([col, src, srcLine, srcCol, name]);
      } else line.push([col, src, srcLine, srcCol]);
    }
    lines.push(line);
  }
  return lines;
}

function encodeMappings(lines: Segment[][]): string {
  let src = 0;
  let srcLine = 0;
  let srcCol = 0;
  let name = 0;
  return lines
    .map((line) => {
      let col = 0;
      return line
        .map((seg) => {
          const [genCol = 0, s1, l1, c1, n1] = seg;
          let s = encodeVlq(genCol - col);
          col = genCol;
          if (s1 !== undefined && l1 !== undefined && c1 !== undefined) {
            s += encodeVlq(s1 - src) + encodeVlq(l1 - srcLine) + encodeVlq(c1 - srcCol);
            src = s1;
            srcLine = l1;
            srcCol = c1;
            if (n1 !== undefined) {
              s += encodeVlq(n1 - name);
              name = n1;
            }
          }
          return s;
        })
        .join(",");
    })
    .join(";");
}

/** Options of {@link trimSourceMap}. */
export interface TrimOptions {
  /** Whether positions in this source (as the map names it) stay mapped. */
  keep: (source: string) => boolean;
  /**
   * Where the generated text was changed after bundling: for a generated line, the columns
   * at which `growth` characters were inserted (in increasing order).
   */
  insertions?: Map<number, number[]>;
  /** Characters added at each insertion. */
  growth?: number;
}

/**
 * The map with only the kept sources mapped (no `sourcesContent`, only the names they
 * use); every run of positions from other sources becomes one unmapped segment.
 */
export function trimSourceMap(map: RawSourceMap, opts: TrimOptions): RawSourceMap {
  const sourceIndex = new Map<number, number>();
  const nameIndex = new Map<number, number>();
  const sources: string[] = [];
  const names: string[] = [];
  const lines = decodeMappings(map.mappings).map((line, lineNo) => {
    const inserted = opts.insertions?.get(lineNo) ?? [];
    const growth = opts.growth ?? 0;
    const shifted = (col: number) => col + growth * inserted.filter((at) => at < col).length;
    const out: Segment[] = [];
    let lastMapped = false;
    for (const seg of line) {
      const [genCol, srcIdx, srcLine, srcCol, nameIdx] = seg as [number, number?, number?, number?, number?];
      const col = shifted(genCol);
      const source = srcIdx === undefined ? undefined : map.sources[srcIdx];
      if (
        srcIdx === undefined ||
        srcLine === undefined ||
        srcCol === undefined ||
        source === undefined ||
        !opts.keep(source)
      ) {
        if (lastMapped || out.length === 0) out.push([col]);
        lastMapped = false;
        continue;
      }
      let si = sourceIndex.get(srcIdx);
      if (si === undefined) {
        si = sources.push(source) - 1;
        sourceIndex.set(srcIdx, si);
      }
      const prev = out.at(-1);
      // one position per source line is enough for a stack trace's file:line, except where
      // a name is attached (node reads a frame's function name from its call position)
      if (lastMapped && nameIdx === undefined && prev !== undefined && prev[1] === si && prev[2] === srcLine) continue;
      lastMapped = true;
      if (nameIdx !== undefined) {
        let ni = nameIndex.get(nameIdx);
        if (ni === undefined) {
          ni = names.push(map.names[nameIdx] ?? "") - 1;
          nameIndex.set(nameIdx, ni);
        }
        out.push([col, si, srcLine, srcCol, ni]);
      } else out.push([col, si, srcLine, srcCol]);
    }
    // a line with no kept position needs no segment at all
    return lastMapped || out.some((s) => s.length > 1) ? out : [];
  });
  return { version: 3, sources, names, mappings: encodeMappings(lines) };
}

/** The `//# sourceMappingURL=data:…` comment that carries `map` inline. */
export function inlineSourceMapComment(map: RawSourceMap): string {
  return `//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString("base64")}`;
}

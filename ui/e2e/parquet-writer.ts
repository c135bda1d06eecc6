/**
 * A minimal Parquet writer for test data: one row group, required columns of INT64,
 * DOUBLE or UTF-8 strings, PLAIN encoding, no compression. Enough to produce real files
 * that the dataset preview reads with hyparquet.
 */

/** A column: its name and values (all numbers that are integers become INT64). */
export interface ParquetColumn {
  name: string;
  values: Array<number | string>;
}

class Thrift {
  bytes: number[] = [];
  private last: number[] = [0];

  varint(n: bigint): void {
    let v = n;
    while (v >= 0x80n) {
      this.bytes.push(Number((v & 0x7fn) | 0x80n));
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }
  zigzag(n: number | bigint): void {
    const v = BigInt(n);
    this.varint(v >= 0n ? v << 1n : (-v << 1n) - 1n);
  }
  field(id: number, type: number): void {
    const delta = id - (this.last.at(-1) as number);
    if (delta > 0 && delta <= 15) this.bytes.push((delta << 4) | type);
    else {
      this.bytes.push(type);
      this.zigzag(id);
    }
    this.last[this.last.length - 1] = id;
  }
  i32(id: number, v: number): void {
    this.field(id, 5);
    this.zigzag(v);
  }
  i64(id: number, v: number): void {
    this.field(id, 6);
    this.zigzag(v);
  }
  string(id: number, s: string): void {
    this.field(id, 8);
    const b = new TextEncoder().encode(s);
    this.varint(BigInt(b.length));
    this.bytes.push(...b);
  }
  list(id: number, elemType: number, n: number): void {
    this.field(id, 9);
    if (n < 15) this.bytes.push((n << 4) | elemType);
    else {
      this.bytes.push(0xf0 | elemType);
      this.varint(BigInt(n));
    }
  }
  begin(id?: number): void {
    if (id !== undefined) this.field(id, 12);
    this.last.push(0);
  }
  end(): void {
    this.bytes.push(0);
    this.last.pop();
  }
  elemI32(v: number): void {
    this.zigzag(v);
  }
  elemString(s: string): void {
    const b = new TextEncoder().encode(s);
    this.varint(BigInt(b.length));
    this.bytes.push(...b);
  }
}

type Kind = { type: number; encode: (v: number | string) => number[] };

function kindOf(values: Array<number | string>): Kind {
  if (values.every((v) => typeof v === "number" && Number.isInteger(v))) {
    return {
      type: 2,
      encode: (v) => {
        const b = new DataView(new ArrayBuffer(8));
        b.setBigInt64(0, BigInt(v as number), true);
        return [...new Uint8Array(b.buffer)];
      },
    };
  }
  if (values.every((v) => typeof v === "number")) {
    return {
      type: 5,
      encode: (v) => {
        const b = new DataView(new ArrayBuffer(8));
        b.setFloat64(0, v as number, true);
        return [...new Uint8Array(b.buffer)];
      },
    };
  }
  return {
    type: 6,
    encode: (v) => {
      const s = new TextEncoder().encode(String(v));
      const len = new DataView(new ArrayBuffer(4));
      len.setInt32(0, s.length, true);
      return [...new Uint8Array(len.buffer), ...s];
    },
  };
}

/** The bytes of a Parquet file holding `columns` (all of the same length). */
export function writeParquet(columns: ParquetColumn[]): Uint8Array {
  const rows = columns[0]?.values.length ?? 0;
  const out: number[] = [...new TextEncoder().encode("PAR1")];
  const chunks: Array<{ name: string; type: number; offset: number; size: number }> = [];
  for (const c of columns) {
    const kind = kindOf(c.values);
    const data = c.values.flatMap((v) => kind.encode(v));
    const h = new Thrift();
    h.begin();
    h.i32(1, 0); // DATA_PAGE
    h.i32(2, data.length);
    h.i32(3, data.length);
    h.begin(5);
    h.i32(1, rows);
    h.i32(2, 0); // PLAIN
    h.i32(3, 3); // RLE
    h.i32(4, 3);
    h.end();
    h.end();
    chunks.push({ name: c.name, type: kind.type, offset: out.length, size: h.bytes.length + data.length });
    out.push(...h.bytes, ...data);
  }
  const m = new Thrift();
  m.begin();
  m.i32(1, 1);
  m.list(2, 12, columns.length + 1);
  m.begin();
  m.string(4, "schema");
  m.i32(5, columns.length);
  m.end();
  for (const c of chunks) {
    m.begin();
    m.i32(1, c.type);
    m.i32(3, 0); // REQUIRED
    m.string(4, c.name);
    if (c.type === 6) m.i32(6, 0); // UTF8
    m.end();
  }
  m.i64(3, rows);
  m.list(4, 12, 1);
  m.begin();
  m.list(1, 12, chunks.length);
  for (const c of chunks) {
    m.begin();
    m.i64(2, c.offset);
    m.begin(3);
    m.i32(1, c.type);
    m.list(2, 5, 1);
    m.elemI32(0);
    m.list(3, 8, 1);
    m.elemString(c.name);
    m.i32(4, 0);
    m.i64(5, rows);
    m.i64(6, c.size);
    m.i64(7, c.size);
    m.i64(9, c.offset);
    m.end();
    m.end();
  }
  m.i64(
    2,
    chunks.reduce((a, c) => a + c.size, 0),
  );
  m.i64(3, rows);
  m.end();
  m.end();
  const len = new DataView(new ArrayBuffer(4));
  len.setInt32(0, m.bytes.length, true);
  out.push(...m.bytes, ...new Uint8Array(len.buffer), ...new TextEncoder().encode("PAR1"));
  return new Uint8Array(out);
}

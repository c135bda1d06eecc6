/**
 * A streaming POSIX tar (ustar, with pax headers for long names and large files) of one
 * directory, for directory artifact downloads. Symbolic links and anything else that is
 * neither a directory nor a regular file are left out, never followed: a link inside an
 * artifact cannot put its target's bytes into the archive. Each file is opened with
 * `O_NOFOLLOW` and sends exactly the size its header announced (shorter content is padded
 * with zeros, longer content is cut), so a file that changes while it is sent cannot
 * corrupt the archive.
 */
import { closeSync, constants, type Dirent, fstatSync, openSync, readdirSync, readSync } from "node:fs";
import { join } from "node:path";

const BLOCK = 512;
/** Largest size an 11-digit octal ustar field holds. */
const MAX_OCTAL_SIZE = 8 ** 11 - 1;
const CHUNK = 64 * 1024;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

function writeText(buf: Buffer, text: string, offset: number, width: number): void {
  Buffer.from(text, "utf8").copy(buf, offset, 0, width);
}

/** Splits `name` into ustar's prefix (155 bytes) and name (100 bytes) at a `/`, or undefined. */
function splitName(name: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { prefix: "", name };
  for (let i = name.indexOf("/"); i >= 0; i = name.indexOf("/", i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest !== "")
      return { prefix, name: rest };
  }
  return undefined;
}

function header(name: string, type: "0" | "5" | "x", size: number, mode: number, mtime: number): Buffer {
  const buf = Buffer.alloc(BLOCK);
  const split = splitName(name) ?? { prefix: "", name: name.slice(0, 100) };
  writeText(buf, split.name, 0, 100);
  writeText(buf, octal(mode & 0o7777, 8), 100, 8);
  writeText(buf, octal(0, 8), 108, 8);
  writeText(buf, octal(0, 8), 116, 8);
  writeText(buf, octal(Math.min(size, MAX_OCTAL_SIZE), 12), 124, 12);
  writeText(buf, octal(Math.max(0, Math.floor(mtime / 1000)), 12), 136, 12);
  buf.fill(0x20, 148, 156);
  buf.write(type, 156, "latin1");
  writeText(buf, "ustar\0", 257, 6);
  writeText(buf, "00", 263, 2);
  writeText(buf, split.prefix, 345, 155);
  let sum = 0;
  for (const byte of buf) sum += byte;
  writeText(buf, `${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return buf;
}

/** One pax record, `"<len> key=value\n"` where `<len>` counts the whole record. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bytes = Buffer.byteLength(body);
  let len = bytes + 1;
  while (String(len).length + bytes !== len) len = String(len).length + bytes;
  return `${len}${body}`;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** The headers of one entry: a pax header first when the name or the size does not fit ustar. */
function entryHeaders(name: string, type: "0" | "5", size: number, mode: number, mtime: number): Buffer[] {
  const records: string[] = [];
  if (splitName(name) === undefined) records.push(paxRecord("path", name));
  if (size > MAX_OCTAL_SIZE) records.push(paxRecord("size", String(size)));
  const out: Buffer[] = [];
  if (records.length > 0) {
    const body = Buffer.from(records.join(""), "utf8");
    out.push(header("././@PaxHeader", "x", body.length, 0o644, mtime), body, padding(body.length));
  }
  out.push(header(name, type, size, mode, mtime));
  return out;
}

function* fileEntry(path: string, name: string): Generator<Buffer> {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return; // replaced by a link or removed since the directory was read: left out
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return;
    const size = st.size;
    yield* entryHeaders(name, "0", size, st.mode, st.mtimeMs);
    let sent = 0;
    while (sent < size) {
      const chunk = Buffer.alloc(Math.min(CHUNK, size - sent));
      const n = readSync(fd, chunk, 0, chunk.length, sent);
      if (n === 0) {
        // the file shrank while it was sent: keep the announced size
        yield Buffer.alloc(size - sent);
        sent = size;
        break;
      }
      sent += n;
      yield n === chunk.length ? chunk : chunk.subarray(0, n);
    }
    yield padding(size);
  } finally {
    closeSync(fd);
  }
}

function* dirEntries(path: string, name: string, mtime: number, mode: number): Generator<Buffer> {
  yield* entryHeaders(`${name}/`, "5", 0, mode, mtime);
  let children: Dirent[];
  try {
    children = readdirSync(path, { withFileTypes: true });
  } catch {
    return;
  }
  children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const child of children) {
    const childPath = join(path, child.name);
    const childName = `${name}/${child.name}`;
    if (child.isDirectory()) {
      let fd: number;
      try {
        // O_DIRECTORY | O_NOFOLLOW: a directory swapped for a link since readdir is not entered
        fd = openSync(childPath, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      } catch {
        continue;
      }
      let st: ReturnType<typeof fstatSync>;
      try {
        st = fstatSync(fd);
      } finally {
        closeSync(fd);
      }
      yield* dirEntries(childPath, childName, st.mtimeMs, st.mode);
    } else if (child.isFile()) {
      yield* fileEntry(childPath, childName);
    }
    // symbolic links, sockets, devices and FIFOs are left out
  }
}

/**
 * The tar archive of the directory `path`, its entries under `name/`, as a sequence of
 * buffers read lazily (a file is read only when its turn comes). `path` itself must have
 * been checked not to be a link.
 */
export function* tarDirectory(path: string, name: string): Generator<Buffer> {
  const fd = openSync(path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  let st: ReturnType<typeof fstatSync>;
  try {
    st = fstatSync(fd);
  } finally {
    closeSync(fd);
  }
  yield* dirEntries(path, name, st.mtimeMs, st.mode);
  yield Buffer.alloc(BLOCK * 2);
}

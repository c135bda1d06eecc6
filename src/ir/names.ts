/**
 * Names in a PipelineSpec (components, executors, DAG tasks, inputs and outputs). The
 * engine turns task and output names into file paths (`logs/<run>/<task path>.log`,
 * `artifacts/<run>/<task path>/<output>`), so a name must never be able to leave its
 * directory. The KFP compiler writes component and task names sanitized to `[a-z0-9-]`
 * and input/output names as identifiers, but hand-written IR may use other characters;
 * those are allowed as long as they are safe as one path segment.
 */

/** Longest name accepted, in UTF-8 bytes (a file name may have 255; suffixes need room). */
export const MAX_NAME_BYTES = 128;

/** What a name may be, for error messages. */
export const NAME_RULE =
  `a name is 1 to ${MAX_NAME_BYTES} bytes of printable characters other than '/' and '\\', ` +
  "is not '.' or '..', and does not start or end with whitespace (KFP itself writes a-z, 0-9 and '-')";

// C0 controls, DEL, C1 controls, and the Unicode line and paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** `name` as it can be shown in a message: quoted, with control characters escaped. */
export function showName(name: string): string {
  return `'${JSON.stringify(name).slice(1, -1).replaceAll("'", "\\'")}'`;
}

/**
 * Why `name` is not allowed, or `undefined` when it is.
 *
 * @example nameProblem("../x") // "contains '/'"
 */
export function nameProblem(name: string): string | undefined {
  if (name === "") return "is empty";
  if (name === "." || name === "..") return `is '${name}'`;
  if (name.includes("/")) return "contains '/'";
  if (name.includes("\\")) return "contains '\\'";
  if (name.includes("\u0000")) return "contains a NUL character";
  if (CONTROL.test(name)) return "contains a control character";
  if (name.trim() !== name) return "starts or ends with whitespace";
  const bytes = Buffer.byteLength(name, "utf8");
  if (bytes > MAX_NAME_BYTES) return `is ${bytes} bytes long`;
  return undefined;
}

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * The IR path of the entry `name` of the mapping at `base`: `base.name` for names of
 * letters, digits, `-` and `_`, otherwise `base['name']` (escaped as {@link showName}).
 *
 * @example keyPath("root.dag.tasks", "../x") // "root.dag.tasks['../x']"
 */
export function keyPath(base: string, name: string): string {
  return PLAIN_KEY.test(name) ? `${base}.${name}` : `${base}[${showName(name)}]`;
}

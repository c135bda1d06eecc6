/**
 * Reads the pip install prelude of a task's `sh -c` script, as the KFP SDK writes it for
 * lightweight Python components:
 *
 *     PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet ... 'pandas==2.2.0' &&
 *       python3 -m pip install --quiet ... 'kfp==2.14.6' '--no-deps' ... && "$0" "$@"
 *
 * The script is split into shell words (single and double quotes, backslashes, comments)
 * and simple commands (`&&`, `||`, `;`, `|`, newlines); each `python3 -m pip install`
 * or `pip install` command becomes one {@link PipInstall}. A script whose installs cannot
 * all be read literally (shell expansions in their arguments, requirement files, other
 * targets) is reported as unsupported, with the reason.
 */

/** One `pip install` command of a prelude: its literal arguments and the variables set for it. */
export interface PipInstall {
  /** `NAME=value` assignments before the command, and earlier `export NAME=value`s. */
  env: Record<string, string>;
  /** The arguments after `install`, as pip receives them. */
  args: string[];
}

/** The pip installs of a task's prelude, in order. */
export interface PipPrelude {
  installs: PipInstall[];
  /**
   * True when the script makes a virtual environment of its own (`python3 -m venv`, the
   * KFP SDK's `use_venv=True` shape) and installs into it.
   */
  ownVenv: boolean;
}

/** What {@link readPipPrelude} found: a prelude, a reason it cannot be read, or nothing to install. */
export type PreludeReading = { prelude: PipPrelude } | { unsupported: string } | undefined;

interface Word {
  text: string;
  /** The word holds an expansion (`$x`, `$(...)`, backquotes) or a redirection: not a literal. */
  expands: boolean;
}

type Token = { word: Word } | { op: string };

/** Skips an expansion starting at `s[i]` (`$` or a backquote); returns the index after it. */
function skipExpansion(s: string, i: number): number {
  if (s[i] === "`") {
    const end = s.indexOf("`", i + 1);
    return end < 0 ? s.length : end + 1;
  }
  const open = s[i + 1];
  if (open === "(" || open === "{") {
    const close = open === "(" ? ")" : "}";
    let depth = 0;
    for (let j = i + 1; j < s.length; j++) {
      if (s[j] === open) depth++;
      else if (s[j] === close && --depth === 0) return j + 1;
    }
    return s.length;
  }
  let j = i + 1;
  if (j < s.length && /[@*#?$!0-9-]/.test(s[j] ?? "")) return j + 1;
  while (j < s.length && /\w/.test(s[j] ?? "")) j++;
  return j;
}

const OPERATORS = new Set(["\n", ";", "&", "|", "(", ")"]);

/** Splits a shell script into words and control operators; undefined when a quote is not closed. */
function lex(s: string): Token[] | undefined {
  const out: Token[] = [];
  let cur: Word | undefined;
  const word = (): Word => {
    cur ??= { text: "", expands: false };
    return cur;
  };
  const end = (): void => {
    if (cur) out.push({ word: cur });
    cur = undefined;
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === " " || c === "\t" || c === "\r") {
      end();
      i++;
    } else if (OPERATORS.has(c)) {
      end();
      const two = s.slice(i, i + 2);
      const op = two === "&&" || two === "||" || two === ";;" ? two : c;
      out.push({ op });
      i += op.length;
    } else if (c === "#" && !cur) {
      const nl = s.indexOf("\n", i);
      i = nl < 0 ? s.length : nl;
    } else if (c === "\\") {
      if (s[i + 1] !== "\n") word().text += s[i + 1] ?? "";
      i += 2;
    } else if (c === "'") {
      const close = s.indexOf("'", i + 1);
      if (close < 0) return undefined;
      word().text += s.slice(i + 1, close);
      i = close + 1;
    } else if (c === '"') {
      const w = word();
      i++;
      for (;;) {
        if (i >= s.length) return undefined;
        const d = s[i] as string;
        if (d === '"') {
          i++;
          break;
        }
        if (d === "\\" && /[$`"\\\n]/.test(s[i + 1] ?? "")) {
          if (s[i + 1] !== "\n") w.text += s[i + 1];
          i += 2;
        } else if (d === "$" || d === "`") {
          w.expands = true;
          const next = skipExpansion(s, i);
          w.text += s.slice(i, next);
          i = next;
        } else {
          w.text += d;
          i++;
        }
      }
    } else if (c === "$" || c === "`") {
      const w = word();
      w.expands = true;
      const next = skipExpansion(s, i);
      w.text += s.slice(i, next);
      i = next;
    } else {
      const w = word();
      if (c === "<" || c === ">") w.expands = true;
      w.text += c;
      i++;
    }
  }
  end();
  return out;
}

/** The simple commands of a script, each as its words. */
function commands(tokens: Token[]): Word[][] {
  const list: Word[][] = [];
  let cur: Word[] = [];
  for (const t of tokens) {
    if ("op" in t) {
      if (cur.length > 0) list.push(cur);
      cur = [];
    } else cur.push(t.word);
  }
  if (cur.length > 0) list.push(cur);
  return list;
}

/** Words that may precede a command without changing what it runs. */
const LEADING = new Set(["if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"]);
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;
const PYTHON = /^(?:\S*\/)?python(?:3(?:\.\d+)?)?$/;
const PIP = /^(?:\S*\/)?pip(?:3(?:\.\d+)?)?$/;

/** pip options this engine cannot key a cached environment on, or that install elsewhere. */
const UNSUPPORTED_OPTIONS = new Set([
  "-r",
  "--requirement",
  "-c",
  "--constraint",
  "-e",
  "--editable",
  "--user",
  "-t",
  "--target",
  "--prefix",
  "--root",
]);

/** pip install options that take a value as the next argument. */
const OPTIONS_WITH_VALUE = new Set([
  "-i",
  "--index-url",
  "--extra-index-url",
  "-f",
  "--find-links",
  "--trusted-host",
  "--platform",
  "--python-version",
  "--implementation",
  "--abi",
  "--progress-bar",
  "--log",
  "--cache-dir",
  "--src",
  "--upgrade-strategy",
  "--global-option",
  "--config-settings",
  "-C",
  "--proxy",
  "--retries",
  "--timeout",
  "--exists-action",
  "--cert",
  "--client-cert",
  "--use-feature",
  "--use-deprecated",
  "--report",
  "--only-binary",
  "--no-binary",
  ...UNSUPPORTED_OPTIONS,
]);

/** The requirements (packages, URLs, paths) of one install, without its options. */
export function requirementsOf(install: PipInstall): string[] {
  const out: string[] = [];
  for (let i = 0; i < install.args.length; i++) {
    const a = install.args[i] as string;
    if (a.startsWith("-")) {
      if (OPTIONS_WITH_VALUE.has(a)) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

/** Whether an install asks for the `kfp` package (by name, or a path or URL of its source). */
export function installsKfp(prelude: PipPrelude): boolean {
  return prelude.installs.some((i) =>
    requirementsOf(i).some(
      (r) => /^kfp\s*(?:$|[=<>!~[;@ ])/i.test(r) || (/[/:]/.test(r) && /kfp|kubeflow\/pipelines/i.test(r)),
    ),
  );
}

/** Counts the `pip install` commands of a script's text, however they are written. */
function pipInstallMentions(script: string): number {
  return script.match(/(?:^|[^\w.-])pip[\d.]*["']?\s+["']?install\b/gm)?.length ?? 0;
}

/**
 * Reads the pip installs of a task's command line: `undefined` when the command is not a
 * `sh -c` script or its script installs nothing; `unsupported` (with the reason) when it
 * installs in a way this reader does not take literally.
 */
export function readPipPrelude(argv: readonly string[]): PreludeReading {
  const [shell, flag, script] = argv;
  if (!shell || !/^(?:\S*\/)?(?:sh|bash|dash)$/.test(shell) || !flag || !/^-[a-z]*c[a-z]*$/.test(flag)) return;
  if (script === undefined) return;
  const mentions = pipInstallMentions(script);
  if (mentions === 0) return;
  const tokens = lex(script);
  if (!tokens) return { unsupported: "its shell script has an unclosed quote" };
  const installs: PipInstall[] = [];
  const exported: Record<string, string> = {};
  let ownVenv = false;
  for (const words of commands(tokens)) {
    let k = 0;
    while (k < words.length && !words[k]?.expands && LEADING.has(words[k]?.text ?? "")) k++;
    const assigned: Record<string, string> = {};
    for (; k < words.length; k++) {
      const w = words[k] as Word;
      const m = w.text.match(ASSIGNMENT);
      if (!m) break;
      if (!w.expands) assigned[m[1] as string] = m[2] as string;
    }
    const rest = words.slice(k).map((w) => w.text);
    const [cmd, a1, a2, a3] = rest;
    if (cmd === "export") {
      for (const w of words.slice(k + 1)) {
        const e = w.text.match(ASSIGNMENT);
        if (e && !w.expands) exported[e[1] as string] = e[2] as string;
      }
      continue;
    }
    if (cmd === undefined) continue;
    let args: Word[] | undefined;
    if (PYTHON.test(cmd) && a1 === "-m" && a2 === "pip" && a3 === "install") args = words.slice(k + 4);
    else if (PIP.test(cmd) && a1 === "install") args = words.slice(k + 2);
    else if ((PYTHON.test(cmd) && a1 === "-m" && (a2 === "venv" || a2 === "virtualenv")) || cmd === "virtualenv")
      ownVenv = true;
    if (!args) continue;
    const expanding = args.find((w) => w.expands);
    if (expanding) return { unsupported: `a pip install argument is not literal (${expanding.text})` };
    const texts = args.map((w) => w.text);
    const odd = texts.find((a) => UNSUPPORTED_OPTIONS.has(a.split("=")[0] as string));
    if (odd) return { unsupported: `a pip install uses ${odd.split("=")[0]}` };
    installs.push({ env: { ...exported, ...assigned }, args: texts });
  }
  if (installs.length !== mentions)
    return { unsupported: `its script has ${mentions} pip installs, of which ${installs.length} are plain commands` };
  return { prelude: { installs, ownVenv } };
}

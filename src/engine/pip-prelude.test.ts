import { describe, expect, it } from "vitest";
import { installsKfp, readPipPrelude, requirementsOf } from "./pip-prelude.ts";

const ENSUREPIP = `
if ! [ -x "$(command -v pip)" ]; then
    python3 -m ensurepip || python3 -m ensurepip --user || apt-get install python3-pip
fi

`;
const KFP = `python3 -m pip install --quiet --no-warn-script-location 'kfp==2.14.3' '--no-deps' 'typing-extensions>=3.7.4,<5; python_version<"3.9"'`;
const INDEX = "--index-url https://pypi.org/simple --trusted-host https://pypi.org/simple";

/** A KFP lightweight component's command line around a prelude script. */
function argv(script: string): string[] {
  return [
    "sh",
    "-c",
    script,
    "sh",
    "-ec",
    'program_path=$(mktemp -d)\npython3 -m kfp.dsl.executor_main "$@"\n',
    "pip install this",
  ];
}

describe("readPipPrelude", () => {
  it("reads KFP's prelude: the assignment, every install in order, quotes as the shell reads them", () => {
    const script = `${ENSUREPIP}PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location ${INDEX} 'yapf'  &&  ${KFP.replace("--no-warn-script-location", `--no-warn-script-location ${INDEX}`)} && "$0" "$@"\n`;
    const r = readPipPrelude(argv(script));
    expect(r).toEqual({
      prelude: {
        ownVenv: false,
        installs: [
          {
            env: { PIP_DISABLE_PIP_VERSION_CHECK: "1" },
            args: ["--quiet", "--no-warn-script-location", ...INDEX.split(" "), "yapf"],
          },
          {
            env: {},
            args: [
              "--quiet",
              "--no-warn-script-location",
              ...INDEX.split(" "),
              "kfp==2.14.3",
              "--no-deps",
              'typing-extensions>=3.7.4,<5; python_version<"3.9"',
            ],
          },
        ],
      },
    });
    if (!r || !("prelude" in r)) throw new Error("unreachable");
    expect(r.prelude.installs.map(requirementsOf)).toEqual([
      ["yapf"],
      ["kfp==2.14.3", 'typing-extensions>=3.7.4,<5; python_version<"3.9"'],
    ]);
    expect(installsKfp(r.prelude)).toBe(true);
  });

  it("reads the use_venv shape: exports apply to later installs, and the script's own venv is noticed", () => {
    const script = `${ENSUREPIP}PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet 'yapf'  &&  \nexport PIP_DISABLE_PIP_VERSION_CHECK=1\ntmp=$(mktemp -d)\npython3 -m venv "$tmp/venv" --system-site-packages\n. "$tmp/venv/bin/activate"\n ${KFP} && "$0" "$@"\n`;
    const r = readPipPrelude(argv(script));
    expect(r && "prelude" in r && r.prelude.ownVenv).toBe(true);
    expect(r && "prelude" in r && r.prelude.installs.map((i) => i.env)).toEqual([
      { PIP_DISABLE_PIP_VERSION_CHECK: "1" },
      { PIP_DISABLE_PIP_VERSION_CHECK: "1" },
    ]);
  });

  it("reads double quotes (Python's repr of a requirement holding a single quote) and backslashes", () => {
    const r = readPipPrelude(["sh", "-ec", `pip3 install "it's==1" a\\ b "x\\"y" 'c' && python3 -c 'import its'`]);
    expect(r && "prelude" in r && r.prelude.installs[0]?.args).toEqual(["it's==1", "a b", 'x"y', "c"]);
  });

  it("finds nothing to do in commands without a pip install prelude", () => {
    expect(readPipPrelude(["sh", "-c", "echo hi", "pip install x"])).toBeUndefined();
    expect(readPipPrelude(["python3", "-c", "import os; os.system('pip install x')"])).toBeUndefined();
    expect(readPipPrelude([])).toBeUndefined();
  });

  it("says why a prelude it cannot take literally is not read", () => {
    expect(readPipPrelude(["sh", "-c", 'python3 -m pip install "$PKG" && "$0" "$@"'])).toEqual({
      unsupported: "a pip install argument is not literal ($PKG)",
    });
    expect(readPipPrelude(["sh", "-c", "pip install -r requirements.txt && run"])).toEqual({
      unsupported: "a pip install uses -r",
    });
    expect(readPipPrelude(["sh", "-c", "pip install --target=/x y"])).toEqual({
      unsupported: "a pip install uses --target",
    });
    expect(readPipPrelude(["sh", "-c", "echo 'pip install x' && pip install y"])).toEqual({
      unsupported: "its script has 2 pip installs, of which 1 are plain commands",
    });
    expect(readPipPrelude(["sh", "-c", "pip install 'x"])).toEqual({
      unsupported: "its shell script has an unclosed quote",
    });
  });

  it("tells kfp from packages whose names start with kfp", () => {
    const of = (req: string) => installsKfp({ ownVenv: false, installs: [{ env: {}, args: [req] }] });
    expect(of("kfp")).toBe(true);
    expect(of("kfp>=2")).toBe(true);
    expect(of("kfp[kubernetes]==2.14.3")).toBe(true);
    expect(of("git+https://github.com/kubeflow/pipelines.git@master#subdirectory=sdk/python")).toBe(true);
    expect(of("/wheels/kfp-2.14.3-py3-none-any.whl")).toBe(true);
    expect(of("kfp-pipeline-spec==0.6")).toBe(false);
    expect(of("kfp_server_api")).toBe(false);
  });
});

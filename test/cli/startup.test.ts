import { afterAll, describe, expect, it } from "vitest";
import { COMMANDS, commandsFor } from "../../src/cli/command-table.ts";
import { buildFullProgram, buildProgram } from "../../src/cli/main.ts";
import { type Sandbox, sandbox, weft } from "./helpers.ts";

const box: Sandbox = sandbox();
afterAll(() => box.cleanup());

describe("lazy command loading", () => {
  it("lists every command in the top-level help exactly as the loaded commands describe themselves", async () => {
    const full = await buildFullProgram();
    const lazy = await buildProgram(["node", "weft", "--help"]);
    expect(lazy.helpInformation()).toBe(full.helpInformation());
    expect(full.commands.map((c) => c.name())).toEqual(COMMANDS.map((c) => c.name));
  });

  it("loads only the command named on the command line (also after help)", async () => {
    expect(commandsFor(["node", "weft", "runs", "list", "--json"]).map((c) => c.name)).toEqual(["runs"]);
    expect(commandsFor(["node", "weft", "help", "compile"]).map((c) => c.name)).toEqual(["compile"]);
    expect(commandsFor(["node", "weft", "--help"])).toEqual([]);
    expect(commandsFor(["node", "weft", "nope"])).toEqual([]);
    const p = await buildProgram(["node", "weft", "run", "x.yaml"]);
    expect(p.commands.map((c) => c.name())).toEqual(["run"]);
    expect(p.commands[0]?.options.map((o) => o.long)).toContain("--max-parallel");
  });

  it("prints the help and rejects an unknown command through the real binary", async () => {
    const help = await weft(box.home, ["--help"]);
    expect(help.code).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toContain(`  ${c.term}`);
    const sub = await weft(box.home, ["help", "runs"]);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain("Usage: weft runs");
    const bad = await weft(box.home, ["nope"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown command 'nope'");
  });
});

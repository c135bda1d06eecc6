/**
 * The `weft` commands, by name, with what the top-level help shows of each and how to load
 * the module that registers it. Start-up imports only the module of the command being
 * run, so `weft --help` or `weft runs list` does not load the compiler, the server or the
 * engine it does not use. `test/cli/startup.test.ts` checks this table against the real
 * registrations.
 */
import type { Command } from "commander";

/** One command of the `weft` program. */
export interface CommandEntry {
  /** The command name (`weft <name>`). */
  name: string;
  /** How the top-level help lists it: name, `[options]` and arguments. */
  term: string;
  /** The one-line description the top-level help shows. */
  description: string;
  /** Imports the command's module and returns its registration function. */
  load: () => Promise<(program: Command) => void>;
}

/** Every command, sorted by name (one entry each). */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "artifacts",
    term: "artifacts",
    description: "artifacts produced by runs",
    load: async () => (await import("./commands/artifacts.ts")).registerArtifactsCommand,
  },
  {
    name: "compile",
    term: "compile [options] <file>",
    description: "compile a TypeScript pipeline to KFP pipeline YAML (IR)",
    load: async () => (await import("./commands/compile.ts")).registerCompile,
  },
  {
    name: "experiments",
    term: "experiments",
    description: "experiments: groups of runs",
    load: async () => (await import("./commands/experiments.ts")).registerExperimentsCommand,
  },
  {
    name: "lineage",
    term: "lineage [options] <artifact-or-run>",
    description: "what produced an artifact, from which inputs, in which run, and what consumed it",
    load: async () => (await import("./commands/lineage.ts")).registerLineageCommand,
  },
  {
    name: "models",
    term: "models",
    description: "the model registry: models, versions, aliases and stages",
    load: async () => (await import("./commands/models.ts")).registerModelsCommand,
  },
  {
    name: "pipelines",
    term: "pipelines",
    description: "pipelines and their versions",
    load: async () => (await import("./commands/pipelines.ts")).registerPipelinesCommand,
  },
  {
    name: "run",
    term: "run [options] <pipeline>",
    description: "compile (if needed) and run a pipeline on this machine, showing live progress",
    load: async () => (await import("./commands/run.ts")).registerRunCommand,
  },
  {
    name: "runs",
    term: "runs",
    description: "inspect and control runs",
    load: async () => (await import("./commands/runs.ts")).registerRunsCommand,
  },
  {
    name: "serve",
    term: "serve [options] [sources...]",
    description: "serve models over the Open Inference Protocol (REST, gRPC) and KServe v1, with /metrics",
    load: async () => (await import("./commands/serve.ts")).registerServeCommand,
  },
  {
    name: "server",
    term: "server [options]",
    description: "serve the Kubeflow Pipelines v2beta1 API, /docs and the web UI over $WEFT_HOME",
    load: async () => (await import("./commands/server.ts")).registerServerCommand,
  },
  {
    name: "tune",
    term: "tune [options] [experiment]",
    description: "run or resume a hyperparameter tuning experiment (Katib YAML or a tune() module) with a live table",
    load: async () => (await import("./commands/tune.ts")).registerTuneCommand,
  },
  {
    name: "ui",
    term: "ui [options]",
    description: "start the server over $WEFT_HOME and open the web UI in a browser",
    load: async () => (await import("./commands/ui.ts")).registerUiCommand,
  },
  {
    name: "validate",
    term: "validate <files...>",
    description: "check pipeline files (KFP IR YAML/JSON or TypeScript) and report every problem",
    load: async () => (await import("./commands/validate.ts")).registerValidate,
  },
];

/**
 * The entries to register for `argv` (`node weft.js ...`): the named command only (also
 * for `weft help <command>`), or none when no known command is named (top-level help, an
 * unknown command), in which case the program lists the table.
 */
export function commandsFor(argv: readonly string[]): CommandEntry[] {
  const words: string[] = [];
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    // the value of the global `--host <url>` is not a command name
    if (a === "--host" && words.length === 0) i++;
    else if (!a.startsWith("-")) words.push(a);
  }
  const first = words[0] === "help" ? words[1] : words[0];
  const entry = COMMANDS.find((c) => c.name === first);
  return entry ? [entry] : [];
}

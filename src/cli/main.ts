import { Command } from "commander";

/**
 * Entry point of the `weft` command line. Each command lives in its own file under
 * `commands/` and registers itself on the program.
 */
export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program.name("weft").description("ML pipelines for TypeScript teams, compatible with Kubeflow Pipelines");
  program.showHelpAfterError();
  // command registrations (one line each, keep sorted)
  await program.parseAsync(argv);
}

/**
 * The TypeScript function component of the engine benchmark. It lives in its own file
 * because a component's task program is bundled from the file that defines it.
 */
import { component, param } from "../../src/sdk/index.ts";

/** A component that does nothing with its input. */
export const noop = component({
  name: "noop",
  inputs: { i: param.int() },
  run: () => {},
});

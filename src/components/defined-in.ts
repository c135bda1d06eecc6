/**
 * Where a prebuilt component says it is defined. The compiler bundles a function
 * component from the file that defines it; a prebuilt component is made inside Weft's own
 * module, so it names that module's file, also when weft is installed under node_modules.
 */
import { fileURLToPath } from "node:url";
import type { FunctionImpl } from "../sdk/index.ts";

/** Points a component at the module that defines it (also when weft is installed under node_modules). */
export function definedIn<C extends object>(c: C, moduleUrl: string): C {
  const impl = (c as unknown as { impl: FunctionImpl }).impl;
  Object.defineProperty(c, "impl", {
    value: Object.freeze({ ...impl, sourceFile: fileURLToPath(moduleUrl) }),
    enumerable: true,
    writable: false,
    configurable: true,
  });
  return c;
}

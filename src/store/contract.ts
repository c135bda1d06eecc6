/**
 * The store contract: one suite every `Store` implementation runs. It loads Vitest lazily,
 * so importing the store module never loads a test runner.
 *
 * @example
 * // src/store/store.test.ts
 * await runStoreContract("sqlite", () => openStore(mkdtempSync(join(tmpdir(), "weft-"))));
 */
import { catalogContract } from "./contract-catalog.ts";
import { concurrencyContract } from "./contract-concurrency.ts";
import type { ContractApi, ContractFixture } from "./contract-fixture.ts";

export { sampleSpec } from "./contract-fixture.ts";

import { lineageContract } from "./contract-lineage.ts";
import { modelsContract } from "./contract-models.ts";
import { runsContract } from "./contract-runs.ts";
import { trackingContract } from "./contract-tracking.ts";
import { tuningContract } from "./contract-tuning.ts";
import type { Store } from "./types.ts";

/**
 * Registers the contract suite under `describe(name)`. `makeStore` returns a fresh, empty
 * store (its own home directory) each time it is called.
 */
export async function runStoreContract(name: string, makeStore: () => Store): Promise<void> {
  const vitest = await import("vitest");
  const api: ContractApi = {
    describe: vitest.describe,
    it: vitest.it,
    expect: vitest.expect,
    beforeEach: vitest.beforeEach,
    afterEach: vitest.afterEach,
  };
  api.describe(`store contract: ${name}`, () => {
    let current: Store | undefined;
    const fixture: ContractFixture = {
      api,
      get store(): Store {
        if (current === undefined) throw new Error("the contract's store is only available inside a test");
        return current;
      },
    };
    api.beforeEach(() => {
      current = makeStore();
    });
    api.afterEach(() => {
      current?.close();
      current = undefined;
    });
    catalogContract(fixture);
    runsContract(fixture);
    lineageContract(fixture);
    concurrencyContract(fixture);
    trackingContract(fixture);
    modelsContract(fixture);
    tuningContract(fixture);
  });
}

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "./store.ts";
import type { Experiment, ListQuery } from "./types.ts";

describe("list pages with a byte budget", () => {
  it("read across batches, stop at the budget, and page through every row once in order", () => {
    const store = openStore(mkdtempSync(join(tmpdir(), "weft-budget-")));
    try {
      for (let i = 0; i < 50; i++) store.experiments.create({ name: `e${i}`, createdAt: 1000 + i });
      const all = (q: ListQuery): string[] => {
        const names: string[] = [];
        let token: string | undefined;
        do {
          const page = store.experiments.list({ ...q, ...(token ? { pageToken: token } : {}) });
          names.push(...page.items.map((e) => e.name));
          token = page.nextPageToken;
        } while (token);
        return names;
      };
      const expected = Array.from({ length: 50 }, (_, i) => `e${49 - i}`);
      const sizeOf = (e: Experiment) => e.name.length;
      // a budget that never binds: pages of 40 and 10, read in batches of 16 and 24
      const first = store.experiments.list({ pageSize: 40, budget: { maxBytes: 1e9, sizeOf } });
      expect(first.items).toHaveLength(40);
      expect(first.nextPageToken).toBeDefined();
      expect(all({ pageSize: 40, budget: { maxBytes: 1e9, sizeOf } })).toEqual(expected);
      // a budget of 9 bytes: 3-byte names, three per page
      const small = store.experiments.list({ pageSize: 40, budget: { maxBytes: 9, sizeOf } });
      expect(small.items.map((e) => e.name)).toEqual(["e49", "e48", "e47"]);
      expect(small.totalSize).toBe(50);
      expect(all({ pageSize: 40, budget: { maxBytes: 9, sizeOf } })).toEqual(expected);
      // an item larger than the whole budget still makes a page of one
      expect(store.experiments.list({ budget: { maxBytes: 1, sizeOf } }).items).toHaveLength(1);
      expect(all({ pageSize: 7 })).toEqual(expected);
    } finally {
      store.close();
    }
  });
});

/** Contract: two handles on one file in one process, and a second process writing while this one reads. */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { type ContractFixture, sampleSpec } from "./contract-fixture.ts";
import { openStore } from "./store.ts";

const WRITER = fileURLToPath(new URL("./contract-writer.ts", import.meta.url));

interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the writer script in a real child process. */
function startWriter(args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", WRITER, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function lastJson(r: ChildResult): Record<string, unknown> {
  const line = r.stdout.trim().split("\n").pop() ?? "";
  if (r.code !== 0 || line === "") throw new Error(`writer exited with ${r.code}: ${r.stderr}`);
  return JSON.parse(line) as Record<string, unknown>;
}

/** Registers the concurrency tests. */
export function concurrencyContract(f: ContractFixture): void {
  const { describe, it, expect } = f.api;

  describe("concurrency", () => {
    it("two handles on the same file see each other's writes and share one compare-and-set", () => {
      const other = openStore(f.store.home);
      try {
        const run = f.store.runs.create({ displayName: "shared", pipelineSpec: sampleSpec() });
        expect(other.runs.get(run.id)?.displayName).toBe("shared");
        other.runs.updateState(run.id, "RUNNING");
        expect(f.store.runs.get(run.id)?.state).toBe("RUNNING");
        expect(other.experiments.getOrCreateByName("e").id).toBe(f.store.experiments.getOrCreateByName("e").id);
        const rr = f.store.recurringRuns.create({
          displayName: "s",
          pipelineSpec: sampleSpec(),
          trigger: { periodic: { intervalSeconds: 60 } },
          nextFireAt: 1000,
        });
        const wins = [
          f.store.recurringRuns.claimDue(1000, rr.id, 1000, 61_000),
          other.recurringRuns.claimDue(1000, rr.id, 1000, 61_000),
        ];
        expect(wins).toEqual([true, false]);
      } finally {
        other.close();
      }
    });

    it("several processes opening a new store at once agree on one schema and one experiment", async () => {
      const home = mkdtempSync(join(tmpdir(), "weft-store-race-"));
      const results = await Promise.all([0, 1, 2].map(() => startWriter([home, "open"])));
      const ids = results.map((r) => lastJson(r).experimentId);
      expect(new Set(ids).size).toBe(1);
      const s = openStore(home);
      try {
        expect(s.experiments.getByName("shared")?.id).toBe(ids[0]);
      } finally {
        s.close();
      }
    }, 60_000);

    it("a second process writes while this one reads: no torn state, nothing lost, one claim", async () => {
      const exp = f.store.experiments.create({ name: "concurrent" });
      const rr = f.store.recurringRuns.create({
        displayName: "s",
        pipelineSpec: sampleSpec(),
        trigger: { periodic: { intervalSeconds: 60 } },
        nextFireAt: 5000,
      });
      const count = 60;
      const child = startWriter([f.store.home, "runs", exp.id, String(count), rr.id, "5000"]);
      let done = false;
      void child.finally(() => {
        done = true;
      });
      // This process writes too (heartbeats), so both processes contend for the write lock.
      const mine = f.store.runs.create({ displayName: "parent", pipelineSpec: sampleSpec() });
      f.store.runs.setOwner(mine.id, process.pid, "this-host");
      const filter = [{ field: "experimentId", op: "EQUALS" as const, value: exp.id }];
      let reads = 0;
      let sawPartial = false;
      let parentClaimed: boolean | undefined;
      while (!done) {
        const page = f.store.runs.list({ filter, pageSize: 100 });
        for (const run of page.items) {
          const expectedLength = { PENDING: 1, RUNNING: 2, SUCCEEDED: 3 }[run.state as "PENDING"];
          expect(run.stateHistory).toHaveLength(expectedLength);
        }
        if (page.totalSize > 0 && page.totalSize < count) sawPartial = true;
        if (parentClaimed === undefined && page.totalSize >= count / 2) {
          parentClaimed = f.store.recurringRuns.claimDue(Date.now(), rr.id, 5000, 65_000);
        }
        f.store.runs.heartbeat(mine.id, reads);
        reads++;
        await sleep(2);
      }
      const result = lastJson(await child);
      parentClaimed ??= f.store.recurringRuns.claimDue(Date.now(), rr.id, 5000, 65_000);
      expect(reads).toBeGreaterThan(1);
      expect(f.store.runs.get(mine.id)?.heartbeatAt).toBe(reads - 1);
      expect(sawPartial).toBe(true);
      const all = f.store.runs.list({ filter, pageSize: 100 });
      expect(all.totalSize).toBe(count);
      expect(all.items.every((r) => r.state === "SUCCEEDED" && r.stateHistory.length === 3)).toBe(true);
      expect([parentClaimed, result.claimed].filter((c) => c === true)).toHaveLength(1);
    }, 60_000);
  });
}

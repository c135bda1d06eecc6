/**
 * Digests a large sparse file two ways, each in its own process so peak memory is its
 * own: the baseline reads the file whole and hashes the buffer (the engine's former
 * digest), the candidate streams it through `digestArtifact`. Reports the time and the
 * growth of peak RSS over the process's RSS before the digest, with ratios to the
 * baseline. Goal: the stream's growth is under 1/8 of the baseline's and its time at most
 * 1.25 × the baseline's. Files of 2 GiB and more the
 * baseline cannot read at all; the default is 1 GiB so it can.
 * Run: `npx tsx bench/artifacts/digest.bench.ts [GiB]`. Prints a table and one JSON line.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { digestArtifact } from "../../src/artifacts/index.ts";

/** One digest: its time, and how far the process's peak RSS rose above its RSS before it. */
type Sample = { mode: string; ms: number; rssGrowthMiB: number; digest: string };

if (process.argv[2] === "--child") {
  const [, , , mode, file] = process.argv as [string, string, string, string, string];
  const rssBefore = process.memoryUsage().rss;
  const t = performance.now();
  let digest: string;
  if (mode === "whole-file") {
    digest = `sha256:${createHash("sha256").update(readFileSync(file)).digest("hex")}`;
  } else {
    const found = await digestArtifact(file);
    digest = found?.kind === "file" ? found.digest : "";
  }
  const sample: Sample = {
    mode,
    ms: performance.now() - t,
    rssGrowthMiB: (process.resourceUsage().maxRSS * 1024 - rssBefore) / 1024 ** 2,
    digest,
  };
  console.log(JSON.stringify(sample));
} else {
  const gib = Number(process.argv[2] ?? 1);
  const dir = mkdtempSync(join(tmpdir(), "weft-digest-bench-"));
  const file = join(dir, "big");
  writeFileSync(file, "head");
  truncateSync(file, Math.round(gib * 1024 ** 3));
  const self = fileURLToPath(import.meta.url);
  const run = (mode: string): Sample => {
    const r = spawnSync(process.execPath, ["--import", "tsx", self, "--child", mode, file], { encoding: "utf8" });
    const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
    if (!line) throw new Error(`${mode} failed: ${r.stderr}`);
    return JSON.parse(line) as Sample;
  };
  const base = run("whole-file");
  const stream = run("stream");
  rmSync(dir, { recursive: true, force: true });
  if (base.digest !== stream.digest) throw new Error(`digests differ: ${base.digest} vs ${stream.digest}`);
  const timeRatio = stream.ms / base.ms;
  const memoryRatio = Math.max(stream.rssGrowthMiB, 0) / base.rssGrowthMiB;
  const goalMet = memoryRatio < 1 / 8 && timeRatio <= 1.25;
  console.log(`${gib} GiB sparse file`);
  console.log("| digest | ms | peak RSS growth MiB | time / baseline | memory / baseline |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const s of [base, stream]) {
    console.log(
      `| ${s.mode} | ${s.ms.toFixed(0)} | ${s.rssGrowthMiB.toFixed(1)} | ${(s.ms / base.ms).toFixed(2)} | ${(Math.max(s.rssGrowthMiB, 0) / base.rssGrowthMiB).toFixed(3)} |`,
    );
  }
  console.log(`goal (memory < 1/8 of baseline, time <= 1.25x): ${goalMet ? "met" : "not met"}`);
  console.log(
    JSON.stringify({
      bench: "artifacts.digest",
      gib,
      baseline: base,
      stream,
      timeRatio,
      memoryRatio,
      goalMet,
    }),
  );
}

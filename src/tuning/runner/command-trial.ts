/**
 * Command trials: the template's command as a child process (no shell), in its own
 * process group, `${trialParameters.x}` substituted in every argument and env value, with
 * WEFT_TRIAL_NAME, WEFT_TRIAL_NUMBER and WEFT_EXPERIMENT set. stdout and stderr are
 * appended to the trial's log file and read line by line by the StdOut collector (a File
 * collector reads its file when the process has exited). Stopping the trial (early stop,
 * cancel) kills the process group: SIGTERM, then SIGKILL after a grace period.
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { createLineCollector, describeMiss, type LineCollector } from "../collectors/index.ts";
import type { Assignment, TrialTemplate } from "../types.ts";
import type { TrialOutcome, TrialRunner } from "./types.ts";

/** How long a stopped trial has between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 3000;
/** How many of the last stderr (or stdout) lines a failed trial's message quotes. */
const TAIL_LINES = 10;

type CommandTemplate = Extract<TrialTemplate, { kind: "command" }>;

/** `${trialParameters.<name>}` replaced by the value of the parameter the trial parameter references. */
export function substituteTrialParameters(text: string, template: CommandTemplate, params: Assignment): string {
  return text.replace(/\$\{trialParameters\.([A-Za-z0-9_.-]+)\}/g, (whole, name: string) => {
    const tp = template.trialParameters.find((p) => p.name === name);
    if (tp === undefined) {
      throw new Error(
        `${whole} names no trial parameter (declared: ${template.trialParameters.map((p) => p.name).join(", ") || "none"}); declare it in trialTemplate.trialParameters`,
      );
    }
    const v = params[tp.reference];
    // an inactive conditional parameter substitutes as empty
    return v === undefined ? "" : String(v);
  });
}

/** Splits a stream's chunks into lines. */
function lineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let pending = "";
  return {
    push(chunk) {
      const parts = (pending + chunk).split(/\r\n|\n|\r/);
      pending = parts.pop() ?? "";
      for (const p of parts) onLine(p);
    },
    end() {
      if (pending !== "") onLine(pending);
      pending = "";
    },
  };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Runs one command trial to its end. */
export const runCommandTrial: TrialRunner = (trial) =>
  new Promise<TrialOutcome>((done) => {
    const spec = trial.spec;
    const template = spec.trial;
    if (template.kind !== "command") throw new Error("runCommandTrial: not a command trial");
    const metricNames = [...spec.objective.metrics.map((m) => m.name), ...spec.objective.additionalMetricNames];
    const collector: LineCollector = createLineCollector(spec.metricsCollector, metricNames);
    const cwd = template.workingDir
      ? isAbsolute(template.workingDir)
        ? template.workingDir
        : resolve(spec.file ? dirname(spec.file) : process.cwd(), template.workingDir)
      : spec.file
        ? dirname(spec.file)
        : process.cwd();
    let argv: string[];
    let env: Record<string, string>;
    try {
      argv = template.command.map((a) => substituteTrialParameters(a, template, trial.params));
      env = Object.fromEntries(
        Object.entries(template.env).map(([k, v]) => [k, substituteTrialParameters(v, template, trial.params)]),
      );
    } catch (err) {
      done({ kind: "failed", reason: "TrialFailed", message: (err as Error).message });
      return;
    }
    if (argv.length === 0) {
      done({
        kind: "failed",
        reason: "TrialFailed",
        message: "trialTemplate: the command is empty; give the program and its arguments",
      });
      return;
    }
    let log: WriteStream | undefined;
    if (trial.logFile) {
      mkdirSync(dirname(trial.logFile), { recursive: true });
      log = createWriteStream(trial.logFile, { flags: "a" });
      log.write(`# ${trial.name}: ${argv.join(" ")}\n`);
    }
    const tail: string[] = [];
    const remember = (line: string): void => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    };
    const feed = (line: string): void => {
      if (spec.metricsCollector.kind !== "StdOut") return;
      for (const p of collector.collectLine(line)) trial.report(p.metric, p.value, p.step);
    };
    const child = spawn(argv[0] as string, argv.slice(1), {
      cwd,
      env: {
        ...process.env,
        ...env,
        WEFT_TRIAL_NAME: trial.name,
        WEFT_TRIAL_NUMBER: String(trial.number),
        WEFT_EXPERIMENT: spec.name,
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const out = lineSplitter((line) => {
      remember(line);
      feed(line);
    });
    const err = lineSplitter((line) => {
      remember(line);
      feed(line);
    });
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (c: string) => {
      log?.write(c);
      out.push(c);
    });
    child.stderr.on("data", (c: string) => {
      log?.write(c);
      err.push(c);
    });
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      if (child.pid === undefined) return;
      killGroup(child.pid, "SIGTERM");
      killTimer = setTimeout(() => child.pid !== undefined && killGroup(child.pid, "SIGKILL"), KILL_GRACE_MS);
      killTimer.unref();
    };
    if (trial.signal.aborted) stop();
    else trial.signal.addEventListener("abort", stop, { once: true });
    let spawnError: Error | undefined;
    child.on("error", (e) => {
      spawnError = e;
    });
    child.on("close", (code, signal) => {
      if (killTimer) clearTimeout(killTimer);
      trial.signal.removeEventListener("abort", stop);
      out.end();
      err.end();
      const finish = (): void => {
        if (spawnError) {
          done({
            kind: "failed",
            reason: "TrialFailed",
            message: `could not start ${argv[0]}: ${spawnError.message}; check trialTemplate's command (run from ${cwd})`,
          });
          return;
        }
        if (trial.signal.aborted) {
          done({ kind: "completed", explainMissing: () => "" });
          return;
        }
        if (code !== 0) {
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          const last = tail.length > 0 ? `; its last lines:\n${tail.join("\n")}` : "; it printed nothing";
          done({ kind: "failed", reason: "TrialFailed", message: `${argv[0]} ${how}${last}` });
          return;
        }
        let filePath: string | undefined;
        if (spec.metricsCollector.kind === "File") {
          filePath = isAbsolute(spec.metricsCollector.path)
            ? spec.metricsCollector.path
            : resolve(cwd, spec.metricsCollector.path);
          let text = "";
          try {
            text = readFileSync(filePath, "utf8");
          } catch {
            // an absent file is explained as never written
          }
          for (const p of collector.feed(text)) trial.report(p.metric, p.value, p.step);
          for (const p of collector.end()) trial.report(p.metric, p.value, p.step);
        }
        const stats = collector.stats();
        done({
          kind: "completed",
          explainMissing: (metric) =>
            describeMiss(
              metric,
              stats,
              spec.metricsCollector.kind === "File"
                ? { collector: "File", ...(filePath ? { path: filePath } : {}) }
                : { collector: "StdOut" },
            ),
        });
      };
      if (log) log.end(finish);
      else finish();
    });
  });

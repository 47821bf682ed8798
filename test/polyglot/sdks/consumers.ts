// What the tests of Huawei's own consumers share: where their builds are cached, how a missing toolchain is
// reported, how a consumer's program is run against the stub (bounded in time, its failure told with the stub's
// last journal entry), and the time each consumer took.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { control, type RunningStub } from "../../helpers/stub.ts";

export const projectRoot = join(import.meta.dirname, "..", "..", "..");

/** Downloads and builds kept between runs, outside the repository: Go's, Maven's and pip's own caches, and ours. */
export const cacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "ims-contract");

export type Tool = { command: string; args: string[]; what: string };

/**
 * Whether each tool answers its version command. A missing one skips the test with the reason, or fails it under
 * CI (CI=true), where every toolchain must be there.
 */
export function requireTools(skip: (note: string) => void, tools: Tool[]): void {
  const missing = tools.filter((tool) => spawnSync(tool.command, tool.args, { stdio: "ignore" }).status !== 0);
  if (missing.length === 0) return;
  const reason = `missing toolchain: ${missing.map((tool) => `${tool.what} (\`${tool.command}\` not found)`).join(", ")}`;
  if (process.env.CI === "true") throw new Error(`${reason}; CI needs it (.ci/install/26-huawei-consumers.sh installs it)`);
  console.warn(`[huawei consumers] skipped: ${reason}`);
  skip(reason);
}

export type Ran = { stdout: string; stderr: string; seconds: number; code: number | null };

type RunOptions = {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs: number;
  /** Whose journal names the last request when the run fails or hangs. */
  stub?: RunningStub;
  /** Exit codes that are not a failure (terraform plan -detailed-exitcode: 2 means changes). */
  okCodes?: number[];
};

/** The stub's last journal entry, in one line, for a failure message. */
export async function lastRequest(stub: RunningStub | undefined): Promise<string> {
  if (!stub) return "";
  const journal = (await (await control(stub, "GET", "/requests")).json()) as { requests: Record<string, unknown>[] };
  const last = journal.requests.at(-1);
  return last ? `; the stub's last request: ${JSON.stringify(last)}` : "; the stub received no request";
}

/**
 * Runs a command to its end, or ends it (its whole process group) at the timeout. A failure or a timeout throws
 * with the command, the tail of its output and the stub's last request.
 */
export function run(command: string, args: string[], options: RunOptions): Promise<Ran> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, options.timeoutMs);
    const describe = `${command} ${args.join(" ")}`;
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`${describe} could not start: ${error.message}`));
    });
    child.on("close", async (code) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      const tail = (text: string) => text.trim().split("\n").slice(-25).join("\n");
      if (timedOut) {
        reject(new Error(`${describe} hung: ended after ${options.timeoutMs / 1000} s${await lastRequest(options.stub)}\n${tail(stderr)}\n${tail(stdout)}`));
      } else if (code !== 0 && !(options.okCodes ?? []).includes(code ?? -1)) {
        reject(new Error(`${describe} failed (exit ${code})${await lastRequest(options.stub)}\n${tail(stderr)}\n${tail(stdout)}`));
      } else {
        resolve({ stdout, stderr, seconds, code });
      }
    });
  });
}

/** The JSON lines a consumer program printed, one per step. */
export function steps(stdout: string): Record<string, any>[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line));
}

export type JournalEntry = Record<string, any>;

export async function journal(stub: RunningStub): Promise<JournalEntry[]> {
  const response = await control(stub, "GET", "/requests");
  return ((await response.json()) as { requests: JournalEntry[] }).requests;
}

const timesFile = join(projectRoot, "test-artifacts", "huawei-consumer-times.jsonl");

/**
 * Records one consumer's build and run time, prints it, and prints the slowest of every consumer recorded so far
 * in this run (the test files of the SDKs and of Terraform each add theirs).
 */
export function recordTime(consumer: string, phase: "build" | "run", seconds: number): void {
  mkdirSync(join(projectRoot, "test-artifacts"), { recursive: true });
  appendFileSync(timesFile, `${JSON.stringify({ run: process.ppid, consumer, phase, seconds: Math.round(seconds * 10) / 10, at: new Date().toISOString() })}\n`);
  console.log(`[huawei consumers] ${consumer} ${phase}: ${seconds.toFixed(1)} s`);
}

export function printSlowest(): void {
  // One vitest run's test files are its worker processes, children of one process: its ID tells the run apart.
  let lines: { run: number; consumer: string; phase: string; seconds: number }[];
  try {
    lines = readFileSync(timesFile, "utf8").trim().split("\n").map((line) => JSON.parse(line));
    lines = lines.filter((line) => line.run === process.ppid);
  } catch {
    return;
  }
  const totals = new Map<string, number>();
  for (const { consumer, seconds } of lines) totals.set(consumer, (totals.get(consumer) ?? 0) + seconds);
  const ranked = [...totals].sort((a, b) => b[1] - a[1]);
  console.log(`[huawei consumers] build + run so far: ${ranked.map(([name, s]) => `${name} ${s.toFixed(1)} s`).join(", ")}; slowest: ${ranked[0]?.[0]}`);
}

/** The stub's published test credentials (README, test/helpers/stub.ts): every consumer signs with them. */
export function consumerEnv(stub: RunningStub, ak: string, sk: string, projectId: string): Record<string, string> {
  return { IMS_ENDPOINT: stub.url, IMS_AK: ak, IMS_SK: sk, IMS_PROJECT_ID: projectId };
}

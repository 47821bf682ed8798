// What the generator tests share: where .ci/install/25-generators.sh put the generators, the rule for a missing
// toolchain (skipped with the reason locally, a failure under CI=true), commands run with their time, a scratch
// directory under test-artifacts/ (git-ignored) for generated code, and the lifecycle run against a stub.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "vitest";
import { projectRoot } from "../../../scripts/generate.ts";
import { getJson, PROJECT_ID, type RunningStub, startStub } from "../../helpers/stub.ts";

const execFileAsync = promisify(execFile);

/** The pinned versions; .ci/install/25-generators.sh installs the same (python/requirements.txt, go/go.mod). */
export const VERSIONS = {
  openapiGenerator: "7.26.0",
  oapiCodegen: "v2.8.2",
  openapiPythonClient: "0.29.1",
  schemathesis: "4.32.5",
} as const;

// As the install script reads it: an empty XDG_CACHE_HOME counts as unset.
export const cacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "ims-contract");
export const venvBin = (name: string) => join(cacheDir, "generators-venv", "bin", name);
export const here = join(projectRoot, "test/polyglot/generators");
export const bundledContract = join(projectRoot, "generated/openapi.json");
export const contract30 = join(projectRoot, "generated/openapi-3.0.json");

/** A fresh scratch directory for one generator's output, under test-artifacts/ (ignored by git). */
export function scratch(name: string): string {
  const dir = join(projectRoot, "test-artifacts/polyglot-generators", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function copyInto(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}

async function onPath(command: string): Promise<boolean> {
  try {
    await execFileAsync("sh", ["-c", `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * The toolchains a test needs (go, javac, mvn, python3): the reason to skip when one is missing, printed; under
 * CI=true a missing toolchain is no reason to skip, and the test fails on it.
 */
export async function missingToolchain(...commands: string[]): Promise<string | undefined> {
  const missing: string[] = [];
  for (const command of commands) if (!(await onPath(command))) missing.push(command);
  if (missing.length === 0) return undefined;
  const reason = `no ${missing.join(", ")} on this machine`;
  if (process.env.CI === "true") throw new Error(`${reason}: CI must have every toolchain (.ci/install/25-generators.sh)`);
  console.warn(`skipped: ${reason}`);
  return reason;
}

/** A generator installed by .ci/install/25-generators.sh, or a failure that says so (never a skip). */
export function requireInstalled(path: string, what: string): string {
  if (!existsSync(path)) throw new Error(`${what} is not installed at ${path}: run .ci/install/25-generators.sh (its output says why it failed)`);
  return path;
}

export type Timed = { stdout: string; stderr: string; ms: number };

/** Runs a command; a non-zero exit fails with its output. */
export async function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Timed> {
  const started = performance.now();
  try {
    const { stdout, stderr } = await execFileAsync(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      timeout: options.timeoutMs ?? 600_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout, stderr, ms: performance.now() - started };
  } catch (error) {
    const { stdout, stderr, code } = error as { stdout?: string; stderr?: string; code?: unknown };
    throw new Error(`${command} ${args.join(" ")} failed (${String(code)}):\n${stderr ?? ""}\n${stdout ?? ""}`.slice(0, 20_000));
  }
}

export type LifecycleResult = {
  jobTypes: Record<"server" | "file" | "volume", string>;
  refused: { status: number; code: string; message: string };
};

/**
 * Runs one language's lifecycle program against a stub of its own (jobs move one step per poll, so the program's
 * waiter reads INIT and RUNNING before SUCCESS), and checks what it printed and what the stub saw.
 */
export async function runLifecycle(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ result: LifecycleResult; ms: number }> {
  const stub: RunningStub = await startStub({ progression: "per-poll" });
  try {
    const { stdout, ms } = await run(command, args, { cwd, env: { ...env, IMS_ENDPOINT: stub.url, IMS_PROJECT_ID: PROJECT_ID, IMS_TOKEN: "polyglot-token" }, timeoutMs: 120_000 });
    const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
    expect(line, `no RESULT line in:\n${stdout}`).toBeDefined();
    const result = JSON.parse(line!.slice("RESULT ".length)) as LifecycleResult;
    expect(result.jobTypes).toEqual({ server: "imsCreateImageByInstance", file: "imsImportImageJob", volume: "imsVolumeCreateImageJob" });
    expect(result.refused).toMatchObject({ status: 400, code: "IMG.0055" });
    expect(result.refused.message).toContain("min_ram");
    // Every image the program made, it deleted.
    expect((await getJson(stub.url, "/v2/cloudimages")).body).toEqual({ images: [] });
    const journal = (await (await fetch(`${stub.url}/_stub/requests`)).json()) as { requests?: { operation?: string }[] };
    const operations = new Set((journal.requests ?? []).map((entry) => entry.operation));
    for (const operation of ["CreateImage", "ShowJob", "ListImages", "GlanceShowImage", "UpdateImage", "BatchAddOrDeleteTags", "ListImageTags", "GlanceDeleteImage"]) {
      expect(operations, `the program never called ${operation}`).toContain(operation);
    }
    return { result, ms };
  } finally {
    await stub.close();
  }
}

/** One line per generator, read by people in the test output and by the closing report. */
export function report(generator: string, timings: Record<string, number>, notes: string): void {
  const total = Object.values(timings).reduce((a, b) => a + b, 0);
  const parts = Object.entries(timings).map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`);
  console.log(`[${generator}] ${(total / 1000).toFixed(1)} s (${parts.join(", ")}). ${notes}`);
}

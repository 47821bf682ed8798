// Runs `ims-verify` as a user would: the command the package installs (package.json's bin, built to dist/).
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../scripts/generate.ts";

/** The built entry of `ims-verify`, wherever package.json's bin points it. */
export const VERIFY_BIN = join(projectRoot, (JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { bin: Record<string, string> }).bin["ims-verify"]!);

export type VerifyRun = { code: number; output: string; ms: number };

export function runVerify(args: readonly string[], timeoutMs = 15 * 60_000): Promise<VerifyRun> {
  const started = performance.now();
  return new Promise((resolve) =>
    execFile(process.execPath, [VERIFY_BIN, ...args], { env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === "number" ? (error as { code: number }).code : -1) : 0;
      resolve({ code, output: `${stdout}${stderr}`, ms: Math.round(performance.now() - started) });
    }),
  );
}

let jobTimeoutFlag: Promise<boolean> | undefined;

/** Whether this `ims-verify` takes `--job-timeout` (asked once, of its --help). */
export function takesJobTimeout(): Promise<boolean> {
  jobTimeoutFlag ??= runVerify(["--help"]).then(({ output }) => output.includes("--job-timeout"));
  return jobTimeoutFlag;
}

/** The first line that says what failed: a `FAIL` line and the line under it that names the check. */
export function firstFailure(output: string): string {
  const lines = output.split("\n");
  const at = lines.findIndex((line) => /^\s*(?:FAIL|✗|×)\b/.test(line) || /\bFAIL\b/.test(line));
  if (at === -1) return lines.find((line) => line.trim())?.trim() ?? "";
  const next = lines[at + 1]?.trim();
  return next && !/^(?:PASS|FAIL)\b/.test(next) ? `${lines[at]!.trim()}: ${next}` : lines[at]!.trim();
}

// Runs `ims-verify` as a user would: the command the package installs (package.json's bin, built to dist/).
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../scripts/project-root.ts";

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

/** The line that says what failed: the first `FAIL` line and the last line under it (the cause, after the retries). */
export function firstFailure(output: string): string {
  const lines = output.split("\n");
  const at = lines.findIndex((line) => /^\s*(?:FAIL|✗|×)\b/.test(line) || /\bFAIL\b/.test(line));
  if (at === -1) return lines.find((line) => line.trim())?.trim() ?? "";
  let end = at + 1;
  while (end < lines.length && /^\s+\S/.test(lines[end]!) && !/^\s*(?:PASS|FAIL)\b/.test(lines[end]!)) end++;
  return end > at + 1 ? `${lines[at]!.trim()}: ${lines[end - 1]!.trim()}` : lines[at]!.trim();
}

/**
 * What a run reports failed, each line without the IDs and ports that change from run to run: the lines under
 * each `FAIL` line, or the `FAIL` line itself when nothing is under it.
 */
export function failedParts(output: string): Set<string> {
  const parts = new Set<string>();
  const lines = output.split("\n");
  const normal = (line: string) => line.trim().replace(/[0-9a-f]{8}-[0-9a-f-]{27}|[0-9a-f]{32}|:\d{2,5}\b/g, "…");
  lines.forEach((line, i) => {
    if (!/\bFAIL\b/.test(line)) return;
    let next = i + 1;
    while (next < lines.length && /^\s+\S/.test(lines[next]!) && !/\b(?:PASS|FAIL)\b/.test(lines[next]!)) parts.add(normal(lines[next++]!));
    if (next === i + 1) parts.add(normal(line));
  });
  return parts;
}

// `npm run checks`, the first half of `npm test`: the build (a no-op when dist/ is up to date), then the static
// checks at the same time (one after the other they took twice as long; the type-check reads dist/ for the
// bench's types, so it waits for the build). Each step's output is printed whole when it ends, under its name;
// the command fails when any step does.
import { spawn } from "node:child_process";
import { projectRoot } from "./project-root.ts";

export const STEPS = ["lint:spec", "lint:code", "typecheck", "contract:diff"];

function run(step: string): Promise<{ step: string; code: number | null; output: string; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", step], { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("close", (code) => resolve({ step, code, output, seconds: (performance.now() - started) / 1000 }));
  });
}

function report(result: Awaited<ReturnType<typeof run>>) {
  const status = result.code === 0 ? "ok" : `FAILED (exit ${result.code})`;
  console.log(`--- ${result.step}: ${status}, ${result.seconds.toFixed(1)} s`);
  if (result.output.trim()) console.log(result.output.trimEnd());
  return result;
}

const build = report(await run("build"));
const results = [build, ...(await Promise.all(STEPS.map((step) => run(step).then(report))))];
const failed = results.filter((result) => result.code !== 0).map((result) => result.step);
if (failed.length > 0) {
  console.error(`checks failed: ${failed.join(", ")}`);
  process.exit(1);
}

// The stub as a process: `ims-stub --help`, a clear refusal of bad settings, the printed URL, one log line
// per request, and a clean exit on SIGTERM.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../scripts/generate.ts";

// The command as the package installs it: the compiled entry point (npm test builds it first).
const BIN = join(projectRoot, "dist/server/main.js");

/** Starts `ims-stub` with these arguments on a free port and waits for the URL it prints. */
async function start(...args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, PORT: "0", IMS_STUB_LOG: "json" } });
  let stdout = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code}: ${stdout}`)));
  });
  return { child, url, output: () => stdout };
}

describe("the ims-stub command", () => {
  it("--help lists every setting with its environment variable", () => {
    const run = spawnSync(process.execPath, [BIN, "--help"], { encoding: "utf8" });
    expect(run.status).toBe(0);
    for (const name of ["HOST", "PORT", "IMS_STUB_PROJECT_ID", "IMS_STUB_CREDENTIALS", "IMS_STUB_JOB_DURATION_MS"]) expect(run.stdout).toContain(name);
  });

  it("refuses a bad setting with a clear message and exit code 2", () => {
    const run = spawnSync(process.execPath, [BIN, "--progression", "sometimes"], { encoding: "utf8", env: { ...process.env, PORT: "0" } });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('progression must be timed, immediate or per-poll, not "sometimes"');
  });

  it("prints its URL, logs one JSON line per request, and exits 0 on SIGTERM", async () => {
    const { child, url, output } = await start();
    const res = await fetch(`${url}/v1/cloudimages/job/abc`, { headers: { "X-Auth-Token": "t" } });
    expect(res.status).toBe(404);
    const requestId = res.headers.get("x-request-id");
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const lines = output().split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
    // The stub's own start-up check is not a request anyone sent: the log starts with the first real one.
    expect(lines[0]).toMatchObject({ path: "/v1/cloudimages/job/abc" });
    expect(lines.find((line) => line.request_id === requestId)).toMatchObject({ method: "GET", path: "/v1/cloudimages/job/abc", status: 404, operation: "ShowJobProgress", error_code: "IMG.0121" });
  }, 30_000);

  it("keeps answering when whatever reads its log goes away, and still exits 0 on SIGTERM", async () => {
    const { child, url } = await start();
    child.stdout.destroy();
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${url}/v1/cloudimages/job/abc`, { headers: { "X-Auth-Token": "t" } });
      expect(res.status).toBe(404);
    }
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 30_000);

  it("--upstream starts without asking the upstream anything, and answers 502 while it is unreachable", async () => {
    const { child, url } = await start("--upstream", "http://127.0.0.1:1");
    try {
      const res = await fetch(`${url}/v1/cloudimages/job/abc`, { headers: { "X-Auth-Token": "t" } });
      expect(res.status).toBe(502);
      expect((await res.json()).error.code).toBe("IMG.0061");
    } finally {
      child.kill("SIGTERM");
    }
  }, 30_000);
});

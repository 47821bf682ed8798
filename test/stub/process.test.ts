// The stub as a process: `ims-stub --help`, a clear refusal of bad settings, the printed URL, one log line
// per request, and a clean exit on SIGTERM.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
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

describe("the ims-stub command line's first mistakes: each names what was wrong and what would be right", () => {
  const dir = mkdtempSync(join(tmpdir(), "ims-stub-cli-"));
  const misspeltWorld = join(dir, "world.json");
  writeFileSync(misspeltWorld, JSON.stringify({ server: ["877a2cda-ba63-4e1e-b95f-e67e48b6129a"] }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[], env: Record<string, string> = { PORT: "0" }) =>
    spawnSync(process.execPath, [BIN, ...args, "--log", "off"], { encoding: "utf8", env: { ...process.env, ...env } });

  it.each<[string, string[], Record<string, string> | undefined, string]>([
    ["a misspelt flag", ["--prot", "9000"], undefined, "ims-stub: unknown option --prot; did you mean --port? (ims-stub --help lists every option)"],
    ["a flag cut short", ["--job-duration", "5"], undefined, "ims-stub: unknown option --job-duration; did you mean --job-duration-ms? (ims-stub --help lists every option)"],
    ["a short flag", ["-p", "9000"], undefined, "ims-stub: unknown option -p: ims-stub has long options only; did you mean one of --port, --project-id, --progression, --pid-file?"],
    ["the port as an argument", ["9000"], undefined, 'ims-stub: unexpected argument "9000": ims-stub takes options only; did you mean --port 9000?'],
    ["a flag without its value", ["--port", "--progression", "immediate"], undefined, "ims-stub: --port needs a value, as in --port VALUE or --port=VALUE (got the next option, --progression)"],
    ["a switch given a value", ["--upstream-strict=yes"], undefined, "ims-stub: --upstream-strict is a switch and takes no value (got --upstream-strict=yes): give --upstream-strict alone to turn it on"],
    ["a value nearly right", ["--progression", "perpoll"], undefined, 'ims-stub: --progression must be timed, immediate or per-poll, not "perpoll"; did you mean per-poll?'],
    ["a bad value from the environment", [], { PORT: "http" }, 'ims-stub: PORT (from the environment) must be a whole number from 0 to 65535, not "http"'],
    ["an upstream without its scheme", ["--upstream", "ims.example.com"], undefined, 'ims-stub: --upstream must be an http:// or https:// URL, not "ims.example.com"; did you mean https://ims.example.com?'],
    [
      "a world file with a misspelt key (which would have emptied the world)",
      ["--world", misspeltWorld],
      undefined,
      `ims-stub: --world ${misspeltWorld}: server is not a field of a world: did you mean servers? A world is {"servers": [...], "volumes": [...], "files": [...]}, as PUT /_stub/world takes.`,
    ],
  ])("%s", (_label, args, env, message) => {
    const result = run(args, env);
    expect(result.status).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("a port something else listens on: says so, and how to choose another", async () => {
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const { port } = other.address() as AddressInfo;
    try {
      const result = spawnSync(process.execPath, [BIN, "--port", String(port), "--log", "off"], { encoding: "utf8" });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`something already listens on port ${port} (another ims-stub?): stop it, or choose another port with --port (0 picks a free one)`);
    } finally {
      other.close();
    }
  });

  it("a port that fetch refuses to use: says so rather than crash with a stack trace", () => {
    const result = run(["--port", "10080"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^ims-stub: cannot reach itself at http:\/\/127\.0\.0\.1:10080: fetch refuses to connect to this port .*serve on another port/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

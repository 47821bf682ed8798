// The stub as a process: `ims-stub --help`, a clear refusal of bad settings, the printed URL, one log line
// per request, a clean exit on SIGTERM, and what it does off loopback and with a control token.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../scripts/project-root.ts";

// The command as the package installs it: the compiled entry point (npm test builds it first).
const BIN = join(projectRoot, "dist/server/main.js");

/** Starts `ims-stub` with these arguments on a free port and waits for the URL it prints. */
async function start(...args: string[]) {
  return startWith({}, ...args);
}

async function startWith(env: NodeJS.ProcessEnv, ...args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, PORT: "0", IMS_STUB_LOG: "json", ...env } });
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
    for (const name of ["HOST", "PORT", "IMS_STUB_PROJECT_ID", "IMS_STUB_CREDENTIALS", "IMS_STUB_JOB_DURATION_MS", "IMS_STUB_CONTROL_TOKEN", "--allow-open-network"]) expect(run.stdout).toContain(name);
  });

  it("refuses a malformed credentials entry without repeating its secret key", () => {
    const run = spawnSync(process.execPath, [BIN, "--credentials", "GOODAK:goodsecret:p1,BADAK:do-not-print-me"], { encoding: "utf8", env: { ...process.env, PORT: "0" } });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('credentials entry 2 (AK "BADAK") is not AK:SK:PROJECT_ID: it has 2 parts');
    expect(run.stderr).not.toContain("do-not-print-me");
    expect(run.stderr).not.toContain("goodsecret");
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

  it("npm start stops when npm's own process is stopped: npm passes the signal on to the stub itself", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ims-npm-start-"));
    const pidFile = join(dir, "stub.pid");
    let stubPid: number | undefined;
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    try {
      // npm runs the script under a shell; without `exec` the shell took the signal and the stub ran on, re-parented.
      const npm = spawn("npm", ["start", "--silent", "--", "--pid-file", pidFile], { cwd: projectRoot, env: { ...process.env, PORT: "0", IMS_STUB_LOG: "off" } });
      let stdout = "";
      npm.stdout.on("data", (chunk) => (stdout += chunk));
      const url = await new Promise<string>((resolve, reject) => {
        npm.stdout.on("data", () => {
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (m) resolve(m[1]!);
        });
        npm.once("exit", (code) => reject(new Error(`npm start exited with ${code}: ${stdout}`)));
      });
      await expect.poll(() => existsSync(pidFile)).toBe(true);
      const pid = Number(readFileSync(pidFile, "utf8"));
      stubPid = pid;
      expect(pid).not.toBe(npm.pid);
      npm.kill("SIGTERM");
      await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
      await expect(fetch(`${url}/_stub/health`)).rejects.toThrow();
    } finally {
      // A stub left running by a failure here must not outlive the test.
      if (stubPid !== undefined && alive(stubPid)) process.kill(stubPid, "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
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

  describe("off loopback, and with a control token", () => {
    const TOKEN = "ci-control-token-0123456789abcdef";
    const OWN = "PIPELINEAK1:pipeline-secret-1:11111111111111111111111111111111";
    const refusedAtStart = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, PORT: "0", ...env }, timeout: 20_000 });

    // Binding 0.0.0.0 is only attempted: the stub refuses before it listens.
    it("--host 0.0.0.0 with the defaults exits 2 with one line naming the flags that fix it, and never listens", () => {
      const run = refusedAtStart(["--host", "0.0.0.0"]);
      expect(run.status).toBe(2);
      expect(run.stdout).toBe("");
      const lines = run.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^ims-stub: refusing to listen on 0\.0\.0\.0 \(every interface\), not a loopback address, while the control API needs no token/);
      for (const fix of ["--control-token", "--credentials", "--allow-open-network"]) expect(lines[0]).toContain(fix);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });

    it.each<[string, string[], NodeJS.ProcessEnv, string]>([
      ["an empty token in the environment", [], { IMS_STUB_CONTROL_TOKEN: "" }, "ims-stub: the control token is empty"],
      ["a short token", ["--control-token", "short"], {}, "ims-stub: the control token is 5 characters long"],
      ["a token but the published pair off loopback", ["--host", "0.0.0.0", "--control-token", TOKEN], {}, "ims-stub: refusing to listen on 0.0.0.0"],
    ])("%s: exit 2, one line, no stack trace", (_name, args, env, message) => {
      const run = refusedAtStart(args, env);
      expect(run.status).toBe(2);
      expect(run.stderr.trimEnd().split("\n")).toEqual([expect.stringContaining(message)]);
    });

    // To see the gate let a configured or opted-out stub through without it listening on the network, the port it
    // asks for is held on 127.0.0.1: the bind to 0.0.0.0 then fails with EADDRINUSE, after the settings passed.
    it.each<[string, string[]]>([
      ["a token and own credentials", ["--control-token", TOKEN, "--credentials", OWN]],
      ["--allow-open-network", ["--allow-open-network"]],
    ])("off loopback with %s, the settings pass and the stub goes on to listen", async (_name, args) => {
      const holder = createServer();
      const port = await new Promise<number>((resolve) => holder.listen(0, "127.0.0.1", () => resolve((holder.address() as { port: number }).port)));
      try {
        const run = refusedAtStart(["--host", "0.0.0.0", "--port", String(port), ...args]);
        expect(run.stdout).not.toContain("listening on");
        expect(run.stderr).toContain(`ims-stub: cannot listen on 0.0.0.0:${port}: listen EADDRINUSE`);
        expect(run.status).toBe(1);
      } finally {
        holder.close();
      }
    }, 30_000);

    it("on loopback with defaults, the start-up line says what is open: any token, the published pair by its AK, no control token", async () => {
      const { child, output } = await start();
      try {
        const line = output().split("\n")[0]!;
        expect(line).toContain("bound to 127.0.0.1 (loopback only)");
        expect(line).toContain("IMS API: any X-Auth-Token");
        expect(line).toContain("EXAMPLEAK1234567890 (project 0123456789abcdef0123456789abcdef, the published example pair)");
        expect(line).toContain("control API: open, no token");
        expect(line).not.toContain("EXAMPLESK");
      } finally {
        child.kill("SIGTERM");
      }
    }, 30_000);

    it("with a token: the control API asks for it, health does not, the IMS API is as before, and no secret is printed", async () => {
      const { child, url, output } = await startWith({ IMS_STUB_CONTROL_TOKEN: TOKEN }, "--credentials", OWN);
      try {
        const line = output().split("\n")[0]!;
        expect(line).toContain("AK/SK of PIPELINEAK1 (project 11111111111111111111111111111111)");
        expect(line).toContain("control API: needs its Bearer token (health open)");
        expect(output()).not.toContain(TOKEN);
        expect(output()).not.toContain("pipeline-secret-1");

        expect((await fetch(`${url}/_stub/health`)).status).toBe(200);
        const refused = await fetch(`${url}/_stub/reset`, { method: "POST" });
        expect(refused.status).toBe(401);
        expect((await refused.json()).error.code).toBe("IMG.0087");
        expect((await fetch(`${url}/_stub/reset`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
        expect((await fetch(`${url}/_stub/reset`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(204);
        expect((await fetch(`${url}/v1/cloudimages/job/abc`, { headers: { "X-Auth-Token": "t" } })).status).toBe(404);
      } finally {
        child.kill("SIGTERM");
      }
    }, 30_000);
  });
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

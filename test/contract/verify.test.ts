// `ims-verify`, as installed (dist/server/verify.js; npm test builds it): passes against the stub with a token
// and with AK/SK, fails against a provider that breaks the contract, creates nothing without --allow-create, cleans
// up when interrupted, and refuses what it cannot verify with exit 2. The mutation harness is mutants.test.ts.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../scripts/project-root.ts";
import { faultyProvider } from "../helpers/faulty.ts";
import { AK, PROJECT_ID, SK, startStub, type RunningStub } from "../helpers/stub.ts";

const VERIFY = join(projectRoot, "dist/server/verify.js");

function verify(...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [VERIFY, ...args], { env: { ...process.env, NO_COLOR: "1" } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    ),
  );
}

let stub: RunningStub;
let dir: string;
beforeAll(async () => {
  // A stub with a control token, as a shared one runs: ims-verify still knows it by its health check, which needs
  // none (the stub-only workflow runs only then).
  stub = await startStub({ progression: "timed", controlToken: "verify-control-token-0123456789" });
  dir = mkdtempSync(join(tmpdir(), "ims-verify-test-"));
});
afterAll(async () => {
  await stub.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("ims-verify", () => {
  it("without --allow-create sends only reads and refused requests: passes, and creates, changes or deletes nothing", async () => {
    const before = await (await fetch(`${stub.url}/_stub/images`, { headers: stub.controlHeaders })).text();
    const { code, output } = await verify("--server", stub.url, "--token", "t", "--project-id", PROJECT_ID, "--seed", "7");
    expect(output, output).toMatch(/^PASS workflow /m);
    expect(output).toMatch(/^PASS negative /m);
    expect(output).toMatch(/workflows not run: systemImageFromServer \(it creates images: --allow-create\)/);
    expect(output).toMatch(/skipped state: the image's life.*--allow-create/);
    expect(output).toMatch(/\d+ checks passed, 0 failed, \d+ skipped; coverage: \d+ of \d+ documented responses exercised; seed 7;/);
    expect(code).toBe(0);
    expect(stub.app.jobs.size).toBe(0);
    expect(await (await fetch(`${stub.url}/_stub/images`, { headers: stub.controlHeaders })).text()).toBe(before);
  }, 120_000);

  it("with --allow-create and AK/SK checks the image's life, leaves no image behind, and writes JUnit, JSON and Markdown", async () => {
    const [junitFile, jsonFile, markdownFile] = ["junit.xml", "report.json", "report.md"].map((name) => join(dir, name)) as [string, string, string];
    const { code, output } = await verify("--server", stub.url, "--ak", AK, "--sk", SK, "--project-id", PROJECT_ID, "--allow-create", "--junit", junitFile, "--json", jsonFile, "--markdown", markdownFile);
    expect(output, output).toMatch(/\d+ checks passed, 0 failed/);
    expect(output).toMatch(/^PASS state /m);
    expect(output).toMatch(/^PASS isolation /m);
    expect(code).toBe(0);
    expect(stub.app.jobs.size).toBeGreaterThan(0);
    expect(stub.app.images.size, "every image the run made was deleted").toBe(0);
    const xml = readFileSync(junitFile, "utf8");
    expect(xml).toContain('<testsuite name="workflow"');
    expect(xml).toContain("dataImagesFromServer");
    expect(xml).not.toContain("<failure");
    const report = JSON.parse(readFileSync(jsonFile, "utf8"));
    expect(report.checks.some((check: { group: string; name: string }) => check.group === "state" && /paging/.test(check.name))).toBe(true);
    expect(report.coverage.find((row: { operationId: string; status: number }) => row.operationId === "GlanceDeleteImage" && row.status === 404).codes).toEqual(["IMG.0121"]);
    expect(report.leftBehind).toEqual([]);
    expect(readFileSync(markdownFile, "utf8")).toMatch(/## Coverage: \d+ of \d+ documented responses exercised/);
  }, 180_000);

  it("fails against a provider that breaks the contract, naming the rule, the request and the answer", async () => {
    const faulty = await faultyProvider(stub.url, ({ status, body }) => (status === 400 ? { body: { code: (body as { error: { code: string } }).error.code } } : undefined));
    try {
      const report = join(dir, "faulty.xml");
      const { code, output } = await verify("--server", faulty.url, "--token", "t", "--project-id", PROJECT_ID, "--junit", report);
      expect(code).toBe(1);
      expect(output).toMatch(/^FAIL refusal /m);
      expect(output).toMatch(/rule: .*\n\s+request: POST \/v2\.1\/cloudimages\/action/);
      expect(readFileSync(report, "utf8")).toContain("<failure");
    } finally {
      await faulty.close();
    }
  }, 120_000);

  it("deletes what it made when interrupted, and exits 2", async () => {
    const slow = await startStub({ progression: "timed", jobDurationMs: 4000 });
    try {
      const child = spawn(process.execPath, [VERIFY, "--server", slow.url, "--token", "t", "--project-id", PROJECT_ID, "--allow-create", "--workflow", "systemImageFromServer"]);
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      await expect.poll(() => slow.app.jobs.size, { timeout: 20_000 }).toBeGreaterThan(0);
      child.kill("SIGINT");
      const code = await new Promise((resolve) => child.on("exit", resolve));
      expect(output).toContain("SIGINT: deleting what this run made");
      expect(output).toContain("cleaned up; the run was not finished");
      expect(code).toBe(2);
      expect(slow.app.images.size).toBe(0);
    } finally {
      await slow.close();
    }
  }, 60_000);

  it("refuses to run without credentials, with usage", async () => {
    const { code, output } = await verify("--server", stub.url);
    expect(code).toBe(2);
    expect(output).toContain("Usage: ims-verify");
  });

  it("never lets a --workflow that the safety filter leaves out run every workflow instead", async () => {
    const jobsBefore = stub.app.jobs.size;
    const { code, output } = await verify("--server", stub.url, "--token", "t", "--project-id", PROJECT_ID, "--workflow", "systemImageFromServer");
    expect(code).toBe(2);
    expect(output).toContain("none of the workflows asked for can run against");
    expect(output).toContain("it creates images: --allow-create");
    expect(stub.app.jobs.size).toBe(jobsBefore);
  });
});

describe("ims-verify's first command-line mistakes: each names what was wrong and what would be right", () => {
  const creds = ["--token", "t", "--project-id", PROJECT_ID];
  let closed: string;
  let html: HttpServer;
  let hangsUp: Server;
  const urlOf = (server: Server | HttpServer) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  beforeAll(async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closed = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise((resolve) => server.close(resolve));
    // A web server that is not IMS, and one that takes the connection and answers nothing.
    html = createHttpServer((_req, res) => res.writeHead(200, { "Content-Type": "text/html" }).end("<html><body>Welcome</body></html>"));
    hangsUp = createServer((socket) => socket.destroy());
    await Promise.all([html, hangsUp].map((s) => new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))));
  });
  afterAll(async () => {
    await Promise.all([html, hangsUp].map((s) => new Promise((resolve) => s.close(resolve))));
  });
  it.each<[string, () => string[], string]>([
    ["a misspelt flag", () => ["--sever", stub.url, ...creds], "ims-verify: unknown option --sever; did you mean --server? (ims-verify --help lists every option)"],
    ["a camelCase flag", () => ["--server", stub.url, "--token", "t", "--projectId", PROJECT_ID], "ims-verify: unknown option --projectId; did you mean --project-id? (ims-verify --help lists every option)"],
    ["a server without its scheme", () => ["--server", "127.0.0.1:8080", ...creds], 'ims-verify: --server must be an http:// or https:// URL, not "127.0.0.1:8080"; did you mean http://127.0.0.1:8080?'],
    ["no project", () => ["--server", stub.url, "--token", "t"], "ims-verify: --project-id is required: the project the credentials belong to"],
    ["an AK without its SK", () => ["--server", stub.url, "--ak", "AK", "--project-id", PROJECT_ID], "ims-verify: --sk is required with --ak: an AK/SK pair needs both"],
    ["a token and a key pair", () => ["--server", stub.url, "--ak", "AK", "--sk", "SK", ...creds], "ims-verify: give --token, or --ak with --sk, not both"],
    ["a misspelt workflow", () => ["--server", stub.url, ...creds, "--workflow", "refusedBody"], "ims-verify: --workflow refusedBody is not a workflow of the contract; did you mean refusedBodies? (the workflows: "],
    ["a provider that is not running", () => ["--server", `http://${closed}`, ...creds], "ims-verify: cannot reach --server http://127.0.0.1:"],
    ["a provider that answers HTML", () => ["--server", urlOf(html), ...creds], `ims-verify: ${"http://127.0.0.1:"}`],
    ["a provider that answers nothing", () => ["--server", urlOf(hangsUp), ...creds, "--request-timeout", "5"], "ims-verify: cannot reach --server http://127.0.0.1:"],
    ["a wrong secret key", () => ["--server", stub.url, "--ak", AK, "--sk", `${SK}x`, "--project-id", PROJECT_ID], "ims-verify: the provider refused the credentials: GET /v2/cloudimages answered 401"],
    ["a misspelt --job-timeout", () => ["--server", stub.url, ...creds, "--job-timout", "60"], "ims-verify: unknown option --job-timout; did you mean --job-timeout?"],
    ["a job timeout that is not a number", () => ["--server", stub.url, ...creds, "--job-timeout", "10m"], 'ims-verify: --job-timeout must be a number of seconds from 1 to 86400, not "10m"'],
    ["a seed that is not a number", () => ["--server", stub.url, ...creds, "--seed", "abc"], 'ims-verify: --seed must be a whole number of up to 9 digits, not "abc"'],
  ])("%s", async (_label, args, message) => {
    const { code, output } = await verify(...args());
    expect(code).toBe(2);
    expect(output.startsWith(message), output).toBe(true);
    if (_label === "a provider that is not running") expect(output).toContain(`connection refused (ECONNREFUSED ${closed}): nothing is listening there`);
    if (_label === "a provider that answers HTML") expect(output).toContain("does not answer as the IMS API: GET /v2/cloudimages answered 200 text/html");
    expect(output, "one clear line, never a stack trace").not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);
  });
});

// `ims-verify`, as installed (dist/server/verify.js; npm test builds it): passes against the stub with a token
// and with AK/SK, fails against a provider that breaks the contract, and creates nothing without --allow-create.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
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
    const imagesBefore = stub.app.images.size;
    const { code, output } = await verify("--server", stub.url, "--token", "t", "--project-id", PROJECT_ID);
    expect(output).toContain("PASS refusedBodies");
    expect(output).toContain("PASS refusedCalls");
    expect(output).toContain("PASS readImages");
    expect(output).toMatch(/not run: .*systemImageFromServer/);
    expect(output).toMatch(/not run: .*imageLife/);
    expect(code).toBe(0);
    expect(stub.app.jobs.size).toBe(0);
    expect(stub.app.images.size).toBe(imagesBefore);
  }, 120_000);

  it("with --allow-create and AK/SK runs every workflow through its signing proxy, and writes JUnit", async () => {
    const report = join(dir, "junit.xml");
    const { code, output } = await verify("--server", stub.url, "--ak", AK, "--sk", SK, "--project-id", PROJECT_ID, "--allow-create", "--junit", report);
    expect(output, output).toMatch(/9 of 9 workflows passed; checks: \d+ passed, 0 failed/);
    expect(code).toBe(0);
    expect(stub.app.jobs.size).toBeGreaterThan(0);
    const xml = readFileSync(report, "utf8");
    expect(xml).toContain('<testsuite name="dataImagesFromServer"');
    expect(xml).not.toContain("<failure");
  }, 120_000);

  it("fails against a provider that breaks the contract, naming what broke", async () => {
    const faulty = await faultyProvider(stub.url, ({ status, body }) => (status === 400 ? { body: { code: (body as { error: { code: string } }).error.code } } : undefined));
    try {
      const report = join(dir, "faulty.xml");
      const { code, output } = await verify("--server", faulty.url, "--token", "t", "--project-id", PROJECT_ID, "--junit", report);
      expect(code).toBe(1);
      expect(output).toContain("FAIL refusedBodies");
      expect(readFileSync(report, "utf8")).toContain("<failure");
    } finally {
      await faulty.close();
    }
  }, 120_000);

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
    expect(output).toContain("they create images: add --allow-create to run them");
    expect(stub.app.jobs.size).toBe(jobsBefore);
  });
});

describe("ims-verify's first command-line mistakes: each names what was wrong and what would be right", () => {
  const creds = ["--token", "t", "--project-id", PROJECT_ID];
  let closed: string;
  beforeAll(async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closed = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise((resolve) => server.close(resolve));
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
  ])("%s", async (_label, args, message) => {
    const { code, output } = await verify(...args());
    expect(code).toBe(2);
    expect(output.startsWith(message), output).toBe(true);
    if (_label === "a provider that is not running") expect(output).toContain(`connection refused (ECONNREFUSED ${closed}): nothing is listening there`);
  });
});

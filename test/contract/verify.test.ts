// `ims-verify`, as installed (dist/server/verify.js; npm test builds it): passes against the stub with a token
// and with AK/SK, fails against a provider that breaks the contract, and creates nothing without --allow-create.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../scripts/generate.ts";
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
});

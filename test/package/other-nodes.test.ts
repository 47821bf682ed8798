// The packed tarball under the other Node.js lines the package supports: installed with that Node's npm run,
// with nothing to approve, the client loaded from ESM and CommonJS, ims-stub serving a client's whole flow, and
// the testing guide's node:test file under that Node's `node --test`.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLOW_SCRIPT, guideBlock, installScriptNotices, npmInstall, PACKAGE, packedTarball } from "../helpers/consumer.ts";

// The suite runs on one Node.js line (24 in CI); the tarball is installed and used under the others it supports
// too: each binary named in IMS_TEST_OTHER_NODES (colon-separated; .ci/run gives Node 22's).
const otherNodes = (process.env.IMS_TEST_OTHER_NODES ?? "").split(":").filter(Boolean);
const major = (node: string) => Number(execFileSync(node, ["-p", "process.versions.node.split('.')[0]"], { encoding: "utf8" }));

it.runIf(process.env.CI === "true")("is installed under Node 22 and 24 in CI", () => {
  const majors = new Set([Number(process.versions.node.split(".")[0]), ...otherNodes.map(major)]);
  expect([...majors]).toEqual(expect.arrayContaining([22, 24]));
});

describe.each(otherNodes.map((node) => [major(node), node] as const))("under Node %i too", (_major, node) => {
  let project: string;
  let warnings: string[];
  const path = `${dirname(node)}:${process.env.PATH}`;
  const runHere = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    execFileSync(node, args, { cwd: project, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PATH: path, NODE_OPTIONS: "", ...env } });

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), "ims-node-"));
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }, null, 2));
    warnings = npmInstall(project, [packedTarball()], path);
  }, 240_000);
  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it("installs with nothing to approve, and the client loads from ESM and CommonJS", () => {
    expect(installScriptNotices(warnings)).toEqual([]);
    writeFileSync(join(project, "check.mjs"), `import { createImsClient } from "${PACKAGE}/client";\nconsole.log(process.versions.node.split(".")[0], typeof createImsClient);\n`);
    writeFileSync(join(project, "check.cjs"), `const { createImsClient } = require("${PACKAGE}/client");\nconsole.log(typeof createImsClient);\n`);
    expect(runHere(["check.mjs"]).trim()).toBe(`${_major} function`);
    expect(runHere(["check.cjs"]).trim()).toBe("function");
  });

  it("ims-stub serves there, and a client's whole flow runs against it", async () => {
    writeFileSync(join(project, "flow.mjs"), FLOW_SCRIPT);
    const child = spawn(node, [join(project, "node_modules", PACKAGE, "dist/server/main.js"), "--port", "0", "--log", "off"], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
    try {
      let stdout = "";
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on("data", (chunk) => {
          stdout += chunk;
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (m) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`ims-stub exited with ${code}: ${stdout}`)));
      });
      expect(runHere(["flow.mjs"], { IMS_ENDPOINT: url })).toMatch(/^created image [0-9a-f-]{36}/);
    } finally {
      child.kill("SIGTERM");
    }
  }, 60_000);

  it("the node:test file of the testing guide passes under its node --test", () => {
    writeFileSync(join(project, "ims-failures.test.mjs"), guideBlock("testing-node-test"));
    const output = runHere(["--test", "ims-failures.test.mjs"], { NO_COLOR: "1", FORCE_COLOR: "0" });
    expect(output).toMatch(/^(# |ℹ )pass 2$/m);
    expect(output).toMatch(/^(# |ℹ )fail 0$/m);
  }, 120_000);
});

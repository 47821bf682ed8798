// The testing guide's files (spec/guides/testing-against-failures.md), run as written in a project that installed
// the packed tarball: the vitest file under vitest, the node:test file under `node --test`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devVersion, guideBlock, npmInstall, packedTarball } from "../helpers/consumer.ts";

describe("startStub() in another team's tests, as the testing guide writes them", () => {
  // A project of its own: the consumer's (consumer.test.ts) must stay free of test frameworks.
  let tests: string;
  const runIn = (command: string, args: string[]) =>
    execFileSync(command, args, { cwd: tests, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_OPTIONS: "", NO_COLOR: "1", FORCE_COLOR: "0" } });

  beforeAll(() => {
    tests = mkdtempSync(join(tmpdir(), "ims-tests-"));
    writeFileSync(join(tests, "package.json"), JSON.stringify({ name: "tests", version: "1.0.0", private: true, type: "module" }, null, 2));
    npmInstall(tests, [packedTarball(), devVersion("vitest")]);
  }, 240_000);
  afterAll(() => {
    if (tests) rmSync(tests, { recursive: true, force: true });
  });

  it("the testing guide's vitest file passes under vitest", () => {
    writeFileSync(join(tests, "ims-failures.test.ts"), guideBlock("testing-vitest"));
    const output = runIn(join(tests, "node_modules/.bin/vitest"), ["run", "--reporter=verbose", "ims-failures.test.ts"]);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes, should any get through
    expect(output.replace(/\x1b\[[0-9;]*m/g, "")).toMatch(/Tests\s+7 passed \(7\)/);
  }, 120_000);

  it("the testing guide's node:test file passes under node --test", () => {
    writeFileSync(join(tests, "ims-failures.test.mjs"), guideBlock("testing-node-test"));
    const output = runIn("node", ["--test", "ims-failures.test.mjs"]);
    // The summary is TAP's (`# pass 2`) on Node 20 and 22 when the output is not a terminal, the spec reporter's
    // (`ℹ pass 2`) on Node 24 and later.
    expect(output).toMatch(/^(# |ℹ )pass 2$/m);
    expect(output).toMatch(/^(# |ℹ )fail 0$/m);
  }, 120_000);
});


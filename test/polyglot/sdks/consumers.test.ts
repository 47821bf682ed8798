// How a consumer's run ends when it goes wrong: a hang is ended at its timeout, and the message names the stub's
// last request; a failing run says its exit code and output.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStub, TOKEN_HEADERS, type RunningStub } from "../../helpers/stub.ts";
import { requireTools, run } from "./consumers.ts";

let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub();
});
afterAll(() => stub.close());

describe("a consumer's run", () => {
  it("that hangs is ended at its timeout, with the stub's last request in the message", async () => {
    await fetch(`${stub.url}/v1/cloudimages/quota`, { headers: TOKEN_HEADERS });
    const started = performance.now();
    const hung = run("sleep", ["30"], { timeoutMs: 500, stub });
    await expect(hung).rejects.toThrow(/sleep 30 hung: ended after 0.5 s; the stub's last request: \{.*"operation":"ShowImageQuota"/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("that fails says its exit code and the tail of its output", async () => {
    await expect(run("sh", ["-c", "echo the reason >&2; exit 3"], { timeoutMs: 5_000 })).rejects.toThrow(/failed \(exit 3\)[\s\S]*the reason/);
  });

  it("of a missing toolchain is skipped with the reason, or fails under CI", () => {
    const tool = { command: "no-such-toolchain-26", args: ["--version"], what: "a toolchain nobody has" };
    const skipped: string[] = [];
    const ci = process.env.CI;
    try {
      process.env.CI = "false";
      requireTools((note) => skipped.push(note), [tool]);
      expect(skipped).toEqual(["missing toolchain: a toolchain nobody has (`no-such-toolchain-26` not found)"]);
      process.env.CI = "true";
      expect(() => requireTools((note) => skipped.push(note), [tool])).toThrow(/missing toolchain: a toolchain nobody has .*; CI needs it/);
      expect(skipped).toHaveLength(1);
    } finally {
      if (ci === undefined) delete process.env.CI;
      else process.env.CI = ci;
    }
  });
});

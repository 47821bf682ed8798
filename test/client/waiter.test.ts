// The waiter's backoff and option checks, without a server.
import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../client/index.ts";
import { waitForJob } from "../../client/waiter.ts";

describe("backoffDelay", () => {
  it("grows exponentially within [minDelay, minDelay·2^(n−1)], then stays at maxDelay", () => {
    const top = () => 0.999999;
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => Math.round(backoffDelay(n, 2, 30, top)))).toEqual([2, 4, 8, 16, 30, 30, 30]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 2, 30, () => 0))).toEqual([2, 2, 2, 2]);
  });
});

describe("waitForJob options", () => {
  const read = () => Promise.reject(new Error("must not be called"));
  it.each<[string, Parameters<typeof waitForJob>[1], ErrorConstructor]>([
    ["maxWaitTime 0", { maxWaitTime: 0 }, RangeError],
    ["maxWaitTime missing", {} as never, TypeError],
    ["minDelay negative", { maxWaitTime: 1, minDelay: -1 }, RangeError],
    ["maxDelay below minDelay", { maxWaitTime: 10, minDelay: 5, maxDelay: 1 }, RangeError],
  ])("%s is refused before any request", async (_label, options, kind) => {
    await expect(waitForJob(read, options)).rejects.toBeInstanceOf(kind);
  });
});

// Throttling as the API gateway does it (--rate-limit): a burst over the limit gets 429 APIG.0308 with
// Retry-After, per project; the control API never; our waiter still finishes every job; Prefer: code=429 too.
import { afterEach, describe, expect, it } from "vitest";
import { createImsClient, ImsThrottledError, type CreateImageBody } from "../../client/index.ts";
import { readSettings } from "../../server/config.ts";
import { loadSpec } from "../../server/contract/spec.ts";
import { body } from "../helpers/bodies.ts";
import { AK, control, PROJECT_ID, SK, startStub, TOKEN_HEADERS, type RunningStub } from "../helpers/stub.ts";

const OTHER_PROJECT = "fedcba9876543210fedcba9876543210";
let stub: RunningStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const showJobProgress = (url: string, headers: Record<string, string> = TOKEN_HEADERS) => fetch(`${url}/v1/cloudimages/job/ffffffffffffffffffffffffffffffff`, { headers });

describe("--rate-limit", () => {
  it("a burst past N a second gets 429 in the gateway's shape, APIG.0308 with its message, and Retry-After", async () => {
    stub = await startStub({ rateLimit: 5 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => showJobProgress(stub!.url)));
    const statuses = answers.map((a) => a.status);
    // The burst takes milliseconds: one window lets 5 through (two, on a machine slow enough to cross a second).
    expect(statuses.filter((s) => s === 404).length).toBeGreaterThanOrEqual(5);
    expect(statuses.filter((s) => s === 404).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((s) => s !== 404).every((s) => s === 429)).toBe(true);
    const throttled = answers.find((a) => a.status === 429)!;
    expect(throttled.headers.get("retry-after")).toBe("1");
    expect(throttled.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await throttled.json()).toEqual({
      error_code: "APIG.0308",
      error_msg: "The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 second",
      request_id: throttled.headers.get("x-request-id"),
    });
  });

  it("counts per project: another project's calls have their own budget", async () => {
    stub = await startStub({ rateLimit: 3, credentials: new Map([[AK, { sk: SK, projectId: OTHER_PROJECT }]]) });
    const tokenCalls = await Promise.all(Array.from({ length: 6 }, () => showJobProgress(stub!.url)));
    expect(tokenCalls.filter((a) => a.status === 429).length).toBeGreaterThan(0);
    const signed = createImsClient({ endpoint: stub.url, auth: { ak: AK, sk: SK, projectId: OTHER_PROJECT }, retry: false });
    const quota = await signed.showImageQuota();
    expect(quota.quotas.resources[0]).toBeDefined();
  });

  it("never throttles the control API", async () => {
    stub = await startStub({ rateLimit: 1 });
    await Promise.all(Array.from({ length: 5 }, () => showJobProgress(stub!.url)));
    const calls = await Promise.all(Array.from({ length: 30 }, () => control(stub!, "GET", "/health")));
    expect(calls.map((c) => c.status)).toEqual(Array(30).fill(200));
    expect((await control(stub, "GET", "/requests?status=429")).status).toBe(200);
  });

  it("reset starts the count again", async () => {
    stub = await startStub({ rateLimit: 2 });
    await Promise.all(Array.from({ length: 4 }, () => showJobProgress(stub!.url)));
    expect((await showJobProgress(stub.url)).status).toBe(429);
    await control(stub, "POST", "/reset");
    expect((await showJobProgress(stub.url)).status).toBe(404);
  });

  it("our waiter still finishes every job of a burst, waiting out each Retry-After, and a caller's retry gets every create through", async () => {
    stub = await startStub({ rateLimit: 4, progression: "immediate" });
    const client = createImsClient({ endpoint: stub.url, auth: { token: "t", projectId: PROJECT_ID } });
    const retryThrottled = { retry: (error: unknown) => error instanceof ImsThrottledError };
    const created = await Promise.all(Array.from({ length: 8 }, () => client.createImage(body("volume") as CreateImageBody, retryThrottled)));
    const results = await Promise.all(created.map(({ job_id }) => client.waitForJob(job_id, { maxWaitTime: 60, minDelay: 0.05, maxDelay: 0.2 })));
    expect(results.map((r) => r.state)).toEqual(Array(8).fill("SUCCESS"));
    expect(results.reduce((sum, r) => sum + (r.observedResponses["429"] ?? 0), 0)).toBeGreaterThan(0);
    const journal = await (await control(stub, "GET", "/requests?operation=CreateImage")).json();
    // Every throttled create was refused by the gateway: 8 jobs exist, however many creates were sent.
    expect(journal.requests.filter((r: { status: number }) => r.status === 200)).toHaveLength(8);
    expect((await (await control(stub, "GET", "/jobs")).json()).jobs).toHaveLength(8);
  }, 60_000);

  it("is off by default, and read from --rate-limit or IMS_STUB_RATE_LIMIT", () => {
    expect(readSettings([], {})).toMatchObject({ rateLimit: 0 });
    expect(readSettings(["--rate-limit", "20"], {})).toMatchObject({ rateLimit: 20 });
    expect(readSettings([], { IMS_STUB_RATE_LIMIT: "7" })).toMatchObject({ rateLimit: 7 });
    expect(() => readSettings(["--rate-limit=-1"], {})).toThrow('rate-limit must be a whole number from 0 to 1000000, not "-1"');
    expect(() => readSettings(["--rate-limit", "fast"], {})).toThrow("rate-limit must be a whole number");
  });
});

describe("Prefer: code=429", () => {
  const operations = Object.entries(loadSpec().paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([, operation]) => operation?.operationId)
      .map(([method, operation]) => [operation.operationId!, method.toUpperCase(), path] as const),
  );

  it("is documented on every operation", () => {
    const spec = loadSpec();
    expect(operations.length).toBeGreaterThan(10);
    for (const [operationId, method, path] of operations) {
      expect(Object.keys(spec.paths[path]![method.toLowerCase()]!.responses ?? {}), operationId).toContain("429");
    }
  });

  it("answers the throttled example with its Retry-After, on any operation", async () => {
    stub = await startStub();
    const answer = await fetch(`${stub.url}/v2/cloudimages`, { headers: { ...TOKEN_HEADERS, Prefer: "code=429" } });
    expect(answer.status).toBe(429);
    expect(answer.headers.get("retry-after")).toBe("1");
    expect((await answer.json()).error_code).toBe("APIG.0308");
  });
});

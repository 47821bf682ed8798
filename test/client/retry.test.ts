// Our client as a good citizen, against the stub's faults over real sockets: each fault as a typed error, reads
// sent again (Retry-After honoured), creates never on the client's own say, and the waiter through throttling
// and a seeded 30 % fault rule, the same run twice.
import { createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createImsClient,
  ImsConnectionResetError,
  ImsError,
  ImsMalformedResponseError,
  ImsNetworkError,
  ImsThrottledError,
  mayHaveBeenCarriedOut,
  retryAfterSeconds,
  type CreateImageBody,
  type ImsClientOptions,
} from "../../client/index.ts";
import { retryPolicy, withRetries } from "../../client/retry.ts";
import { body } from "../helpers/bodies.ts";
import { control, PROJECT_ID, startStub, type RunningStub } from "../helpers/stub.ts";

let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub({ progression: "per-poll" });
});
afterAll(() => stub.close());
beforeEach(async () => {
  await control(stub, "POST", "/reset");
});

const quick = { minDelay: 0.01, maxDelay: 0.05 };
const client = (options: Partial<ImsClientOptions> = {}) => createImsClient({ endpoint: stub.url, auth: { token: "t", projectId: PROJECT_ID }, retry: quick, ...options });
const addRule = async (rule: Record<string, unknown>) => expect((await control(stub, "POST", "/faults", rule)).status).toBe(201);
const journal = async (query: string) => (await (await control(stub, "GET", `/requests${query}`)).json()).requests as Record<string, any>[];
const jobCount = async () => (await (await control(stub, "GET", "/jobs")).json()).jobs.length as number;
const newJob = async () => (await client().createImage(body("volume") as CreateImageBody)).job_id;

describe("each fault, as our client meets it", () => {
  it.each<[string, string, string, new (...args: never[]) => Error]>([
    ["connection-reset", "connection-reset", "the connection was closed before an answer came (ECONNRESET", ImsConnectionResetError],
    ["empty-response", "connection-reset", "the connection was closed before an answer came (UND_ERR_SOCKET", ImsConnectionResetError],
    ["malformed-body", "invalid-response", "got no usable answer: its body is not JSON", ImsMalformedResponseError],
  ])("%s: a typed error that is an ImsNetworkError of kind %s, saying what happened", async (fault, kind, message, type) => {
    const jobId = await newJob();
    await addRule({ operation: "ShowJob", fault });
    const error = await client({ retry: false }).showJob(jobId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(ImsNetworkError);
    expect(error).toMatchObject({ kind, name: type.name });
    expect((error as Error).message).toContain(message);
    expect(mayHaveBeenCarriedOut(error)).toBe(true);
  });

  it("a throttle: an ImsThrottledError (an ImsError) with the Retry-After in seconds", async () => {
    await addRule({ operation: "ShowImageQuota", status: 429 });
    const error = await client({ retry: false }).showImageQuota().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImsThrottledError);
    expect(error).toBeInstanceOf(ImsError);
    expect(error).toMatchObject({ status: 429, code: "APIG.0308", retryAfter: 1, name: "ImsThrottledError" });
    expect(mayHaveBeenCarriedOut(error)).toBe(false);
  });
});

describe("reads are sent again", () => {
  it.each(["connection-reset", "empty-response", "malformed-body"])("after a %s, with backoff, until one gets through", async (fault) => {
    const jobId = await newJob();
    await addRule({ operation: "ShowJob", fault, times: 2 });
    expect((await client().showJob(jobId)).job_id).toBe(jobId);
    expect((await journal("?operation=ShowJob")).map((r) => r.fault ?? r.status)).toEqual([fault, fault, 200]);
  });

  it("after a 503, and gives up after maxAttempts with the last error", async () => {
    await addRule({ operation: "ListImages", status: 503 });
    const error = await client({ retry: { ...quick, maxAttempts: 4 } }).listImages().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503 });
    expect(await journal("?operation=ListImages")).toHaveLength(4);
  });

  it("not after a 4xx that sending again cannot fix", async () => {
    const error = await client().showJob("ffffffffffffffffffffffffffffffff").catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404 });
    expect(await journal("?operation=ShowJob")).toHaveLength(1);
  });

  it("after a throttle, no sooner than its Retry-After asks", async () => {
    await addRule({ operation: "ShowImageQuota", status: 429, times: 1 });
    await client().showImageQuota();
    const [first, second] = await journal("?operation=ShowImageQuota");
    expect(first!.status).toBe(429);
    expect(second!.status).toBe(200);
    expect(Date.parse(second!.time) - Date.parse(first!.time)).toBeGreaterThanOrEqual(1000);
  });

  it("a Retry-After longer than maxRetryAfter ends the call with the throttle, for the caller to decide", async () => {
    await addRule({ operation: "ShowImageQuota", status: 429 });
    const error = await client({ retry: { ...quick, maxRetryAfter: 0.5 } }).showImageQuota().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImsThrottledError);
    expect(await journal("?operation=ShowImageQuota")).toHaveLength(1);
  });

  it("retry: false sends each read once", async () => {
    const jobId = await newJob();
    await addRule({ operation: "ShowJob", fault: "empty-response", times: 1 });
    await expect(client({ retry: false }).showJob(jobId)).rejects.toBeInstanceOf(ImsConnectionResetError);
    expect(await journal("?operation=ShowJob")).toHaveLength(1);
  });

  it("an abort during the backoff ends the read with the signal's reason", async () => {
    await addRule({ operation: "ShowImageQuota", status: 429 });
    const error = await client().showImageQuota({ signal: AbortSignal.timeout(300) }).catch((e: unknown) => e);
    expect((error as Error).name).toBe("TimeoutError");
    expect(await journal("?operation=ShowImageQuota")).toHaveLength(1);
  });

  it.each<[string, unknown, string]>([
    ["maxAttempts 0", { maxAttempts: 0 }, "options.retry.maxAttempts must be a whole number of at least 1 (got 0)"],
    ["minDelay 0", { minDelay: 0 }, "options.retry.minDelay must be above 0 seconds"],
    ["maxDelay below minDelay", { minDelay: 2, maxDelay: 1 }, "options.retry.maxDelay must be at least minDelay"],
    ["maxRetryAfter negative", { maxRetryAfter: -1 }, "options.retry.maxRetryAfter must be 0 seconds or more"],
    ["a misspelt option", { retries: 5 }, "options.retry.retries is not an option"],
    ["not an object", "often", "options.retry must be false or an object"],
  ])("refuses a retry option out of range: %s", (_label, retry, message) => {
    expect(() => createImsClient({ endpoint: stub.url, auth: { token: "t" }, retry: retry as never })).toThrow(message);
  });
});

describe("creates are never sent again on the client's own say", () => {
  it("a create whose answer was lost is an error, sent once, and its job exists: another create would make a second image", async () => {
    await addRule({ operation: "CreateImage", fault: "connection-reset", times: 1 });
    const error = await client().createImage(body("serverSystem") as CreateImageBody).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImsConnectionResetError);
    expect(mayHaveBeenCarriedOut(error)).toBe(true);
    expect(await journal("?operation=CreateImage")).toHaveLength(1);
    expect(await jobCount()).toBe(1);
  });

  it("a throttled create is sent again only when the caller's retry says so, after its Retry-After", async () => {
    await addRule({ operation: "CreateImage", status: 429, times: 1 });
    await expect(client().createImage(body("serverSystem") as CreateImageBody)).rejects.toBeInstanceOf(ImsThrottledError);
    await addRule({ operation: "CreateImage", status: 429, times: 1 });
    const asked: [string, number][] = [];
    const { job_id } = await client().createImage(body("serverSystem") as CreateImageBody, {
      retry: (error, attempt) => {
        asked.push([error.name, attempt]);
        return !mayHaveBeenCarriedOut(error);
      },
    });
    expect(job_id).toMatch(/^[0-9a-f]{32}$/);
    expect(asked).toEqual([["ImsThrottledError", 1]]);
    expect((await journal("?operation=CreateImage")).map((r) => r.status)).toEqual([429, 429, 200]);
    expect(await jobCount()).toBe(1);
  });

  it("the caller's retry can decline a lost create: nothing is sent again", async () => {
    await addRule({ operation: "CreateImage", fault: "empty-response", times: 1 });
    const error = await client()
      .createImage(body("serverSystem") as CreateImageBody, { retry: (e) => !mayHaveBeenCarriedOut(e) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImsConnectionResetError);
    expect(await journal("?operation=CreateImage")).toHaveLength(1);
  });
});

describe("the waiter", () => {
  it("waits out a throttled poll's Retry-After, then finishes", async () => {
    const jobId = await newJob();
    await addRule({ operation: "ShowJob", status: 429, times: 1 });
    const result = await client().waitForJob(jobId, { maxWaitTime: 20, minDelay: 0.01, maxDelay: 0.02 });
    expect(result).toMatchObject({ state: "SUCCESS", observedResponses: { "429": 1, SUCCESS: 1 } });
    const polls = await journal("?operation=ShowJob");
    expect(Date.parse(polls[1]!.time) - Date.parse(polls[0]!.time)).toBeGreaterThanOrEqual(1000);
  });

  it("does not wait a Retry-After past its deadline: it ends TIMEOUT and says why", async () => {
    const jobId = await newJob();
    await addRule({ operation: "ShowJob", status: 429 });
    const result = await client().waitForJob(jobId, { maxWaitTime: 0.5, minDelay: 0.01, maxDelay: 0.02 });
    expect(result.state).toBe("TIMEOUT");
    expect(result.reason).toContain("throttled, with a Retry-After of 1 s that ends past the deadline");
    expect(await journal("?operation=ShowJob")).toHaveLength(1);
  });

  it("a seeded 30 % fault rule on ShowJob: the same sequence twice, and the waiter ends SUCCESS", async () => {
    const run = async () => {
      await control(stub, "POST", "/reset");
      const jobId = await newJob();
      await addRule({ operation: "ShowJob", fault: "connection-reset", probability: 0.3, seed: 17 });
      const result = await client().waitForJob(jobId, { maxWaitTime: 20, minDelay: 0.01, maxDelay: 0.02 });
      const sequence = (await journal("?operation=ShowJob")).map((r) => r.fault ?? r.status);
      return { state: result.state, observed: result.observedResponses, polls: result.polls, sequence };
    };
    const first = await run();
    expect(first.state).toBe("SUCCESS");
    expect(first.sequence).toContain("connection-reset");
    expect(first.sequence.at(-1)).toBe(200);
    expect(first.observed["connection-reset"]).toBe(first.sequence.filter((s) => s === "connection-reset").length);
    expect(await run()).toEqual(first);
  });

  it("polls through resets, empty answers and cut-off bodies to SUCCESS, each counted by kind", async () => {
    const jobId = await newJob();
    await addRule({ operation: "ShowJob", fault: "connection-reset", times: 1 });
    await addRule({ operation: "ShowJob", fault: "empty-response", times: 1 });
    await addRule({ operation: "ShowJob", fault: "malformed-body", times: 1 });
    const result = await client().waitForJob(jobId, { maxWaitTime: 20, minDelay: 0.01, maxDelay: 0.02 });
    expect(result.state).toBe("SUCCESS");
    expect(result.observedResponses).toMatchObject({ "connection-reset": 2, "malformed-body": 1 });
  });
});

describe("retry's pieces", () => {
  it("Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterSeconds("3", now)).toBe(3);
    expect(retryAfterSeconds("Thu, 01 Jan 2026 00:00:05 GMT", now)).toBe(5);
    expect(retryAfterSeconds("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
    expect(retryAfterSeconds("soon", now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });

  it("mayHaveBeenCarriedOut: no for a refusal or a request that never left, yes for a server error", async () => {
    expect(mayHaveBeenCarriedOut(new ImsError(400, "IMG.0001", "bad", undefined, {}))).toBe(false);
    expect(mayHaveBeenCarriedOut(new ImsError(500, "IMG.0061", "oops", undefined, {}))).toBe(true);
    // A port nothing listens on any more.
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const refused = await createImsClient({ endpoint: `http://127.0.0.1:${closed}`, auth: { token: "t" } })
      .createImage(body("serverSystem") as CreateImageBody)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ImsNetworkError);
    expect(mayHaveBeenCarriedOut(refused)).toBe(false);
  });

  it("withRetries stops at maxAttempts and takes the larger of backoff and Retry-After", async () => {
    const policy = retryPolicy({ maxAttempts: 3, minDelay: 0.001, maxDelay: 0.002, random: () => 0 });
    let attempts = 0;
    const throttle = new ImsThrottledError(429, "APIG.0308", "slow down", undefined, {}, 0.2);
    const started = performance.now();
    await expect(
      withRetries(async () => {
        attempts++;
        throw throttle;
      }, policy),
    ).rejects.toBe(throttle);
    expect(attempts).toBe(3);
    // Two waits of Retry-After's 200 ms, not the 1–2 ms backoff; timers may fire a millisecond early by this clock.
    expect(performance.now() - started).toBeGreaterThanOrEqual(395);
  });
});

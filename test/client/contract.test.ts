// The client against the real stub over HTTP: every seed example end to end with both auth schemes, the
// stub's errors as ImsError, and the waiter's four outcomes driven by the stub's scenario control.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createImsClient, ImsError, ImsNetworkError, JobWaitError, type CreateImageBody } from "../../client/index.ts";
import { body, seedExamples } from "../helpers/bodies.ts";
import { AK, PROJECT_ID, SK, startStub, type RunningStub } from "../helpers/stub.ts";

let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub({ progression: "per-poll" });
});
afterAll(() => stub.close());

const fast = { maxWaitTime: 5, minDelay: 0.01, maxDelay: 0.02 };
const clients = () => ({
  token: createImsClient({ endpoint: stub.url, auth: { token: "contract-test", projectId: PROJECT_ID } }),
  aksk: createImsClient({ endpoint: stub.url, auth: { ak: AK, sk: SK, projectId: PROJECT_ID } }),
});

/** A fetch that counts the requests it sends. */
function countingFetch() {
  const sent: string[] = [];
  const fetchFn: typeof fetch = (input, init) => {
    sent.push(input instanceof Request ? `${input.method} ${new URL(input.url).pathname}` : String(input));
    return fetch(input, init);
  };
  return { sent, fetchFn };
}

describe.each(["token", "aksk"] as const)("seed examples with %s auth", (scheme) => {
  it.each(seedExamples())("%s: created, waited for, image IDs returned", async (_key, example) => {
    stub.clock.now = Date.now();
    const client = clients()[scheme];
    const progress: number[] = [];
    const done = await client.createImageAndWait(example as CreateImageBody, { ...fast, onProgress: (job) => progress.push(job.entities.process_percent ?? -1) });
    expect(done.jobId).toMatch(/^[0-9a-f]{32}$/);
    expect(done.job.status).toBe("SUCCESS");
    expect(done.imageIds.length).toBeGreaterThan(0);
    for (const id of done.imageIds) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(progress).toEqual([0, 0.33, 0.67, 1]);
    expect(done.polls).toBe(4);
  });
});

describe("errors", () => {
  it.each<[string, Record<string, unknown>, string]>([
    ["unknown field", { name: "ims_test", instanceId: "x" }, "IMG.0001"],
    ["name too long", body("serverSystem", { name: "a".repeat(129) }), "IMG.0002"],
    ["bad name", body("serverSystem", { name: " a" }), "IMG.0003"],
    ["long description", body("serverSystem", { description: "d".repeat(1025) }), "IMG.0004"],
    ["empty body", {}, "IMG.0007"],
    ["name missing", body("file", {}, ["name"]), "IMG.0013"],
    ["bad image_url", body("file", { image_url: "nope" }), "IMG.0017"],
    ["bad type", body("file", { type: "VM" }), "IMG.0024"],
    ["bad description", body("serverSystem", { description: "<" }), "IMG.0054"],
    ["min_disk out of range", body("file", { min_disk: 2 }), "IMG.0055"],
    ["bad tag", body("serverSystem", { tags: ["a b"] }), "IMG.0115"],
    ["ISO without os_version", body("file", { type: "IsoImage" }), "IMG.0166"],
    ["bad architecture", body("file", { architecture: "mips" }), "IMG.0212"],
  ])("%s surfaces as an ImsError", async (_label, sent, code) => {
    const error = await clients().aksk.createImage(sent as CreateImageBody).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImsError);
    expect(error).toMatchObject({ status: 400, code });
    expect((error as ImsError).requestId).toMatch(/^[0-9a-f]{32}$/);
  });

  it("a gateway 401 surfaces as ImsError with the gateway's code", async () => {
    const client = createImsClient({ endpoint: stub.url, auth: { ak: AK, sk: "wrong-secret", projectId: PROJECT_ID } });
    await expect(client.createImage(body("serverSystem") as CreateImageBody)).rejects.toMatchObject({ name: "ImsError", status: 401, code: "APIG.0301" });
  });

  it("an unknown job is a 404 ImsError", async () => {
    await expect(clients().token.showJob("ffffffffffffffffffffffffffffffff")).rejects.toMatchObject({ status: 404, code: "IMG.0121" });
  });

  it("no server at all is an ImsNetworkError, not an ImsError", async () => {
    const client = createImsClient({ endpoint: "http://127.0.0.1:9", auth: { token: "t" } });
    const error = await client.showJobProgress("x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImsNetworkError);
    expect(error).not.toBeInstanceOf(ImsError);
  });
});

describe("waitForJob outcomes", () => {
  const prefer = (value: string): typeof fetch => (input, init) => {
    const request = new Request(input, init);
    request.headers.set("Prefer", value);
    return fetch(request);
  };

  it("SUCCESS", async () => {
    const client = clients().token;
    const { job_id } = await client.createImage(body("volume") as CreateImageBody);
    const result = await client.waitForJob(job_id, fast);
    expect(result).toMatchObject({ state: "SUCCESS", polls: 4 });
    expect(result.imageIds).toEqual([result.job!.entities.image_id]);
  });

  it("FAILURE, with the job's error_code and fail_reason", async () => {
    const client = createImsClient({ endpoint: stub.url, auth: { token: "t" }, fetch: prefer('job-outcome=FAIL, job-error-code=IMG.0005, job-fail-reason="gone"') });
    const { job_id } = await client.createImage(body("serverSystem") as CreateImageBody);
    const result = await client.waitForJob(job_id, fast);
    expect(result).toMatchObject({ state: "FAILURE", errorCode: "IMG.0005", failReason: "gone", imageIds: [] });
    await expect(client.createImageAndWait(body("serverSystem") as CreateImageBody, fast)).rejects.toBeInstanceOf(JobWaitError);
  });

  it("TIMEOUT, before sleeping past the deadline", async () => {
    const client = createImsClient({ endpoint: stub.url, auth: { token: "t" }, fetch: prefer("job-progression=timed, job-duration=600000") });
    const { job_id } = await client.createImage(body("serverSystem") as CreateImageBody);
    const started = Date.now();
    // Polls at 0 s and 0.6 s; the next would come at 1.2 s, past the 1 s deadline, so it returns at about
    // 0.6 s. A waiter that slept first and checked after would return at 1.2 s.
    const result = await client.waitForJob(job_id, { maxWaitTime: 1, minDelay: 0.6, maxDelay: 0.6 });
    expect(result.state).toBe("TIMEOUT");
    expect(result.polls).toBe(2);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result.observedResponses.INIT).toBe(result.polls);
  });

  it("ABORTED, with no request after the abort", async () => {
    const { sent, fetchFn } = countingFetch();
    const client = createImsClient({ endpoint: stub.url, auth: { token: "t", projectId: PROJECT_ID }, fetch: fetchFn });
    const slow = createImsClient({ endpoint: stub.url, auth: { token: "t" }, fetch: prefer("job-progression=timed, job-duration=600000") });
    const { job_id } = await slow.createImage(body("serverSystem") as CreateImageBody);
    const controller = new AbortController();
    const waiting = client.waitForJob(job_id, {
      maxWaitTime: 60,
      minDelay: 0.05,
      maxDelay: 0.05,
      signal: controller.signal,
      onProgress: () => sent.length === 2 && controller.abort(),
    });
    const result = await waiting;
    expect(result.state).toBe("ABORTED");
    const sentAtAbort = sent.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sent.length).toBe(sentAtAbort);
    expect(sentAtAbort).toBe(2);
  });

  it("an already aborted signal sends nothing", async () => {
    const { sent, fetchFn } = countingFetch();
    const client = createImsClient({ endpoint: stub.url, auth: { token: "t" }, fetch: fetchFn });
    const result = await client.waitForJob("x", { ...fast, signal: AbortSignal.abort() });
    expect(result).toMatchObject({ state: "ABORTED", polls: 0 });
    expect(sent).toEqual([]);
  });

  it("fails fast on 401", async () => {
    const { sent, fetchFn } = countingFetch();
    const client = createImsClient({ endpoint: stub.url, auth: { ak: AK, sk: "wrong", projectId: PROJECT_ID }, fetch: fetchFn });
    await expect(client.waitForJob("x", fast)).rejects.toMatchObject({ status: 401 });
    expect(sent).toHaveLength(1);
  });

  it("retries a 404 within the grace window, then gives up on it", async () => {
    const client = clients().token;
    const error = await client.waitForJob("ffffffffffffffffffffffffffffffff", { maxWaitTime: 5, minDelay: 0.02, maxDelay: 0.02, notFoundGraceTime: 0.1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404 });
  });
});

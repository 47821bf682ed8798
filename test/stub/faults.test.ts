// Faults and delays over real sockets: each as fetch meets it, per request (Prefer) and by rule (/_stub/faults),
// the operation still carried out, rules narrowed and counted, a seeded probability reproducible, bad input refused.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { body, SERVER_ID, VOLUME_ID } from "../helpers/bodies.ts";
import { control, PROJECT_ID, startStub, TOKEN_HEADERS, type RunningStub } from "../helpers/stub.ts";

let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub({ progression: "per-poll" });
});
afterAll(() => stub.close());
beforeEach(async () => {
  expect((await control(stub, "POST", "/reset")).status).toBe(204);
});

const create = (headers: Record<string, string> = {}, sent: unknown = body("serverSystem")) =>
  fetch(`${stub.url}/v2/cloudimages/action`, { method: "POST", headers: { ...TOKEN_HEADERS, ...headers }, body: JSON.stringify(sent) });
const showJob = (jobId: string, headers: Record<string, string> = {}) => fetch(`${stub.url}/v1/${PROJECT_ID}/jobs/${jobId}`, { headers: { ...TOKEN_HEADERS, ...headers } });

/** The system error under fetch's "fetch failed". */
const failureOf = (request: Promise<Response>) =>
  request.then(
    (response) => ({ status: response.status }),
    (error: Error & { cause?: { code?: string; message?: string } }) => ({ error: error.name, code: error.cause?.code, message: error.cause?.message }),
  );

const jobs = async () => (await (await control(stub, "GET", "/jobs")).json()).jobs as { job: { job_id: string }; polls: number }[];
const journal = async (query = "") => (await (await control(stub, "GET", `/requests${query}`)).json()) as { requests: Record<string, any>[]; dropped: number; capacity: number };
const addRule = async (rule: Record<string, unknown>) => {
  const response = await control(stub, "POST", "/faults", rule);
  return { status: response.status, body: await response.json() };
};

describe("Prefer: fault and delay, as fetch meets them", () => {
  it("fault=connection-reset: the connection is reset before any byte (ECONNRESET), and the create was still made", async () => {
    expect(await failureOf(create({ Prefer: "fault=connection-reset" }))).toEqual({ error: "TypeError", code: "ECONNRESET", message: expect.stringContaining("ECONNRESET") });
    expect(await jobs()).toHaveLength(1);
  });

  it("fault=empty-response: the connection is closed without a byte", async () => {
    expect(await failureOf(create({ Prefer: "fault=empty-response" }))).toEqual({ error: "TypeError", code: "UND_ERR_SOCKET", message: "other side closed" });
    expect(await jobs()).toHaveLength(1);
  });

  it("fault=malformed-body: a 200 whose JSON is cut off halfway", async () => {
    const response = await create({ Prefer: "fault=malformed-body" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    const text = await response.text();
    expect(text).toMatch(/^\{"job_id":"[0-9a-f]*$/);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    const [made] = await jobs();
    expect(`{"job_id":"${made!.job.job_id}"}`.startsWith(text)).toBe(true);
  });

  it("fault=malformed-body turns an error answer into a cut-off 200 too, and a poll still counts", async () => {
    const { job_id: jobId } = await (await create()).json();
    const response = await showJob(jobId, { Prefer: "fault=malformed-body" });
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow(SyntaxError);
    expect((await jobs())[0]!.polls).toBe(1);
    const unknown = await showJob("ffffffffffffffffffffffffffffffff", { Prefer: "fault=malformed-body" });
    expect(unknown.status).toBe(200);
    expect(await unknown.text()).toMatch(/^\{"error":\{"code/);
  });

  it("delay=MS: the answer comes at least that much later, and says nothing else changed", async () => {
    const started = performance.now();
    const response = await create({ Prefer: "delay=400" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(400);
    expect(response.status).toBe(200);
    expect((await response.json()).job_id).toMatch(/^[0-9a-f]{32}$/);
    const [entry] = (await journal("?operation=CreateImage")).requests;
    expect(entry).toMatchObject({ status: 200, delay_ms: 400, prefer: "delay=400" });
    expect(entry!.duration_ms).toBeGreaterThanOrEqual(400);
  });

  it("delay with a fault: held back, then reset", async () => {
    const started = performance.now();
    expect(await failureOf(create({ Prefer: "delay=200, fault=connection-reset" }))).toMatchObject({ code: "ECONNRESET" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
  });

  it.each([
    ["fault=timeout", 'fault must be one of connection-reset, empty-response, malformed-body (got "timeout")'],
    ["fault=", 'fault must be one of connection-reset, empty-response, malformed-body (got "")'],
    ["delay=-5", 'delay must be a whole number of milliseconds from 0 to 120000 (the stub\'s cap, two minutes), not "-5"'],
    ["delay=120001", "from 0 to 120000 (the stub's cap, two minutes)"],
    ["delay=1.5", "whole number of milliseconds"],
  ])("Prefer: %s is refused with 400 IMG.0001 naming what is allowed", async (prefer, message) => {
    const response = await create({ Prefer: prefer });
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error.code).toBe("IMG.0001");
    expect(error.message).toContain(message);
    expect(await jobs()).toHaveLength(0);
  });

  it("applies to the IMS API only: a control call or the docs ignore it", async () => {
    const health = await fetch(`${stub.url}/_stub/health`, { headers: { Prefer: "fault=connection-reset" } });
    expect(health.status).toBe(200);
    const spec = await fetch(`${stub.url}/openapi.json`, { headers: { Prefer: "fault=malformed-body" } });
    expect(spec.status).toBe(200);
    expect((await spec.json()).openapi).toBe("3.1.0");
  });
});

describe("fault rules (/_stub/faults)", () => {
  it("spoil the next N requests of an operation, then none; the list shows what each did", async () => {
    const { job_id: jobId } = await (await create()).json();
    expect(await addRule({ operation: "ShowJob", fault: "connection-reset", times: 2 })).toEqual({ status: 201, body: { rule_id: expect.stringMatching(/^fault-\d+$/) } });
    expect(await failureOf(showJob(jobId))).toMatchObject({ code: "ECONNRESET" });
    expect(await failureOf(showJob(jobId))).toMatchObject({ code: "ECONNRESET" });
    expect((await showJob(jobId)).status).toBe(200);
    // Created, read, spent: the rule is gone once it has spoiled two requests.
    expect((await (await control(stub, "GET", "/faults")).json()).rules).toEqual([]);
    // The faulted polls counted (the poll happened; its answer was lost).
    expect((await jobs())[0]!.polls).toBe(3);
  });

  it("a rule for another operation, source or job leaves a request alone", async () => {
    const { job_id: first } = await (await create()).json();
    const { job_id: second } = await (await create()).json();
    await addRule({ operation: "ShowJob", job_id: second, fault: "empty-response" });
    await addRule({ operation: "CreateImage", source_id: VOLUME_ID, fault: "malformed-body" });
    expect((await showJob(first)).status).toBe(200);
    expect(await failureOf(showJob(second))).toMatchObject({ code: "UND_ERR_SOCKET" });
    expect((await fetch(`${stub.url}/v1/cloudimages/job/${second}`, { headers: TOKEN_HEADERS })).status).toBe(200);
    expect((await create({}, body("serverSystem"))).status).toBe(200);
    const volume = await create({}, body("volume"));
    expect(await volume.text()).toMatch(/^\{"job_id":"[0-9a-f]*$/);
    // A data disk create names the volume in an item.
    expect((await (await create({}, body("serverData"))).text()).endsWith("}")).toBe(false);
    const state = (await (await control(stub, "GET", "/faults")).json()).rules;
    expect(state.map((rule: { applied: number }) => rule.applied)).toEqual([1, 2]);
  });

  it("status: answers that documented error instead, a 429 with its Retry-After", async () => {
    await addRule({ operation: "CreateImage", status: 429, times: 1 });
    const { body: unavailableRule } = await addRule({ operation: "ShowJobProgress", status: 503, times: 1 });
    const throttled = await create();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("1");
    expect(await throttled.json()).toMatchObject({ error_code: "APIG.0308", error_msg: expect.stringContaining("throttling threshold") });
    expect(await jobs()).toHaveLength(0);
    const { job_id: jobId } = await (await create()).json();
    const unavailable = await fetch(`${stub.url}/v1/cloudimages/job/${jobId}`, { headers: TOKEN_HEADERS });
    expect(unavailable.status).toBe(503);
    expect((await unavailable.json()).error.code).toBe("IMG.0060");
    expect((await journal("?status=5xx")).requests).toEqual([expect.objectContaining({ operation: "ShowJobProgress", status_rule: true, fault_rule: unavailableRule.rule_id, error_code: "IMG.0060" })]);
  });

  it("delay_ms by rule holds every matching answer back", async () => {
    const { job_id: jobId } = await (await create()).json();
    await addRule({ operation: "ShowJob", job_id: jobId, delay_ms: 300 });
    const started = performance.now();
    expect((await showJob(jobId)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
  });

  it("Prefer wins over every rule", async () => {
    await addRule({ operation: "CreateImage", fault: "connection-reset" });
    expect((await create({ Prefer: "delay=0" })).status).toBe(200);
    expect(await failureOf(create())).toMatchObject({ code: "ECONNRESET" });
  });

  it("a probability with a seed spoils the same requests, run after run", async () => {
    const sequence = async () => {
      await control(stub, "POST", "/reset");
      expect(await addRule({ operation: "ShowJobProgress", fault: "empty-response", probability: 0.3, seed: 20260101 })).toMatchObject({ body: { seed: 20260101 } });
      const outcomes: string[] = [];
      for (let i = 0; i < 40; i++) outcomes.push("status" in (await failureOf(fetch(`${stub.url}/v1/cloudimages/job/x${i}`, { headers: TOKEN_HEADERS }))) ? "answered" : "dropped");
      return outcomes;
    };
    const first = await sequence();
    expect(await sequence()).toEqual(first);
    const dropped = first.filter((o) => o === "dropped").length;
    expect(dropped).toBeGreaterThan(4);
    expect(dropped).toBeLessThan(24);
  });

  it("a probability without a seed gets one picked, and answered, to reproduce the run with", async () => {
    const { body: added } = await addRule({ operation: "ShowJob", fault: "malformed-body", probability: 0.5 });
    expect(added.seed).toBeGreaterThanOrEqual(0);
    expect((await (await control(stub, "GET", "/faults")).json()).rules[0]).toMatchObject({ seed: added.seed, probability: 0.5, applied: 0 });
  });

  it("DELETE removes every rule; reset does too", async () => {
    await addRule({ operation: "CreateImage", fault: "connection-reset" });
    expect((await control(stub, "DELETE", "/faults")).status).toBe(204);
    expect((await create()).status).toBe(200);
    await addRule({ operation: "CreateImage", fault: "connection-reset" });
    await control(stub, "POST", "/reset");
    expect((await create()).status).toBe(200);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["an operation that does not exist", { operation: "ShowJobs", fault: "connection-reset" }, 'operation "ShowJobs" is not an IMS operation; the operations are CreateImage, CreateImageInSafeMode, ShowJob, ShowJobProgress'],
    ["a control operation", { operation: "ResetState", fault: "connection-reset" }, "is not an IMS operation"],
    ["an unknown fault name", { operation: "ShowJob", fault: "timeout" }, "fault must be equal to one of the allowed values: connection-reset, empty-response, malformed-body"],
    ["a negative delay", { operation: "ShowJob", delay_ms: -1 }, "delay_ms must be >= 0"],
    ["a huge delay", { operation: "ShowJob", delay_ms: 3_600_000 }, "delay_ms must be <= 120000"],
    ["a probability above 1", { operation: "ShowJob", fault: "empty-response", probability: 1.3 }, "probability must be <= 1"],
    ["a negative probability", { operation: "ShowJob", fault: "empty-response", probability: -0.1 }, "probability must be >= 0"],
    ["nothing to do", { operation: "ShowJob", times: 2 }, "a fault rule says what happens: fault (connection-reset, empty-response, malformed-body), delay_ms (0 to 120000), status"],
    ["a fault with a status", { operation: "ShowJob", fault: "empty-response", status: 503 }, "a fault or a status, not both"],
    ["an undocumented status", { operation: "ShowJob", status: 418 }, "status 418 is not a documented error response of ShowJob; its error statuses are 400, 401, 403, 404, 429, 500, 503"],
    ["a job for an operation without one", { operation: "ListImages", job_id: "x", fault: "empty-response" }, "job_id narrows the reads of a job (ShowJob, ShowJobProgress)"],
    ["a source for an operation without one", { operation: "ShowJob", source_id: SERVER_ID, fault: "empty-response" }, "source_id narrows creates (CreateImage, CreateImageInSafeMode)"],
    ["a seed without a probability", { operation: "ShowJob", fault: "empty-response", seed: 1 }, "seed goes with probability"],
    ["times 0", { operation: "ShowJob", fault: "empty-response", times: 0 }, "times must be >= 1"],
    ["an unknown field", { operation: "ShowJob", fault: "empty-response", chance: 0.5 }, "chance"],
  ])("refuses %s with 400 IMG.0001 saying what is allowed", async (_label, rule, message) => {
    const { status, body: refused } = await addRule(rule);
    expect(status).toBe(400);
    expect(refused.error.code).toBe("IMG.0001");
    expect(refused.error.message).toContain(message);
    expect((await (await control(stub, "GET", "/faults")).json()).rules).toEqual([]);
  });
});

// The request journal (GET /_stub/requests) over real sockets: exactly the polls a client made, who signed them
// (never a secret), why a refusal was made (the signature step, the schema rule), faults, filters, bounds, reset.
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { canonicalRequest, formatSdkDate, payloadHash, queryPairs, signRequest } from "../../client/aksk.ts";
import { createImsClient, type CreateImageBody } from "../../client/index.ts";
import { readSettings } from "../../server/config.ts";
import { body } from "../helpers/bodies.ts";
import { AK, control, PROJECT_ID, SK, startStub, TOKEN_HEADERS, type RunningStub } from "../helpers/stub.ts";

let stub: RunningStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

type Journal = { requests: Record<string, any>[]; dropped: number; capacity: number };
const journal = async (query = ""): Promise<Journal> => {
  const response = await control(stub!, "GET", `/requests${query}`);
  expect(response.status).toBe(200);
  return response.json();
};
const create = (sent: unknown = body("serverSystem"), headers: Record<string, string> = TOKEN_HEADERS) =>
  fetch(`${stub!.url}/v2/cloudimages/action`, { method: "POST", headers, body: JSON.stringify(sent) });

describe("what the journal records", () => {
  it("exactly the polls a waiter made, each with the job it read; the create with the job it started", async () => {
    stub = await startStub({ progression: "per-poll" });
    const client = createImsClient({ endpoint: stub.url, auth: { token: "secret-token-value", projectId: PROJECT_ID } });
    const { jobId, polls } = await client.createImageAndWait(body("volume") as CreateImageBody, { maxWaitTime: 10, minDelay: 0.01, maxDelay: 0.02 });
    const { requests } = await journal();
    expect(requests.map((r) => r.operation)).toEqual(["CreateImage", ...Array(polls).fill("ShowJob")]);
    expect(requests.filter((r) => r.operation === "ShowJob" && r.job_id === jobId)).toHaveLength(polls);
    expect(requests[0]).toMatchObject({ method: "POST", path: "/v2/cloudimages/action", status: 200, job_id: jobId, auth: "token", project_id: PROJECT_ID });
    expect(requests[1]).toMatchObject({ method: "GET", path: `/v1/${PROJECT_ID}/jobs/${jobId}`, status: 200, request_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    // Oldest first, each stamped when it came.
    const times = requests.map((r) => Date.parse(r.time));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(JSON.stringify(requests)).not.toContain("secret-token-value");
  });

  // Terraform's images data source pages ListImages by marker until a page is empty; the path alone hid that.
  it("the query string as sent, without its ?; none for a request without one", async () => {
    stub = await startStub();
    await fetch(`${stub.url}/v2/cloudimages?limit=2&marker=00000000-0000-0000-0000-000000000000&name=a%20b`, { headers: TOKEN_HEADERS });
    await fetch(`${stub.url}/v2/cloudimages?`, { headers: TOKEN_HEADERS });
    await fetch(`${stub.url}/v1/cloudimages/quota`, { headers: TOKEN_HEADERS });
    const { requests } = await journal();
    expect(requests.map((r) => [r.path, r.query])).toEqual([
      ["/v2/cloudimages", "limit=2&marker=00000000-0000-0000-0000-000000000000&name=a%20b"],
      ["/v2/cloudimages", undefined],
      ["/v1/cloudimages/quota", undefined],
    ]);
  });

  it("the access key of a signed request, never its secret or signature", async () => {
    stub = await startStub();
    const client = createImsClient({ endpoint: stub.url, auth: { ak: AK, sk: SK, projectId: PROJECT_ID } });
    await client.createImage(body("serverSystem") as CreateImageBody);
    const { requests } = await journal();
    expect(requests).toEqual([expect.objectContaining({ operation: "CreateImage", auth: "aksk", ak: AK, project_id: PROJECT_ID })]);
    const text = JSON.stringify(requests);
    expect(text).not.toContain(SK);
    expect(text).not.toContain("Signature=");
  });

  it("why a wrongly signed request was refused: the signature step, and the hash of the canonical request the stub signed", async () => {
    stub = await startStub();
    stub.clock.now = Date.now();
    const url = `${stub.url}/v1/${PROJECT_ID}/jobs/ffffffffffffffffffffffffffffffff`;
    const headers = new Headers();
    await signRequest({ method: "GET", url, headers, ak: AK, sk: "not-the-secret-key", projectId: PROJECT_ID });
    const refused = await fetch(url, { headers });
    expect(refused.status).toBe(401);
    // What the signer built: the same canonical request the stub rebuilds from what arrived.
    const signed = /SignedHeaders=([^,]+)/.exec(headers.get("authorization")!)![1]!.split(";");
    const canonical = canonicalRequest({
      method: "GET",
      path: new URL(url).pathname,
      query: queryPairs(""),
      headers: Object.fromEntries(signed.map((name) => [name, name === "host" ? new URL(url).host : (headers.get(name) ?? "")])),
      signedHeaders: signed,
      payloadHash: await payloadHash(undefined, undefined),
    });
    const [entry] = (await journal("?status=401")).requests;
    expect(entry).toMatchObject({ operation: "ShowJob", status: 401, ak: AK, error_code: "APIG.0301" });
    expect(entry!.auth).toBeUndefined();
    expect(entry!.reason).toContain("signature mismatch at the last step");
    expect(entry!.reason).toContain(`canonical request hashes to ${createHash("sha256").update(canonical).digest("hex")}`);
    expect(entry!.reason).toContain(`signed headers ${signed.join(";")}`);
    expect(entry!.reason).not.toContain("\n");
  });

  it.each<[string, (headers: Headers) => void, string]>([
    ["an unknown access key", (h) => h.set("Authorization", h.get("Authorization")!.replace(`Access=${AK}`, "Access=NOSUCHKEY")), "unknown access key NOSUCHKEY"],
    ["a stale X-Sdk-Date", (h) => h.set("X-Sdk-Date", formatSdkDate(new Date(Date.now() - 3_600_000))), "more than 15 minutes off the server's clock"],
    ["a signature without X-Sdk-Date signed", (h) => h.set("Authorization", h.get("Authorization")!.replace(/SignedHeaders=[^,]+/, "SignedHeaders=host")), "X-Sdk-Date must be a signed header"],
  ])("why a signature was refused: %s", async (_label, spoil, reason) => {
    stub = await startStub();
    stub.clock.now = Date.now();
    const url = `${stub.url}/v1/cloudimages/quota`;
    const headers = new Headers();
    await signRequest({ method: "GET", url, headers, ak: AK, sk: SK, projectId: PROJECT_ID });
    spoil(headers);
    expect((await fetch(url, { headers })).status).toBe(401);
    expect((await journal()).requests[0]).toMatchObject({ operation: "ShowImageQuota", status: 401, error_code: "APIG.0301", reason: expect.stringContaining(reason) });
  });

  it("why a body was refused: the rule it broke, with its IMG code", async () => {
    stub = await startStub();
    await create(body("serverSystem", { name: " starts with a space" }));
    await create(body("file", { min_disk: 2 }));
    const reasons = (await journal("?status=400")).requests.map((r) => [r.error_code, r.reason]);
    expect(reasons).toEqual([
      ["IMG.0003", expect.stringMatching(/^The image name format is invalid\. .*name/)],
      ["IMG.0055", expect.stringMatching(/^The memory or disk size is invalid\. .*min_disk/)],
    ]);
  });

  it("faults: what was dropped has no status, and the rule or preference that did it", async () => {
    stub = await startStub();
    await create(body("serverSystem"), { ...TOKEN_HEADERS, Prefer: "fault=connection-reset" }).catch(() => undefined);
    const rule = await (await control(stub, "POST", "/faults", { operation: "CreateImage", fault: "empty-response", times: 1 })).json();
    await create().catch(() => undefined);
    await create(body("serverSystem"), { ...TOKEN_HEADERS, Prefer: "fault=malformed-body" });
    const { requests } = await journal();
    expect(requests).toEqual([
      expect.objectContaining({ status: null, fault: "connection-reset", prefer: "fault=connection-reset", job_id: expect.any(String) }),
      expect.objectContaining({ status: null, fault: "empty-response", fault_rule: rule.rule_id }),
      expect.objectContaining({ status: 200, fault: "malformed-body" }),
    ]);
  });

  it("the IMS API only: not the control API, the docs or the spec; an unknown path is there", async () => {
    stub = await startStub();
    await control(stub, "GET", "/health");
    await fetch(`${stub.url}/openapi.json`);
    await fetch(`${stub.url}/docs`);
    await fetch(`${stub.url}/v9/nothing`, { headers: TOKEN_HEADERS });
    await fetch(`${stub.url}/v2/images/0b8f5d1e-6c0a-4f4e-9d1e-2a3b4c5d6e7f`, { headers: TOKEN_HEADERS });
    const { requests } = await journal();
    expect(requests).toEqual([
      expect.objectContaining({ path: "/v9/nothing", status: 404, error_code: "IMG.0121" }),
      expect.objectContaining({ operation: "GlanceShowImage", image_id: "0b8f5d1e-6c0a-4f4e-9d1e-2a3b4c5d6e7f", status: 404 }),
    ]);
    expect(requests[0]!.operation).toBeUndefined();
  });
});

describe("filters", () => {
  it("times each request on the wall clock a client reads `since` on: between the client's clock before and after it", async () => {
    // Before, on the monotonic clock durations are taken on (timeOrigin + now()), which stands apart from the wall
    // clock by a millisecond or more, and further as a process runs: a request could seem to start after a time
    // taken once it was answered, and `since` then kept it (seen in CI).
    stub = await startStub();
    const seen: [number, number][] = [];
    for (let i = 0; i < 30; i++) {
      const before = Date.now();
      await fetch(`${stub.url}/v1/cloudimages/job/ffffffffffffffffffffffffffffffff`, { headers: TOKEN_HEADERS });
      seen.push([before, Date.now()]);
    }
    const times = (await journal()).requests.map((entry) => Date.parse(entry.time as string));
    // A millisecond of slack below: the wall clock reads whole milliseconds, the duration taken from it does not.
    expect(times.filter((time, i) => time < seen[i]![0] - 1 || time > seen[i]![1])).toEqual([]);
  });

  it("operation, status (exact or class) and since combine", async () => {
    stub = await startStub();
    const { job_id: jobId } = await (await create()).json();
    await fetch(`${stub.url}/v1/cloudimages/job/${jobId}`, { headers: TOKEN_HEADERS });
    await create({ name: "x" });
    const middle = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await fetch(`${stub.url}/v1/cloudimages/job/ffffffffffffffffffffffffffffffff`, { headers: TOKEN_HEADERS });
    expect((await journal("?operation=CreateImage")).requests.map((r) => r.status)).toEqual([200, 400]);
    expect((await journal("?status=4xx")).requests.map((r) => r.status)).toEqual([400, 404]);
    expect((await journal("?status=200")).requests.map((r) => r.operation)).toEqual(["CreateImage", "ShowJobProgress"]);
    expect((await journal(`?since=${encodeURIComponent(middle)}`)).requests.map((r) => r.status)).toEqual([404]);
    expect((await journal(`?operation=ShowJobProgress&status=2xx`)).requests).toHaveLength(1);
  });

  it.each([
    ["?status=abc", 'status must match pattern "^[1-5]([0-9]{2}|xx)$"'],
    ["?status=600", "status must match pattern"],
    ["?since=yesterday", 'since must match format "date-time"'],
    ["?operation=ShowJobs", 'operation "ShowJobs" is not an IMS operation; the operations are CreateImage, CreateImageInSafeMode, ShowJob'],
    ["?operaton=ShowJob", "Unknown query parameter 'operaton'"],
  ])("a bad filter, %s, is a 400 that says what is wrong, not an empty list", async (query, message) => {
    stub = await startStub();
    await create();
    const response = await control(stub, "GET", `/requests${query}`);
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error.code).toBe("IMG.0001");
    expect(error.message).toContain(message);
  });
});

describe("bounds and reset", () => {
  it("keeps the last --journal-size requests, newest last, and counts those it let go", async () => {
    stub = await startStub({ journalSize: 3 });
    for (let i = 0; i < 5; i++) await fetch(`${stub.url}/v1/cloudimages/job/job${i}`, { headers: TOKEN_HEADERS });
    const kept = await journal();
    expect(kept).toMatchObject({ capacity: 3, dropped: 2 });
    expect(kept.requests.map((r) => r.path)).toEqual(["/v1/cloudimages/job/job2", "/v1/cloudimages/job/job3", "/v1/cloudimages/job/job4"]);
  });

  it("--journal-size 0 keeps nothing", async () => {
    stub = await startStub({ journalSize: 0 });
    await create();
    expect(await journal()).toEqual({ requests: [], dropped: 0, capacity: 0 });
  });

  it("reset clears it", async () => {
    stub = await startStub({ journalSize: 2 });
    for (let i = 0; i < 3; i++) await create();
    expect((await journal()).dropped).toBe(1);
    await control(stub, "POST", "/reset");
    expect(await journal()).toEqual({ requests: [], dropped: 0, capacity: 2 });
  });

  it("is 1000 by default, read from --journal-size or IMS_STUB_JOURNAL_SIZE", () => {
    expect(readSettings([], {})).toMatchObject({ journalSize: 1000 });
    expect(readSettings(["--journal-size", "50"], {})).toMatchObject({ journalSize: 50 });
    expect(readSettings([], { IMS_STUB_JOURNAL_SIZE: "0" })).toMatchObject({ journalSize: 0 });
    expect(() => readSettings(["--journal-size", "many"], {})).toThrow("journal-size must be a whole number from 0 to 1000000");
  });
});

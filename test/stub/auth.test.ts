// Both auth schemes, the reference's signed requests verified exactly, refusals, and project isolation.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signRequest } from "../../client/aksk.ts";
import { createApp } from "../../server/app.ts";
import { loadSpec } from "../../server/contract/spec.ts";
import { body } from "../helpers/bodies.ts";
import { AK, getJson, postJson, PROJECT_ID, SK, startStub, type RunningStub } from "../helpers/stub.ts";

const REFERENCE_DATE = Date.UTC(2026, 0, 1, 0, 0, 0);
const REFERENCE_BODY = '{"instance_id": "b4e5d8a4-6c3b-4b0a-9d6c-2f1e0a7b9c11", "name": "sdk-check-ecs"}';
const SIGNED = "content-type;host;user-agent;x-project-id;x-sdk-date";
const OTHER_PROJECT = "fedcba9876543210fedcba9876543210";

let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub({ credentials: new Map([[AK, { sk: SK, projectId: PROJECT_ID }], ["OTHERAK", { sk: "OTHERSK", projectId: OTHER_PROJECT }]]) });
});
afterAll(() => stub.close());

/** Sends raw bytes with exactly the given headers (fetch would not let us set Host). */
function rawRequest(method: string, path: string, headers: Record<string, string>, payload?: string): Promise<{ status: number; body: any }> {
  const { port } = new URL(stub.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      let text = "";
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

const referenceHeaders = (signature: string, contentType = "application/json;charset=utf-8") => ({
  "Content-Type": contentType,
  Host: "127.0.0.1:8080",
  "User-Agent": "huaweicloud-usdk-python/3.0; hwsdk-check",
  "X-Project-Id": PROJECT_ID,
  "X-Sdk-Date": "20260101T000000Z",
  Authorization: `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=${SIGNED}, Signature=${signature}`,
});

describe("AK/SK: the reference's signed requests", () => {
  it("accepts the worked POST example byte for byte", async () => {
    stub.clock.now = REFERENCE_DATE + 60_000;
    const res = await rawRequest("POST", "/v2/cloudimages/action", referenceHeaders("7853e58fdea0abb49e70cbed489e6054d5cf76e7eb447216f20024d52e03614f"), REFERENCE_BODY);
    expect(res).toMatchObject({ status: 200, body: { job_id: expect.stringMatching(/^[0-9a-f]{32}$/) } });
  });

  it("accepts the worked GET example (the job does not exist, so 404 after authentication)", async () => {
    stub.clock.now = REFERENCE_DATE;
    const res = await rawRequest(
      "GET",
      `/v1/${PROJECT_ID}/jobs/8a12fc664fb4daa3014fb4e581380005`,
      referenceHeaders("e48447442c3a0d1f1a1c544feb35b3e06558ac03eda89a4bca4132ffe04a63c7", "application/json"),
    );
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("IMG.0121");
  });

  it("refuses the POST example with one body byte changed", async () => {
    stub.clock.now = REFERENCE_DATE;
    const res = await rawRequest("POST", "/v2/cloudimages/action", referenceHeaders("7853e58fdea0abb49e70cbed489e6054d5cf76e7eb447216f20024d52e03614f"), REFERENCE_BODY.replace("ecs", "ecz"));
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error_code: "APIG.0301", error_msg: expect.stringContaining("verify aksk signature fail") });
  });

  it.each<[string, number, string]>([
    ["16 minutes late", 16 * 60_000, "more than 15 minutes"],
    ["16 minutes early", -16 * 60_000, "more than 15 minutes"],
  ])("refuses an X-Sdk-Date %s", async (_label, offset, why) => {
    stub.clock.now = REFERENCE_DATE + offset;
    const res = await rawRequest("POST", "/v2/cloudimages/action", referenceHeaders("7853e58fdea0abb49e70cbed489e6054d5cf76e7eb447216f20024d52e03614f"), REFERENCE_BODY);
    expect(res.status).toBe(401);
    expect(res.body.error_msg).toContain(why);
  });

  it("accepts an X-Sdk-Date 14 minutes off", async () => {
    stub.clock.now = REFERENCE_DATE + 14 * 60_000;
    const res = await rawRequest("POST", "/v2/cloudimages/action", referenceHeaders("7853e58fdea0abb49e70cbed489e6054d5cf76e7eb447216f20024d52e03614f"), REFERENCE_BODY);
    expect(res.status).toBe(200);
  });
});

describe("AK/SK over a body of another media type", () => {
  it("verifies the signature over its bytes, as the gateway does, and then refuses the media type (415, not 401)", async () => {
    const payload = "name=sdk-check";
    const headers = new Headers({ "Content-Type": "text/plain" });
    const url = `${stub.url}/v2/cloudimages/action`;
    await signRequest({ method: "POST", url, headers, body: payload, ak: AK, sk: SK, projectId: PROJECT_ID, date: new Date(stub.clock.now) });
    const res = await fetch(url, { method: "POST", headers, body: payload });
    expect(res.status).toBe(415);
    expect((await res.json()).error.code).toBe("IMG.0001");
    headers.set("Content-Type", "text/plain");
    const tampered = await fetch(url, { method: "POST", headers, body: `${payload}x` });
    expect(tampered.status, "the bytes are what was signed").toBe(401);
  });
});

describe("refusals", () => {
  it.each<[string, Record<string, string>, string]>([
    ["no credentials", { "Content-Type": "application/json" }, "no X-Auth-Token"],
    ["an empty token", { "Content-Type": "application/json", "X-Auth-Token": " " }, "no X-Auth-Token"],
    ["an unknown AK", { "Content-Type": "application/json", "X-Sdk-Date": "20260101T000000Z", Authorization: `SDK-HMAC-SHA256 Access=NOBODY, SignedHeaders=${SIGNED}, Signature=00` }, "unknown access key NOBODY"],
    ["a malformed Authorization", { "Content-Type": "application/json", Authorization: "Bearer abc" }, "not an SDK-HMAC-SHA256 signature"],
    ["a missing X-Sdk-Date", { "Content-Type": "application/json", Authorization: `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=${SIGNED}, Signature=00` }, "X-Sdk-Date is missing"],
  ])("%s → 401 in the gateway's shape", async (_label, headers, why) => {
    stub.clock.now = REFERENCE_DATE;
    const res = await postJson(stub.url, body("serverSystem"), headers);
    expect(res.status).toBe(401);
    expect(Object.keys(res.body).sort()).toEqual(["error_code", "error_msg", "request_id"]);
    expect(res.body.error_msg).toContain(why);
    expect(res.body.request_id).toBe(res.headers.get("x-request-id"));
  });

  it("refuses an X-Project-Id that is not the AK's project", async () => {
    stub.clock.now = REFERENCE_DATE;
    const headers = { ...referenceHeaders("7853e58fdea0abb49e70cbed489e6054d5cf76e7eb447216f20024d52e03614f"), "X-Project-Id": OTHER_PROJECT };
    const res = await rawRequest("POST", "/v2/cloudimages/action", headers, REFERENCE_BODY);
    expect(res.status).toBe(401);
  });
});

describe("project isolation", () => {
  it("a job of another project is a 404, like one that never existed", async () => {
    stub.clock.now = Date.now();
    const created = await postJson(stub.url, body("serverSystem"));
    expect(created.status).toBe(200);
    const jobId: string = created.body.job_id;
    expect((await getJson(stub.url, `/v1/${PROJECT_ID}/jobs/${jobId}`)).status).toBe(200);
    const otherPath = await getJson(stub.url, `/v1/${OTHER_PROJECT}/jobs/${jobId}`);
    const never = await getJson(stub.url, `/v1/${PROJECT_ID}/jobs/ffffffffffffffffffffffffffffffff`);
    expect(otherPath.status).toBe(404);
    expect(never.status).toBe(404);
    expect(otherPath.body.error.code).toBe(never.body.error.code);
  });
});

describe("the contract's security requirements, before anything else is checked", () => {
  const noCredentials = { "Content-Type": "application/json" };

  it("no credentials: 401, even for a body the contract refuses", async () => {
    const res = await postJson(stub.url, { name: "x" }, noCredentials);
    expect(res.status).toBe(401);
    expect(res.body.error_code).toBe("APIG.0301");
    expect((await getJson(stub.url, `/v1/${PROJECT_ID}/jobs/abc`, {})).status).toBe(401);
  });

  it("an unknown path is still a 404 and a wrong method a 405, and the control API asks for none", async () => {
    expect((await getJson(stub.url, "/v2/cloudimages/action/nothing", {})).status).toBe(404);
    const wrongMethod = await fetch(`${stub.url}/v2/cloudimages/action`, { method: "DELETE" });
    expect(wrongMethod.status).toBe(405);
    expect((await getJson(stub.url, "/_stub/health", {})).status).toBe(200);
  });

  it("follows an operation's own list of schemes, and refuses a contract with a scheme it cannot check", async () => {
    const spec = loadSpec("openapi");
    const progress = spec.paths["/v1/cloudimages/job/{job_id}"]!.get!;
    progress.security = [{ aksk: [] }];
    const signatureOnly = await startStub({ spec });
    try {
      const refused = await getJson(signatureOnly.url, "/v1/cloudimages/job/abc");
      expect(refused.status).toBe(401);
      expect(refused.body.error_msg).toContain("does not accept an X-Auth-Token");
      expect((await getJson(signatureOnly.url, `/v1/${PROJECT_ID}/jobs/abc`)).status).toBe(404);
    } finally {
      await signatureOnly.close();
    }
    progress.security = [{ oauth: [] }];
    expect(() => createApp({ spec })).toThrow(/ShowJobProgress asks for security the stub cannot check/);
  });
});

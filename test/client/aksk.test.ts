// The signature, checked byte for byte against the worked examples of Huawei's SDK signer.
import { describe, expect, it } from "vitest";
import { canonicalQuery, canonicalRequest, computeSignature, sha256Hex, signRequest, stringToSign } from "../../client/aksk.ts";

const SK = "EXAMPLESK0987654321abcdefghijklmnopqrst";
const DATE = "20260101T000000Z";
const PROJECT = "0123456789abcdef0123456789abcdef";
const BODY = '{"instance_id": "b4e5d8a4-6c3b-4b0a-9d6c-2f1e0a7b9c11", "name": "sdk-check-ecs"}';
const SIGNED = ["content-type", "host", "user-agent", "x-project-id", "x-sdk-date"];
const headers = (contentType: string) => ({
  "content-type": contentType,
  host: "127.0.0.1:8080",
  "user-agent": "huaweicloud-usdk-python/3.0; hwsdk-check",
  "x-project-id": PROJECT,
  "x-sdk-date": DATE,
});

describe("SDK-HMAC-SHA256 reference vectors", () => {
  it("POST /v2/cloudimages/action", async () => {
    expect(await sha256Hex(BODY)).toBe("6736c7e8742b14548594a753aef0d32bd7f3fbd0a32f80d7b401e7d0c431b312");
    const canonical = canonicalRequest({
      method: "POST",
      path: "/v2/cloudimages/action",
      query: [],
      headers: headers("application/json;charset=utf-8"),
      signedHeaders: SIGNED,
      payloadHash: await sha256Hex(BODY),
    });
    expect(canonical).toBe(
      [
        "POST",
        "/v2/cloudimages/action/",
        "",
        "content-type:application/json;charset=utf-8",
        "host:127.0.0.1:8080",
        "user-agent:huaweicloud-usdk-python/3.0; hwsdk-check",
        `x-project-id:${PROJECT}`,
        `x-sdk-date:${DATE}`,
        "",
        SIGNED.join(";"),
        "6736c7e8742b14548594a753aef0d32bd7f3fbd0a32f80d7b401e7d0c431b312",
      ].join("\n"),
    );
    expect(await stringToSign(DATE, canonical)).toBe(`SDK-HMAC-SHA256\n${DATE}\n6323b7b6228522ec929c06580e5473b6c1b32c9c6c3ed5ba449320b19c77a171`);
    expect(await computeSignature(SK, DATE, canonical)).toBe("7853e58fdea0abb49e70cbed489e6054d5cf76e7eb447216f20024d52e03614f");
  });

  it("GET /v1/{project_id}/jobs/{job_id}", async () => {
    const canonical = canonicalRequest({
      method: "GET",
      path: `/v1/${PROJECT}/jobs/8a12fc664fb4daa3014fb4e581380005`,
      query: [],
      headers: headers("application/json"),
      signedHeaders: SIGNED,
      payloadHash: await sha256Hex(""),
    });
    expect((await stringToSign(DATE, canonical)).split("\n")[2]).toBe("1e73233f39964d7a20e3701a30ab7485d5bd121520bc8ebb7bd674050505946a");
    expect(await computeSignature(SK, DATE, canonical)).toBe("e48447442c3a0d1f1a1c544feb35b3e06558ac03eda89a4bca4132ffe04a63c7");
  });

  it("canonical query string as the SDK's own test gives it", () => {
    const pairs: [string, string][] = [
      ["limit", "1"],
      ["enable", "true"],
      ["test", "一 (&=?!#%.*)"],
      ["path", "/tmp/123"],
      ["multi", "3"],
      ["multi", "1"],
      ["multi", "2"],
    ];
    expect(canonicalQuery(pairs)).toBe("enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29");
  });

  it("signRequest reproduces the POST vector when given the same headers", async () => {
    const h = new Headers({ "Content-Type": "application/json;charset=utf-8", "User-Agent": "huaweicloud-usdk-python/3.0; hwsdk-check", "X-Sdk-Date": DATE });
    await signRequest({ method: "POST", url: "http://127.0.0.1:8080/v2/cloudimages/action", headers: h, body: BODY, ak: "EXAMPLEAK1234567890", sk: SK, projectId: PROJECT });
    expect(h.get("Authorization")).toBe(
      "SDK-HMAC-SHA256 Access=EXAMPLEAK1234567890, SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, Signature=7853e58fdea0abb49e70cbed489e6054d5cf76e7eb447216f20024d52e03614f",
    );
  });
});

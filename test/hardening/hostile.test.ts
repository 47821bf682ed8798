// Hostile input: each request is refused in the IMS shape, and the stub answers correctly afterwards.
import { connect } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { body } from "../helpers/bodies.ts";
import { getJson, PROJECT_ID, postJson, startStub, TOKEN_HEADERS, type RunningStub } from "../helpers/stub.ts";

let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub();
});
afterAll(() => stub.close());

/** After every hostile request: a valid create still works and its job is readable. */
afterEach(async () => {
  const created = await postJson(stub.url, body("serverSystem"));
  expect(created.status).toBe(200);
  expect((await getJson(stub.url, `/v1/${PROJECT_ID}/jobs/${created.body.job_id}`)).body.status).toBe("SUCCESS");
});

/** Sends raw bytes over TCP and returns the status line's code and the body. */
function rawHttp(payload: Buffer | string): Promise<{ status: number; body: string }> {
  const { port } = new URL(stub.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1");
    let text = "";
    socket.on("data", (chunk) => (text += chunk.toString("latin1")));
    socket.on("end", () => resolve({ status: Number(text.split(" ")[1]), body: text.slice(text.indexOf("\r\n\r\n") + 4) }));
    socket.on("error", reject);
    socket.end(payload);
  });
}

const imsError = (text: string) => JSON.parse(text).error as { code: string; message: string };

describe("hostile bodies", () => {
  it("10,000-deep nesting", async () => {
    const deep = `${'{"name":"x","instance_id":'.repeat(1)}${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
    const res = await postJson(stub.url, deep);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toMatch(/^IMG\.\d{4}$/);
  });

  it("10,000-deep nesting in an unknown field", async () => {
    const res = await postJson(stub.url, `{"name":"x","extra":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("IMG.0001");
  });

  it.each(["__proto__", "constructor", "prototype"])("a %s key is an unknown field and pollutes nothing", async (key) => {
    const payloads = [
      `{"name":"ims","instance_id":"877a2cda-ba63-4e1e-b95f-e67e48b6129a","${key}":{"polluted":true}}`,
      `{"data_images":[{"name":"d","volume_id":"c5dfbd0c-bf0a-4798-a453-61dc6b54aa30","${key}":{"polluted":true}}]}`,
      `{"name":"ims","instance_id":"877a2cda-ba63-4e1e-b95f-e67e48b6129a","image_tags":[{"key":"k","value":"v","${key}":{"polluted":true}}]}`,
    ];
    for (const payload of payloads) {
      const res = await postJson(stub.url, payload);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: "IMG.0001", message: expect.stringContaining(key) });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });

  it("invalid UTF-8 inside a string", async () => {
    const bytes = Buffer.concat([Buffer.from('{"name":"ims'), Buffer.from([0xff, 0xfe]), Buffer.from('","instance_id":"877a2cda-ba63-4e1e-b95f-e67e48b6129a"}')]);
    const res = await fetch(`${stub.url}/v2/cloudimages/action`, { method: "POST", headers: TOKEN_HEADERS, body: bytes });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("IMG.0003");
  });

  it("a body that is only a number", async () => {
    const res = await postJson(stub.url, "42");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("IMG.0001");
  });

  it("an unsupported charset", async () => {
    const res = await fetch(`${stub.url}/v2/cloudimages/action`, { method: "POST", headers: { ...TOKEN_HEADERS, "Content-Type": "application/json; charset=ebcdic" }, body: "{}" });
    expect(res.status).toBe(415);
    expect((await res.json()).error.code).toBe("IMG.0001");
  });

  it("a body that lies about its length", async () => {
    const res = await rawHttp("POST /v2/cloudimages/action HTTP/1.1\r\nHost: x\r\nX-Auth-Token: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"name\":");
    expect(Number.isNaN(res.status) || res.status === 400).toBe(true);
  });
});

describe("hostile headers and URLs", () => {
  it("a very long header value gets 431 in the IMS shape", async () => {
    const res = await rawHttp(`GET /v1/cloudimages/job/x HTTP/1.1\r\nHost: x\r\nX-Auth-Token: ${"t".repeat(64 * 1024)}\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(imsError(res.body).code).toBe("IMG.0001");
  });

  it("a very long URL gets an IMS-shaped error", async () => {
    const res = await rawHttp(`GET /v1/cloudimages/job/${"a".repeat(64 * 1024)} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: t\r\nConnection: close\r\n\r\n`);
    expect([400, 414, 431]).toContain(res.status);
    expect(imsError(res.body).code).toBe("IMG.0001");
  });

  it("a long job ID within the header limit is refused by the spec", async () => {
    const res = await getJson(stub.url, `/v1/cloudimages/job/${"a".repeat(8000)}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "IMG.0001", message: expect.stringContaining("job_id") });
  });

  it("a malformed request line", async () => {
    const res = await rawHttp("BLAH\r\n\r\n");
    expect(res.status).toBe(400);
    expect(imsError(res.body).code).toBe("IMG.0001");
  });

  it.each([
    ["an encoded slash", "a%2Fb"],
    ["encoded dots", "%2e%2e"],
    ["a traversal", "..%2F..%2Fetc%2Fpasswd"],
    ["an encoded NUL", "a%00b"],
  ])("a job ID with %s is simply not found", async (_label, jobId) => {
    for (const path of [`/v1/${PROJECT_ID}/jobs/${jobId}`, `/v1/cloudimages/job/${jobId}`]) {
      const res = await getJson(stub.url, path);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("IMG.0121");
    }
  });

  it("a malformed percent escape in the path", async () => {
    const res = await getJson(stub.url, "/v1/cloudimages/job/%E0%A4%A");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("IMG.0001");
  });

  it("dot segments do not escape the API", async () => {
    const res = await rawHttp(`GET /v1/cloudimages/job/../../../../etc/passwd HTTP/1.1\r\nHost: x\r\nX-Auth-Token: t\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(404);
    expect(imsError(res.body).code).toBe("IMG.0121");
  });
});

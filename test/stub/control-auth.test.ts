// The control token over HTTP: with one, every control operation the contract does not leave open refuses a
// missing and a wrong token (401 in the control error shape) and accepts the right one; health stays open; the
// IMS API does not change. Without one, the control API is as open as it always was.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createImsClient, type CreateImageBody } from "../../client/index.ts";
import { createApp } from "../../server/app.ts";
import { loadSpec } from "../../server/contract/spec.ts";
import { body } from "../helpers/bodies.ts";
import { AK, control, PROJECT_ID, postJson, SK, startStub, TOKEN_HEADERS, type RunningStub } from "../helpers/stub.ts";

const TOKEN = "control-token-for-tests-0123456789";
const SAME_LENGTH_WRONG = TOKEN.replace(/.$/, "X");

type Operation = { method: string; path: string; operationId: string; payload: unknown; status: number };

/** Every operation of the control contract, with its first request example and its success status. */
function controlOperations(): { open: Operation[]; guarded: Operation[] } {
  const spec = loadSpec("control-openapi");
  const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, any>).map(([method, operation]) => {
      const examples = operation.requestBody?.content?.["application/json"]?.examples;
      return {
        method: method.toUpperCase(),
        path,
        operationId: operation.operationId as string,
        payload: examples ? (Object.values(examples)[0] as { value: unknown }).value : undefined,
        status: Number(Object.keys(operation.responses).find((status) => status.startsWith("2"))),
        open: Array.isArray(operation.security) && operation.security.length === 0,
      };
    }),
  );
  return { open: operations.filter((o) => o.open), guarded: operations.filter((o) => !o.open) };
}

const { open, guarded } = controlOperations();

const call = (stub: RunningStub, { method, path, payload }: Operation, authorization?: string) =>
  fetch(`${stub.url}${path}`, {
    method,
    headers: { ...(authorization !== undefined && { Authorization: authorization }), ...(payload !== undefined && { "Content-Type": "application/json" }) },
    ...(payload !== undefined && { body: JSON.stringify(payload) }),
  });

async function expectRefused(res: Response, message: RegExp) {
  expect(res.status).toBe(401);
  expect(res.headers.get("www-authenticate")).toBe('Bearer realm="ims-stub control"');
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const refusal = await res.json();
  expect(refusal).toEqual({ error: { code: "IMG.0087", message: expect.stringMatching(message) } });
  expect(refusal.error.message).not.toContain(TOKEN);
}

describe("a stub started with a control token", () => {
  let stub: RunningStub;
  beforeAll(async () => {
    stub = await startStub({ controlToken: TOKEN });
  });
  afterAll(() => stub.close());

  it("the contract guards every control operation but health", () => {
    expect(open.map((o) => o.operationId)).toEqual(["GetHealth"]);
    expect(guarded.map((o) => o.operationId)).toEqual(expect.arrayContaining(["ResetState", "ListJobs", "AddOutcomeRule", "ClearOutcomeRules", "LoadWorld", "ClearWorld", "ListViolations"]));
  });

  it.each(guarded.map((o) => [`${o.method} ${o.path}`, o] as const))("%s refuses a missing and a wrong token and accepts the right one", async (_name, operation) => {
    await expectRefused(await call(stub, operation), /needs its control token: send Authorization: Bearer <token>/);
    await expectRefused(await call(stub, operation, `Bearer ${SAME_LENGTH_WRONG}`), /not this stub's control token/);
    await expectRefused(await call(stub, operation, `Bearer ${TOKEN}x`), /not this stub's control token/);
    await expectRefused(await call(stub, operation, `Basic ${Buffer.from(`user:${TOKEN}`).toString("base64")}`), /needs its control token/);
    await expectRefused(await call(stub, operation, TOKEN), /needs its control token/);
    expect((await call(stub, operation, `Bearer ${TOKEN}`)).status).toBe(operation.status);
    // The scheme's name is case-insensitive (RFC 9110).
    expect((await call(stub, operation, `bearer ${TOKEN}`)).status).toBe(operation.status);
  });

  it("a refused call changes nothing", async () => {
    expect((await postJson(stub.url, body("serverSystem"))).status).toBe(200);
    expect((await fetch(`${stub.url}/_stub/reset`, { method: "POST", headers: { Authorization: `Bearer ${SAME_LENGTH_WRONG}` } })).status).toBe(401);
    expect(stub.app.jobs.size).toBe(1);
    expect((await control(stub, "POST", "/reset")).status).toBe(204);
    expect(stub.app.jobs.size).toBe(0);
  });

  it("health answers without a token, for readiness probes", async () => {
    const res = await fetch(`${stub.url}/_stub/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", jobs: expect.any(Number) });
  });

  it("the token is asked for before the body is looked at, and before an unknown path is told apart", async () => {
    const invalidRule = await fetch(`${stub.url}/_stub/outcomes`, { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"outcome":"MAYBE"}' });
    await expectRefused(invalidRule, /needs its control token/);
    await expectRefused(await fetch(`${stub.url}/_stub/nothing-here`), /needs its control token/);
    expect((await control(stub, "GET", "/nothing-here")).status).toBe(404);
    const invalidWithToken = await control(stub, "POST", "/outcomes", { outcome: "MAYBE" });
    expect(invalidWithToken.status).toBe(400);
  });

  it("the IMS API is unchanged: any X-Auth-Token, the AK/SK pairs, and a control token is no IMS credential", async () => {
    expect((await postJson(stub.url, body("serverSystem"), TOKEN_HEADERS)).status).toBe(200);
    const signed = createImsClient({ endpoint: stub.url, auth: { ak: AK, sk: SK, projectId: PROJECT_ID } });
    expect((await signed.createImage(body("serverSystem") as CreateImageBody)).job_id).toMatch(/^[0-9a-f]{32}$/);
    const withBearer = await postJson(stub.url, body("serverSystem"), { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" });
    expect(withBearer.status).toBe(401);
    expect(withBearer.body).toMatchObject({ error_code: "APIG.0301" });
    const noCredentials = await postJson(stub.url, body("serverSystem"), { "Content-Type": "application/json" });
    expect(noCredentials.status).toBe(401);
  });

  it("a CORS preflight for a control call needs no token (a browser sends none)", async () => {
    const res = await fetch(`${stub.url}/_stub/reset`, { method: "OPTIONS", headers: { Origin: "http://docs.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization" } });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-headers")).toMatch(/authorization/i);
  });
});

describe("a stub started without a control token (the loopback default)", () => {
  let stub: RunningStub;
  beforeAll(async () => {
    stub = await startStub();
  });
  afterAll(() => stub.close());

  it.each([...open, ...guarded].map((o) => [`${o.method} ${o.path}`, o] as const))("%s answers without a token, and ignores one", async (_name, operation) => {
    expect((await call(stub, operation)).status).toBe(operation.status);
    expect((await call(stub, operation, `Bearer ${TOKEN}`)).status).toBe(operation.status);
  });
});

describe("createApp({ controlToken })", () => {
  it.each([
    ["", /control token is empty/],
    ["fifteen-chars-x", /15 characters long: .* needs at least 16/],
    ["has a space in it somewhere", /printable ASCII without spaces/],
    ["line-break-at-the-end\n", /printable ASCII without spaces or line breaks/],
  ])("refuses %j rather than open the control API", (controlToken, message) => {
    expect(() => createApp({ controlToken })).toThrow(message);
  });
});

describe("a validating proxy started with a control token", () => {
  let upstream: Server;
  let seen: string[];
  let proxy: RunningStub;
  beforeAll(async () => {
    seen = [];
    upstream = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(404, { "Content-Type": "application/json" }).end('{"error":{"code":"IMG.0121","message":"The object cannot be found."}}');
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    proxy = await startStub({ upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, controlToken: TOKEN });
  });
  afterAll(async () => {
    await proxy.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it("answers a refused control call itself: warn mode never forwards it to the upstream", async () => {
    await expectRefused(await fetch(`${proxy.url}/_stub/reset`, { method: "POST" }), /needs its control token/);
    await expectRefused(await fetch(`${proxy.url}/_stub/violations`), /needs its control token/);
    expect(seen).toEqual([]);
    expect((await control(proxy, "GET", "/violations")).status).toBe(200);
  });
});

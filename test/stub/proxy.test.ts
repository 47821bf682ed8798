// The validating proxy (`ims-stub --upstream`): a second stub as the upstream, reached with AK/SK signed by the
// client, verified and re-signed by the proxy, verified again upstream; and upstreams that get the contract wrong
// on purpose: reported in warn mode, refused in strict mode, never a hang or a crash.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createImsClient } from "../../client/index.ts";
import { body } from "../helpers/bodies.ts";
import { faultyProvider, type Spoil } from "../helpers/faulty.ts";
import { AK, getJson, PROJECT_ID, postJson, SK, startStub, TOKEN_HEADERS, type RunningStub } from "../helpers/stub.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function stub(options: Parameters<typeof startStub>[0] = {}): Promise<RunningStub> {
  const running = await startStub(options);
  cleanups.push(running.close);
  return running;
}

/** A proxy in front of a spoiling provider in front of a real stub; `seen` counts what reached the provider. */
async function proxyInFrontOf(spoil: Spoil, strict = false) {
  const upstream = await stub();
  const seen: string[] = [];
  const faulty = await faultyProvider(upstream.url, (answer) => {
    seen.push(`${answer.method} ${answer.path}`);
    return spoil(answer);
  });
  cleanups.push(faulty.close);
  const proxy = await stub({ upstream: faulty.url, upstreamStrict: strict, upstreamTimeoutMs: 2000 });
  return { proxy, seen };
}

const violationsOf = (headers: Headers) => JSON.parse(headers.get("x-contract-violations") ?? "[]") as { location: string; path: string; message: string }[];

async function rawServer(handler: (server: Server) => Parameters<typeof createServer>[1]): Promise<string> {
  const server: Server = createServer();
  server.on("request", handler(server)!);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())) as Promise<void>);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("forwarding to a provider that keeps the contract", () => {
  it("covers the image operations with no code of their own: list, show, update, tags, delete, quota, v2.1 create", async () => {
    const upstream = await stub({ progression: "immediate" });
    const proxy = await stub({ upstream: upstream.url });
    const ims = createImsClient({ endpoint: proxy.url, auth: { ak: AK, sk: SK, projectId: PROJECT_ID } });
    const { job_id: jobId } = await ims.createImage({ name: "via_proxy", instance_id: "877a2cda-ba63-4e1e-b95f-e67e48b6129a" }, { safeMode: true });
    const [imageId] = (await ims.waitForJob(jobId, { maxWaitTime: 5, minDelay: 0.01 })).imageIds;
    expect((await ims.findImage(imageId!))?.name).toBe("via_proxy");
    expect((await ims.updateImage(imageId!, [{ op: "add", path: "/__description", value: "proxied" }])).__description).toBe("proxied");
    await ims.changeImageTags(imageId!, "create", [{ key: "k", value: "v" }]);
    expect(await ims.listImageTags(imageId!)).toEqual([{ key: "k", value: "v" }]);
    expect((await ims.showImageQuota()).quotas.resources[0]!.used).toBe(1);
    await ims.deleteImage(imageId!);
    await expect(ims.showImage(imageId!)).rejects.toMatchObject({ status: 404, code: "IMG.0121" });
    expect(upstream.app.images.size).toBe(0);
    expect((await getJson(proxy.url, "/_stub/violations")).body.violations).toEqual([]);
  });

  it("in warn mode never forwards a refused control request: the control API is the proxy's own", async () => {
    const { proxy, seen } = await proxyInFrontOf((answer) => answer);
    const refused = await fetch(`${proxy.url}/_stub/outcomes`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ outcome: "MAYBE" }) });
    expect(refused.status).toBe(400);
    expect(seen).toEqual([]);
  });

  it.each([
    ["AK/SK: signed by the client, verified and signed again by the proxy, verified by the upstream", { ak: AK, sk: SK, projectId: PROJECT_ID }],
    ["X-Auth-Token, passed through", { token: "proxied-token", projectId: PROJECT_ID }],
  ])("%s", async (_name, auth) => {
    const upstream = await stub({ progression: "per-poll" });
    const proxy = await stub({ upstream: upstream.url });
    const ims = createImsClient({ endpoint: proxy.url, auth });
    const { jobId, imageIds } = await ims.createImageAndWait({ name: "ims_test", instance_id: "877a2cda-ba63-4e1e-b95f-e67e48b6129a" }, { maxWaitTime: 10, minDelay: 0.01, maxDelay: 0.05 });
    expect(imageIds).toHaveLength(1);
    // The job lives upstream: the proxy keeps none of its own.
    expect(upstream.app.jobs.list().map((j) => j.job.job_id)).toContain(jobId);
    expect(proxy.app.jobs.size).toBe(0);
    expect((await getJson(proxy.url, "/_stub/violations")).body.violations).toEqual([]);
  });

  it("forwards a request body byte for byte", async () => {
    let received: Buffer | undefined;
    const upstream = await rawServer(() => async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      received = Buffer.concat(chunks);
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"job_id":"8a12fc664fb4daa3014fb4e581380005"}');
    });
    const proxy = await stub({ upstream });
    const sent = '{ "name" : "ims_test",\n  "instance_id":"877a2cda-ba63-4e1e-b95f-e67e48b6129a" , "description": "caf\\u00e9 ☕" }';
    const res = await postJson(proxy.url, sent);
    expect(res.status).toBe(200);
    expect(received?.toString("utf8")).toBe(sent);
    expect(res.headers.get("x-contract-violations")).toBeNull();
  });
});

describe("warn mode (the default)", () => {
  it("answers as the upstream answered and reports a renamed field, in the header, the log list and until reset", async () => {
    const { proxy } = await proxyInFrontOf(({ path, status, body: answer }) => {
      if (status !== 200 || !path.includes("/job")) return undefined;
      const { job_type, ...rest } = answer as Record<string, unknown>;
      return { body: { ...rest, jobType: job_type } };
    });
    const { body: created } = await postJson(proxy.url, body("serverSystem"));
    const res = await fetch(`${proxy.url}/v1/cloudimages/job/${created.job_id}`, { headers: TOKEN_HEADERS });
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty("jobType");
    const violations = violationsOf(res.headers);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations[0]).toMatchObject({ location: "response" });
    expect(JSON.stringify(violations)).toMatch(/job_type|jobType/);
    const listed = (await getJson(proxy.url, "/_stub/violations")).body.violations;
    expect(listed[0]).toMatchObject({ location: "response", method: "GET", url: `/v1/cloudimages/job/${created.job_id}` });
    await fetch(`${proxy.url}/_stub/reset`, { method: "POST" });
    expect((await getJson(proxy.url, "/_stub/violations")).body.violations).toEqual([]);
  });

  it.each<[string, Spoil, RegExp]>([
    ["a status the contract does not document", ({ status }) => (status === 200 ? { status: 202 } : undefined), /202 is not a documented status/],
    ["a wrong content type", ({ status }) => (status === 200 ? { contentType: "text/plain" } : undefined), /text\/plain/],
  ])("reports %s", async (_name, spoil, message) => {
    const { proxy } = await proxyInFrontOf(spoil);
    const res = await postJson(proxy.url, body("serverSystem"));
    expect(violationsOf(res.headers).map((v) => v.message).join("\n")).toMatch(message);
  });

  it("forwards an invalid request and reports it", async () => {
    const { proxy, seen } = await proxyInFrontOf(() => undefined);
    const res = await postJson(proxy.url, body("serverSystem", { name: "a/b" }));
    expect(seen).toEqual(["POST /v2/cloudimages/action"]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("IMG.0003");
    expect(violationsOf(res.headers)[0]).toMatchObject({ location: "request" });
  });
});

describe("strict mode", () => {
  it("refuses an invalid request with the stub's IMG code, without forwarding it", async () => {
    const { proxy, seen } = await proxyInFrontOf(() => undefined, true);
    const res = await postJson(proxy.url, body("serverSystem", { name: "a/b" }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("IMG.0003");
    expect(seen).toEqual([]);
  });

  it("turns an off-contract answer into a 502 that names the violation", async () => {
    const { proxy } = await proxyInFrontOf(({ status, body: answer }) => (status === 200 ? { body: { ...(answer as object), job_id: 42 } } : undefined), true);
    const res = await postJson(proxy.url, body("serverSystem"));
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe("IMG.0061");
    expect(res.body.error.message).toMatch(/job_id/);
  });
});

describe("an upstream that fails", () => {
  it("unreachable: 502 in the IMS shape", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const proxy = await stub({ upstream: `http://127.0.0.1:${port}` });
    const res = await postJson(proxy.url, body("serverSystem"));
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe("IMG.0061");
    expect(res.body.error.message).toMatch(/could not be reached/);
  });

  it("slow: 504 once the timeout passes, not a hang", async () => {
    const upstream = await rawServer(() => () => {});
    const proxy = await stub({ upstream, upstreamTimeoutMs: 300 });
    const started = Date.now();
    const res = await postJson(proxy.url, body("serverSystem"));
    expect(res.status).toBe(504);
    expect(res.body.error.message).toMatch(/300 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("a dropped connection: 502, and the proxy still serves", async () => {
    const upstream = await rawServer(() => (req) => req.socket.destroy());
    const proxy = await stub({ upstream });
    expect((await postJson(proxy.url, body("serverSystem"))).status).toBe(502);
    expect((await getJson(proxy.url, "/_stub/health")).status).toBe(200);
  });
});

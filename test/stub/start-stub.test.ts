// startStub() (ims-create-image-contract/testing): a stub per test in-process, with our client and a typed
// control client; two in one process share nothing; close() frees the port and leaves nothing running.
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { ImsConnectionResetError, type CreateImageBody } from "../../client/index.ts";
import { startStub } from "../../server/testing.ts";
import { body } from "../helpers/bodies.ts";
import { AK, PROJECT_ID, SK } from "../helpers/stub.ts";

/** Whether this process can listen on the port now (it is free). */
const canListenOn = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

const activeTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;

describe("startStub", () => {
  it("serves on a free loopback port, with our client and a typed control client pointed at it", async () => {
    const stub = await startStub({ progression: "per-poll" });
    try {
      expect(stub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const { jobId, polls } = await stub.client.createImageAndWait(body("serverSystem") as CreateImageBody, { maxWaitTime: 10, minDelay: 0.01, maxDelay: 0.02 });
      const { data, response } = await stub.control.GET("/_stub/requests", { params: { query: { operation: "ShowJob" } } });
      expect(response.status).toBe(200);
      expect(data!.requests).toHaveLength(polls);
      expect(data!.requests.every((entry) => entry.job_id === jobId && entry.auth === "token")).toBe(true);
      const { data: rule } = await stub.control.POST("/_stub/faults", { body: { operation: "ShowJob", fault: "connection-reset", times: 1 } });
      expect(rule!.rule_id).toMatch(/^fault-/);
      await expect(stub.client.showJob(jobId)).resolves.toMatchObject({ status: "SUCCESS" });
    } finally {
      await stub.close();
    }
  });

  it("two stubs in one process share nothing: jobs, rules, journal, port", async () => {
    const [a, b] = await Promise.all([startStub(), startStub()]);
    try {
      expect(a.url).not.toBe(b.url);
      const { job_id } = await a.client.createImage(body("volume") as CreateImageBody);
      await expect(b.client.showJob(job_id)).rejects.toMatchObject({ status: 404 });
      await a.control.POST("/_stub/faults", { body: { operation: "ShowImageQuota", fault: "empty-response" } });
      await expect(a.client.showImageQuota()).rejects.toBeInstanceOf(ImsConnectionResetError);
      await expect(b.client.showImageQuota()).resolves.toBeDefined();
      const journalOf = async (stub: typeof a) => (await stub.control.GET("/_stub/requests")).data!.requests.map((entry) => entry.operation);
      expect(await journalOf(a)).toEqual(["CreateImage", "ShowImageQuota", "ShowImageQuota", "ShowImageQuota"]);
      expect(await journalOf(b)).toEqual(["ShowJob", "ShowImageQuota"]);
      await a.control.POST("/_stub/reset");
      expect((await b.control.GET("/_stub/requests")).data!.requests).toHaveLength(2);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("two stubs in one process share no images, settings or world", async () => {
    const [a, b] = await Promise.all([startStub({ imageQuota: 1 }), startStub({ world: { servers: ["11111111-2222-3333-4444-555555555555"] } })]);
    try {
      const { job_id } = await a.client.createImage(body("volume") as CreateImageBody);
      const imageId = ((await a.client.showJob(job_id)) as { entities: { image_id: string } }).entities.image_id;
      expect((await b.control.GET("/_stub/images")).data!.images).toEqual([]);
      const listed = await fetch(`${b.url}/v2/cloudimages?id=${imageId}`, { headers: { "X-Auth-Token": "t" } });
      expect(await listed.json()).toEqual({ images: [] });
      // a's quota of 1 is full; b keeps the default.
      await expect(a.client.createImage(body("volume") as CreateImageBody)).rejects.toMatchObject({ code: "IMG.0015" });
      await expect(b.client.createImage(body("volume") as CreateImageBody)).resolves.toMatchObject({ job_id: expect.any(String) });
      expect((await a.control.GET("/_stub/health")).data).toMatchObject({ jobs: 1 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("a stub started after 100 others answers like the first", async () => {
    /** What a stub answers to the same requests, its IDs and times masked: status and body of each. */
    const transcript = async (stub: Awaited<ReturnType<typeof startStub>>) => {
      const headers = { "X-Auth-Token": "t", "Content-Type": "application/json" };
      const ask = async (path: string, init: RequestInit = {}) => {
        const response = await fetch(`${stub.url}${path}`, { headers, ...init });
        return `${response.status} ${(await response.text()).replace(/[0-9a-f]{32}|[0-9a-f-]{36}|\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<masked>")}`;
      };
      const created = await fetch(`${stub.url}/v2/cloudimages/action`, { method: "POST", headers, body: JSON.stringify(body("serverSystem")) });
      const { job_id: jobId } = (await created.json()) as { job_id: string };
      const job = await ask(`/v1/cloudimages/job/${jobId}`);
      const imageId = /"image_id":"([^"]+)"/.exec(await (await fetch(`${stub.url}/v1/cloudimages/job/${jobId}`, { headers })).text())![1];
      return [
        created.status,
        job,
        await ask(`/v2/cloudimages?id=${imageId}`),
        await ask("/v2/cloudimages/action", { method: "POST", body: JSON.stringify({ name: "x", instanceId: "y" }) }),
        await ask("/v1/cloudimages/job/x", { headers: { ...headers, Prefer: "example=fail" } }),
        await ask("/v1/cloudimages/quota"),
        await ask("/_stub/jobs"),
      ];
    };
    const first = await startStub();
    const expected = await transcript(first);
    await first.close();
    for (let i = 0; i < 100; i++) {
      const other = await startStub({ progression: i % 2 ? "per-poll" : "timed", imageQuota: i });
      await other.client.createImage(body("volume") as CreateImageBody).catch(() => undefined);
      await other.close();
    }
    const last = await startStub();
    try {
      expect(await transcript(last)).toEqual(expected);
    } finally {
      await last.close();
    }
  }, 60_000);

  it("close() frees the port, even with an answer held back by a delay, and leaves no timer behind", async () => {
    const timersBefore = activeTimers();
    const stub = await startStub();
    const port = Number(new URL(stub.url).port);
    expect(await canListenOn(port)).toBe(false);
    await stub.control.POST("/_stub/faults", { body: { operation: "ShowImageQuota", delay_ms: 60_000 } });
    const pending = stub.client.showImageQuota().catch((error: unknown) => error);
    // The rule has taken the request: its answer is being held back.
    await expect.poll(async () => (await stub.control.GET("/_stub/faults")).data!.rules[0]!.applied).toBe(1);
    await stub.close();
    await stub.close();
    expect(await canListenOn(port)).toBe(true);
    // The held-back read got no answer; the client's own retries give up (the port is closed).
    expect(await pending).toBeInstanceOf(Error);
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it("passes the control token, when the stub has one, on every control call", async () => {
    const stub = await startStub({ controlToken: "start-stub-control-token-0123" });
    try {
      expect((await fetch(`${stub.url}/_stub/jobs`)).status).toBe(401);
      const { response, data } = await stub.control.GET("/_stub/jobs");
      expect(response.status).toBe(200);
      expect(data).toEqual({ jobs: [] });
    } finally {
      await stub.close();
    }
  });

  it("signs with AK/SK when given auth, in the key's project", async () => {
    const stub = await startStub({ auth: { ak: AK, sk: SK, projectId: PROJECT_ID } });
    try {
      await stub.client.createImage(body("serverSystem") as CreateImageBody);
      expect((await stub.control.GET("/_stub/requests")).data!.requests[0]).toMatchObject({ auth: "aksk", ak: AK, project_id: PROJECT_ID });
    } finally {
      await stub.close();
    }
  });
});

// Scenario control: Prism-style Prefer, job preferences, and the control API.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SERVER_ID, VOLUME_ID, body } from "../helpers/bodies.ts";
import { getJson, postJson, PROJECT_ID, startStub, TOKEN_HEADERS, type RunningStub } from "../helpers/stub.ts";

let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub({ progression: "immediate" });
});
beforeEach(async () => {
  expect((await fetch(`${stub.url}/_stub/reset`, { method: "POST" })).status).toBe(204);
});
afterAll(() => stub.close());

const withPrefer = (prefer: string) => ({ ...TOKEN_HEADERS, Prefer: prefer });
const job = async (jobId: string) => (await getJson(stub.url, `/v1/${PROJECT_ID}/jobs/${jobId}`)).body;
const control = (method: string, path: string, payload?: unknown) =>
  fetch(`${stub.url}/_stub${path}`, { method, headers: { "Content-Type": "application/json" }, ...(payload !== undefined && { body: JSON.stringify(payload) }) });

describe("Prefer", () => {
  it("code=NNN answers that documented response with its example", async () => {
    const res = await postJson(stub.url, body("serverSystem"), withPrefer("code=400"));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "IMG.0024", message: "The imagetype is invalid." } });
    expect(res.headers.get("preference-applied")).toBe("code=400");
  });

  it("example=NAME picks a named example of the 200 response", async () => {
    const res = await getJson(stub.url, `/v1/${PROJECT_ID}/jobs/anything`, withPrefer("example=fail"));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "FAIL", error_code: "IMG.0005" });
  });

  it("code and example together", async () => {
    const res = await getJson(stub.url, "/v1/cloudimages/job/x", withPrefer('code=200, example="data_images_success"'));
    expect(res.body.job_type).toBe("imsVolumesToSysDataImagesJob");
  });

  it.each<[string, RegExp]>([
    ["code=418", /not a documented response/],
    ["example=nope", /no example "nope"/],
    ["job-outcome=MAYBE", /job-outcome/],
    ["job-progression=slow", /job-progression/],
    ["job-duration=soon", /job-duration/],
    ["job-error-code=E1", /job-error-code/],
    ["job_outcome=FAIL", /^The request message format is invalid\. Prefer: job_outcome is not a preference of the stub; did you mean job-outcome\?$/],
    ["outcome=FAIL", /Prefer: outcome is not a preference of the stub; did you mean job-outcome\?$/],
    ["job-duration-ms=5000", /Prefer: job-duration-ms is not a preference of the stub; did you mean job-duration\?$/],
  ])("%s is refused with a clear message", async (prefer, message) => {
    const res = await postJson(stub.url, body("serverSystem"), withPrefer(prefer));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });

  it("a preference the stub does not know, and that is close to none of its own, is ignored (RFC 7240)", async () => {
    const res = await postJson(stub.url, body("serverSystem"), withPrefer("return=minimal, respond-async, lang=fr"));
    expect(res.status).toBe(200);
  });

  it("a body error wins over Prefer: validation happens first", async () => {
    const res = await postJson(stub.url, { name: "x" }, withPrefer("code=200"));
    expect(res.status).toBe(400);
  });

  it("job-outcome=FAIL with a code and reason makes the job FAIL", async () => {
    const created = await postJson(stub.url, body("serverSystem"), withPrefer('job-outcome=FAIL, job-error-code=IMG.0005, job-fail-reason="no such server"'));
    expect(created.status).toBe(200);
    expect(await job(created.body.job_id)).toMatchObject({ status: "FAIL", error_code: "IMG.0005", fail_reason: "no such server", entities: { process_percent: 0 } });
  });

  it("a FAIL data disk job fails its sub-jobs too", async () => {
    const created = await postJson(stub.url, body("serverData"), withPrefer("job-outcome=FAIL, job-error-code=IMG.0120"));
    const failed = await job(created.body.job_id);
    expect(failed).toMatchObject({ status: "FAIL", error_code: "IMG.0120", fail_reason: "The specified data disk ID is unavailable." });
    expect(failed.entities.sub_jobs_result[0]).toMatchObject({ status: "FAIL", error_code: "IMG.0120" });
  });

  it("job-progression and job-duration set the job's pace", async () => {
    const created = await postJson(stub.url, body("serverSystem"), withPrefer("job-progression=timed, job-duration=5000"));
    expect((await job(created.body.job_id)).status).toBe("INIT");
    stub.clock.now += 5000;
    expect((await job(created.body.job_id)).status).toBe("SUCCESS");
  });
});

describe("control API", () => {
  it("health", async () => {
    expect(await (await control("GET", "/health")).json()).toEqual({ status: "ok", jobs: 0 });
  });

  it("lists jobs of every project, and reset forgets them", async () => {
    await postJson(stub.url, body("serverSystem"));
    const listed = await (await control("GET", "/jobs")).json();
    expect(listed.jobs).toHaveLength(1);
    expect(listed.jobs[0]).toMatchObject({ project_id: PROJECT_ID, polls: 0, outcome: "SUCCESS", progression: "immediate" });
    await control("POST", "/reset");
    expect((await (await control("GET", "/jobs")).json()).jobs).toEqual([]);
  });

  it("an outcome rule for a source ID fails that server's jobs only", async () => {
    const rule = await control("POST", "/outcomes", { source_id: SERVER_ID, outcome: "FAIL", error_code: "IMG.0005" });
    expect(rule.status).toBe(201);
    expect((await rule.json()).rule_id).toMatch(/^rule-/);
    const theServer = await postJson(stub.url, body("serverSystem"));
    const another = await postJson(stub.url, body("serverSystem", { instance_id: "11111111-2222-4333-8444-555555555555" }));
    expect(await job(theServer.body.job_id)).toMatchObject({ status: "FAIL", error_code: "IMG.0005", fail_reason: "The ECS does not exist." });
    expect((await job(another.body.job_id)).status).toBe("SUCCESS");
  });

  it("a rule with times serves that many creates, then goes", async () => {
    await control("POST", "/outcomes", { times: 2, outcome: "FAIL" });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await postJson(stub.url, body("volume"))).body.job_id);
    expect(await Promise.all(ids.map(async (id) => (await job(id)).status))).toEqual(["FAIL", "FAIL", "SUCCESS"]);
  });

  it("Prefer wins over a rule", async () => {
    await control("POST", "/outcomes", { outcome: "FAIL" });
    const created = await postJson(stub.url, body("volume"), withPrefer("job-outcome=SUCCESS"));
    expect((await job(created.body.job_id)).status).toBe("SUCCESS");
    await control("DELETE", "/outcomes");
    expect((await job((await postJson(stub.url, body("volume"))).body.job_id)).status).toBe("SUCCESS");
  });

  it("after a world is loaded, unknown resources fail the way IMS would", async () => {
    expect((await control("PUT", "/world", { servers: [SERVER_ID], volumes: [VOLUME_ID], files: ["ims-image:centos70.qcow2"] })).status).toBe(204);
    const cases: [Record<string, unknown>, string | null][] = [
      [body("serverSystem"), null],
      [body("serverSystem", { instance_id: "11111111-2222-4333-8444-555555555555" }), "IMG.0005"],
      [body("volume"), null],
      [body("volume", { volume_id: "11111111-2222-4333-8444-555555555555" }), "IMG.0120"],
      [body("serverData", { data_images: [{ name: "d", volume_id: "11111111-2222-4333-8444-555555555555" }] }), "IMG.0120"],
      [body("file"), null],
      [body("file", { image_url: "other:f.qcow2" }), "IMG.0057"],
    ];
    for (const [sent, code] of cases) {
      const created = await postJson(stub.url, sent);
      expect(created.status).toBe(200);
      expect((await job(created.body.job_id)).error_code).toBe(code);
    }
    await control("DELETE", "/world");
    expect((await job((await postJson(stub.url, body("file", { image_url: "other:f.qcow2" }))).body.job_id)).status).toBe("SUCCESS");
  });

  it("validates its own requests against its spec", async () => {
    const res = await control("POST", "/outcomes", { outcome: "MAYBE" });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("IMG.0001");
    expect((await control("PUT", "/world", { servers: "all" })).status).toBe(400);
  });
});

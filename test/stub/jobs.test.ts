// Job state: each seed example reaches SUCCESS with its image IDs, the three progressions, both job
// operations, bounded retention, and response validation catching a non-conforming handler.
import { afterEach, describe, expect, it } from "vitest";
import { body, seedExamples } from "../helpers/bodies.ts";
import { getJson, postJson, PROJECT_ID, startStub, TOKEN_HEADERS, type RunningStub } from "../helpers/stub.ts";

let stub: RunningStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const showJob = (s: RunningStub, jobId: string) => getJson(s.url, `/v1/${PROJECT_ID}/jobs/${jobId}`);
const showJobProgress = (s: RunningStub, jobId: string) => getJson(s.url, `/v1/cloudimages/job/${jobId}`);

const EXPECTED_JOB_TYPE: Record<string, string> = {
  server_system: "imsCreateImageByInstance",
  server_data: "imsVolumesToSysDataImagesJob",
  file_image: "imsImportImageJob",
  volume_system: "imsVolumeCreateImageJob",
};

describe("each seed example", () => {
  it.each(seedExamples())("%s: 200, then the job reaches SUCCESS with its image IDs", async (key, example) => {
    stub = await startStub({ progression: "immediate" });
    const created = await postJson(stub.url, example);
    expect(created.status).toBe(200);
    expect(created.body.job_id).toMatch(/^[0-9a-f]{32}$/);
    const { status, body: job } = await showJob(stub, created.body.job_id);
    expect(status).toBe(200);
    expect(job.status).toBe("SUCCESS");
    expect(job.job_type).toBe(EXPECTED_JOB_TYPE[Object.keys(EXPECTED_JOB_TYPE).find((prefix) => key.startsWith(prefix))!]);
    if (key.startsWith("server_data")) {
      expect(job.entities.image_id).toBeUndefined();
      expect(job.entities.sub_jobs_result).toHaveLength(1);
      expect(job.entities.sub_jobs_result[0]).toMatchObject({ status: "SUCCESS", job_type: "imsCopyVolumeToImageJob", entities: { image_name: "ims_data_image_test" } });
      expect(job.entities.sub_jobs_result[0].entities.image_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(job.entities.sub_jobs_list).toEqual([job.entities.sub_jobs_result[0].job_id]);
    } else {
      expect(job.entities).toMatchObject({ image_name: (example as { name: string }).name, process_percent: 1 });
      expect(job.entities.image_id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(job.error_code).toBeNull();
    expect(job.fail_reason).toBeNull();
    expect(job.end_time).not.toBe("");
  });
});

describe("progression", () => {
  it("timed: INIT, then RUNNING with rising progress and current_task, then SUCCESS at the duration", async () => {
    stub = await startStub({ progression: "timed", jobDurationMs: 10_000 });
    const start = stub.clock.now;
    const { body: created } = await postJson(stub.url, body("serverSystem"));
    const at = async (ms: number) => {
      stub!.clock.now = start + ms;
      return (await showJob(stub!, created.job_id)).body;
    };
    expect(await at(500)).toMatchObject({ status: "INIT", end_time: "", entities: { process_percent: 0, current_task: "" } });
    const early = await at(3000);
    const late = await at(8000);
    expect(early).toMatchObject({ status: "RUNNING", entities: { current_task: "CreateImageByInstanceTask" } });
    expect(late.status).toBe("RUNNING");
    expect(late.entities.process_percent).toBeGreaterThan(early.entities.process_percent);
    expect(late.entities.image_id).toBeUndefined();
    const done = await at(10_000);
    expect(done).toMatchObject({ status: "SUCCESS", entities: { process_percent: 1 } });
    expect(done.end_time).toBe(new Date(start + 10_000).toISOString());
  });

  it("per-poll: one step per read, whatever the time", async () => {
    stub = await startStub({ progression: "per-poll" });
    const { body: created } = await postJson(stub.url, body("volume"));
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await showJobProgress(stub, created.job_id)).body.status);
    expect(statuses).toEqual(["INIT", "RUNNING", "RUNNING", "SUCCESS", "SUCCESS"]);
  });

  it("immediate: final on the first read", async () => {
    stub = await startStub({ progression: "immediate" });
    const { body: created } = await postJson(stub.url, body("file"));
    expect((await showJobProgress(stub, created.job_id)).body.status).toBe("SUCCESS");
  });

  it("ShowJob and ShowJobProgress serve the same job", async () => {
    stub = await startStub({ progression: "immediate" });
    const { body: created } = await postJson(stub.url, body("file", { data_images: [{ image_url: "bkt:d1.qcow2", min_disk: 100, name: "d1" }] }));
    const a = (await showJob(stub, created.job_id)).body;
    const b = (await showJobProgress(stub, created.job_id)).body;
    expect(b).toEqual(a);
    expect(a.entities.image_id).toBeDefined();
    expect(a.entities.sub_jobs_result.map((sub: { entities: { image_name: string } }) => sub.entities.image_name)).toEqual(["d1"]);
  });
});

describe("retention", () => {
  it("keeps at most maxJobs, evicting the oldest finished job first", async () => {
    stub = await startStub({ progression: "immediate", maxJobs: 5 });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await postJson(stub.url, body("serverSystem"))).body.job_id);
    expect(stub.app.jobs.size).toBe(5);
    expect((await showJob(stub, ids[0]!)).status).toBe(404);
    for (const id of ids.slice(-5)) expect((await showJob(stub, id)).status).toBe(200);
  });

  it("keeps a long job that is still running and evicts the finished ones after it", async () => {
    stub = await startStub({ progression: "immediate", maxJobs: 3 });
    const slow = (await postJson(stub.url, body("serverSystem"), { ...TOKEN_HEADERS, Prefer: "job-progression=timed, job-duration=60000" })).body.job_id;
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await postJson(stub.url, body("serverSystem"))).body.job_id);
    expect(stub.app.jobs.size).toBe(3);
    expect((await showJob(stub, slow)).body.status).not.toMatch(/SUCCESS|FAIL/);
    for (const id of ids.slice(0, 4)) expect((await showJob(stub, id)).status).toBe(404);
    for (const id of ids.slice(-2)) expect((await showJob(stub, id)).status).toBe(200);
    // Once it ends it is the oldest finished job, and the next create evicts it.
    stub.clock.now += 60_000;
    ids.push((await postJson(stub.url, body("serverSystem"))).body.job_id);
    expect((await showJob(stub, slow)).status).toBe(404);
    expect(stub.app.jobs.size).toBe(3);
  });

  it("refuses a create with IMG.0060 rather than drop a running job", async () => {
    stub = await startStub({ progression: "timed", jobDurationMs: 60_000, maxJobs: 2 });
    expect((await postJson(stub.url, body("serverSystem"))).status).toBe(200);
    expect((await postJson(stub.url, body("serverSystem"))).status).toBe(200);
    const refused = await postJson(stub.url, body("serverSystem"));
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("IMG.0060");
    stub.clock.now += 60_000;
    expect((await postJson(stub.url, body("serverSystem"))).status).toBe(200);
  });
});

describe("response validation", () => {
  it("a handler answering outside the contract gets a 500 in the IMS shape, not its body", async () => {
    stub = await startStub({
      handlers: {
        ShowJobProgress: (_req, res) => void res.json({ job_id: 42, status: "DONE" }),
      },
    });
    const res = await showJobProgress(stub, "8a12fc664fb4daa3014fb4e581380005");
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: "IMG.0061", message: "Unknown system error." } });
  });
});

// Concurrency and bounded memory: no accepted job is lost or duplicated, and retention stays at its cap.
import { afterEach, describe, expect, it } from "vitest";
import { JobStore } from "../../server/ims/jobs/store.ts";
import { body } from "../helpers/bodies.ts";
import { getJson, PROJECT_ID, postJson, startStub, type RunningStub } from "../helpers/stub.ts";

let stub: RunningStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const SHAPES = ["serverSystem", "serverData", "file", "volume"] as const;

describe("concurrency", () => {
  it("500 concurrent creates give 500 distinct jobs, each retrievable and reaching its end state", async () => {
    stub = await startStub({ progression: "timed", jobDurationMs: 1000 });
    const created = await Promise.all(Array.from({ length: 500 }, (_, i) => postJson(stub!.url, body(SHAPES[i % 4]!))));
    expect(created.map((r) => r.status)).toEqual(Array(500).fill(200));
    const ids = created.map((r) => r.body.job_id as string);
    expect(new Set(ids).size).toBe(500);
    expect(stub.app.jobs.size).toBe(500);
    stub.clock.now += 1000;
    const jobs = await Promise.all(ids.map((id) => getJson(stub!.url, `/v1/${PROJECT_ID}/jobs/${id}`)));
    expect(jobs.map((j) => j.status)).toEqual(Array(500).fill(200));
    expect(jobs.map((j) => j.body.job_id)).toEqual(ids);
    expect(new Set(jobs.map((j) => j.body.status))).toEqual(new Set(["SUCCESS"]));
  }, 60_000);
});

describe("memory stays bounded", () => {
  it("over HTTP: after 3× the cap of jobs, the cap is retained", async () => {
    stub = await startStub({ progression: "immediate", maxJobs: 200 });
    for (let i = 0; i < 600; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, () => postJson(stub!.url, body("volume"))));
      expect(batch.every((r) => r.status === 200)).toBe(true);
    }
    expect(stub.app.jobs.size).toBe(200);
    expect((await (await fetch(`${stub.url}/_stub/health`)).json()).jobs).toBe(200);
  }, 60_000);

  it("in the store: 100,000 finished jobs leave exactly the cap", () => {
    const store = new JobStore(10_000);
    const plan = { jobType: "imsCreateImageByInstance", currentTask: "t", image: "i", subJobs: [], sources: [] };
    for (let i = 0; i < 100_000; i++) store.create(PROJECT_ID, plan, { outcome: { status: "SUCCESS" }, progression: "immediate", durationMs: 0 });
    expect(store.size).toBe(10_000);
  });
});

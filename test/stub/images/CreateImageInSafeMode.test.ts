// CreateImageInSafeMode, POST /v2.1/cloudimages/action: the same body, the same refusals, the same job and images.
import { afterAll, beforeAll, expect, it } from "vitest";
import { seedExamples } from "../../helpers/bodies.ts";
import { call } from "../../helpers/images.ts";
import { PROJECT_ID, startStub, type RunningStub } from "../../helpers/stub.ts";

let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub({ progression: "immediate" });
});
afterAll(() => stub.close());

it.each(seedExamples())("%s: a job that ShowJob follows to SUCCESS, and its images", async (_name, example) => {
  const created = await call(stub, "POST", "/v2.1/cloudimages/action", example);
  expect(created.status).toBe(200);
  const job = (await call(stub, "GET", `/v1/${PROJECT_ID}/jobs/${created.body.job_id}`)).body;
  expect(job.status).toBe("SUCCESS");
  const id = job.entities.image_id ?? job.entities.sub_jobs_result[0].entities.image_id;
  expect((await call(stub, "GET", `/v2/images/${id}`)).body.status).toBe("active");
});

it("refuses what CreateImage refuses, with the same codes", async () => {
  for (const [body, code] of [
    [{ name: "x" }, "IMG.0001"],
    [{ instance_id: "877a2cda-ba63-4e1e-b95f-e67e48b6129a" }, "IMG.0013"],
    [{ name: "x", image_url: "bkt:f.qcow2", min_disk: 10 }, "IMG.0055"],
    [{}, "IMG.0007"],
  ] as const) {
    const v2 = await call(stub, "POST", "/v2/cloudimages/action", body);
    const v21 = await call(stub, "POST", "/v2.1/cloudimages/action", body);
    expect([v21.status, v21.body.error.code]).toEqual([400, code]);
    expect(v21.body.error.message).toBe(v2.body.error.message);
  }
});

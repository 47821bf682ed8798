// ShowImageQuota, GET /v1/cloudimages/quota, and the quota at create (IMG.0015): what bounds the images kept.
import { afterEach, expect, it } from "vitest";
import { bases, VOLUME_ID } from "../../helpers/bodies.ts";
import { call, createImages } from "../../helpers/images.ts";
import { startStub, TOKEN_HEADERS, type RunningStub } from "../../helpers/stub.ts";

let stub: RunningStub;
afterEach(() => stub.close());
const quota = async () => (await call(stub, "GET", "/v1/cloudimages/quota")).body.quotas.resources.find((r: { type: string }) => r.type === "image");

it("counts the project's images against --image-quota, and refuses a create past it with nothing made", async () => {
  stub = await startStub({ progression: "immediate", imageQuota: 3, world: { images: [{ name: "Public image" }] } });
  expect(await quota()).toMatchObject({ type: "image", used: 0, quota: 3 });
  await createImages(stub, bases.serverSystem);
  await createImages(stub, { data_images: [{ name: "d1", volume_id: VOLUME_ID }, { name: "d2", volume_id: VOLUME_ID }] });
  expect((await quota()).used).toBe(3);

  const jobsBefore = stub.app.jobs.size;
  const refused = await call(stub, "POST", "/v2/cloudimages/action", bases.serverSystem);
  expect([refused.status, refused.body.error.code]).toEqual([400, "IMG.0015"]);
  expect(refused.body.error.message).toContain("3 of its 3");
  expect(stub.app.jobs.size).toBe(jobsBefore);
  expect(stub.app.images.size).toBe(4);

  const safeMode = await call(stub, "POST", "/v2.1/cloudimages/action", bases.serverSystem);
  expect(safeMode.body.error.code).toBe("IMG.0015");
});

it("a deleted image and a failed job's image free their place", async () => {
  stub = await startStub({ progression: "immediate", imageQuota: 1 });
  const [id] = (await createImages(stub, bases.serverSystem)).imageIds;
  expect((await call(stub, "POST", "/v2/cloudimages/action", bases.serverSystem)).body.error.code).toBe("IMG.0015");
  expect((await call(stub, "DELETE", `/v2/images/${id}`)).status).toBe(204);
  const failing = await call(stub, "POST", "/v2/cloudimages/action", bases.serverSystem, { ...TOKEN_HEADERS, Prefer: "job-outcome=FAIL" });
  expect(failing.status).toBe(200);
  expect((await quota()).used).toBe(0);
  expect((await call(stub, "POST", "/v2/cloudimages/action", bases.serverSystem)).status).toBe(200);
});

it("a data disk create needs room for all its images", async () => {
  stub = await startStub({ progression: "immediate", imageQuota: 2 });
  await createImages(stub, bases.serverSystem);
  const refused = await call(stub, "POST", "/v2/cloudimages/action", { data_images: [{ name: "d1", volume_id: VOLUME_ID }, { name: "d2", volume_id: VOLUME_ID }] });
  expect(refused.body.error.code).toBe("IMG.0015");
  expect((await quota()).used).toBe(1);
});

it("Prefer: code=400, example=image_quota_exceeded answers the documented refusal", async () => {
  stub = await startStub({ progression: "immediate" });
  const canned = await call(stub, "POST", "/v2/cloudimages/action", bases.serverSystem, { ...TOKEN_HEADERS, Prefer: "code=400, example=image_quota_exceeded" });
  expect([canned.status, canned.body.error.code]).toEqual([400, "IMG.0015"]);
});

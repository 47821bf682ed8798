// GlanceDeleteImage, DELETE /v2/images/{image_id}: gone afterwards from every read, and what cannot be deleted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bases } from "../../helpers/bodies.ts";
import { call, createImages, imagesById } from "../../helpers/images.ts";
import { startStub, TOKEN_HEADERS, type RunningStub } from "../../helpers/stub.ts";

let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub({
    progression: "immediate",
    world: {
      images: [
        { name: "Public image" },
        { name: "Protected own image", visibility: "private", owner: "0123456789abcdef0123456789abcdef", protected: true },
      ],
    },
  });
});
afterAll(() => stub.close());

describe("deleting an image", () => {
  it("answers 204 without a body; the image is gone from ListImages, GlanceShowImage, its tags and the quota", async () => {
    const used = (await call(stub, "GET", "/v1/cloudimages/quota")).body.quotas.resources[0].used;
    const [id] = (await createImages(stub, { ...bases.serverSystem, image_tags: [{ key: "a", value: "1" }] })).imageIds;
    const deleted = await call(stub, "DELETE", `/v2/images/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect((await imagesById(stub, id!)).body.images).toEqual([]);
    expect((await call(stub, "GET", `/v2/images/${id}`)).status).toBe(404);
    expect((await call(stub, "GET", `/v2/0123456789abcdef0123456789abcdef/images/${id}/tags`)).status).toBe(404);
    expect((await call(stub, "GET", "/v1/cloudimages/quota")).body.quotas.resources[0].used).toBe(used);
  });

  it("takes the optional body {delete_backup}", async () => {
    const [id] = (await createImages(stub, bases.serverSystem)).imageIds;
    expect((await call(stub, "DELETE", `/v2/images/${id}`, { delete_backup: true })).status).toBe(204);
  });

  it("refuses a malformed body with the IMS shape", async () => {
    const [id] = (await createImages(stub, bases.serverSystem)).imageIds;
    const answer = await call(stub, "DELETE", `/v2/images/${id}`, { delete_backup: "yes" });
    expect([answer.status, answer.body.error.code]).toEqual([400, "IMG.0001"]);
    expect(answer.body.error.message).toContain("delete_backup");
  });

  it("an unknown or already deleted image: 404", async () => {
    const [id] = (await createImages(stub, bases.serverSystem)).imageIds;
    expect((await call(stub, "DELETE", `/v2/images/${id}`)).status).toBe(204);
    const again = await call(stub, "DELETE", `/v2/images/${id}`);
    expect([again.status, again.body.error.code]).toEqual([404, "IMG.0121"]);
  });

  it("while its job still runs: IMG.0090; once the job has ended: deleted", async () => {
    const created = await call(stub, "POST", "/v2/cloudimages/action", bases.serverSystem, { ...TOKEN_HEADERS, Prefer: "job-progression=timed, job-duration=60000" });
    const job = (await call(stub, "GET", `/v1/cloudimages/job/${created.body.job_id}`)).body;
    const id = (await call(stub, "GET", "/v2/cloudimages?status=queued")).body.images[0].id;
    const refused = await call(stub, "DELETE", `/v2/images/${id}`);
    expect([refused.status, refused.body.error.code]).toEqual([400, "IMG.0090"]);
    stub.clock.now += 60_000;
    expect((await call(stub, "DELETE", `/v2/images/${id}`)).status).toBe(204);
    expect(job.status).toBe("INIT");
  });

  it("a public image: IMG.0094; a protected image: IMG.0091", async () => {
    const [gold] = (await call(stub, "GET", "/v2/cloudimages?__imagetype=gold")).body.images;
    expect((await call(stub, "DELETE", `/v2/images/${gold.id}`)).body.error.code).toBe("IMG.0094");
    const [own] = (await call(stub, "GET", "/v2/cloudimages?name=Protected%20own%20image")).body.images;
    expect((await call(stub, "DELETE", `/v2/images/${own.id}`)).body.error.code).toBe("IMG.0091");
    expect((await call(stub, "GET", `/v2/images/${own.id}`)).status).toBe(200);
  });
});

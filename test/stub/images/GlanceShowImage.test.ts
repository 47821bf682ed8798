// GlanceShowImage, GET /v2/images/{image_id}: the flat image, the same object ListImages shows, or 404.
import { afterAll, beforeAll, expect, it } from "vitest";
import { bases } from "../../helpers/bodies.ts";
import { call, createImages, imagesById } from "../../helpers/images.ts";
import { AK, SK, startStub, type RunningStub } from "../../helpers/stub.ts";
import { signRequest } from "../../../client/aksk.ts";

const OTHER_PROJECT = "fedcba9876543210fedcba9876543210";
let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub({ progression: "immediate", credentials: new Map([[AK, { sk: SK, projectId: OTHER_PROJECT }]]), world: { images: [{ name: "Public image" }] } });
});
afterAll(() => stub.close());

it("is the same object as the image in ListImages", async () => {
  const [id] = (await createImages(stub, bases.file)).imageIds;
  const shown = await call(stub, "GET", `/v2/images/${id}`);
  expect(shown.status).toBe(200);
  expect(shown.body).toEqual((await imagesById(stub, id!)).body.images[0]);
  expect(shown.body).toMatchObject({ self: `/v2/images/${id}`, file: `/v2/images/${id}/file`, schema: "/v2/schemas/image" });
});

it("shows a public image to any project, and a private one only to its own", async () => {
  const [id] = (await createImages(stub, bases.serverSystem)).imageIds;
  const [gold] = (await call(stub, "GET", "/v2/cloudimages?__imagetype=gold")).body.images;
  const asOther = async (path: string) => {
    const url = `${stub.url}${path}`;
    const headers = new Headers();
    await signRequest({ method: "GET", url, headers, ak: AK, sk: SK, projectId: OTHER_PROJECT });
    return fetch(url, { headers });
  };
  expect((await asOther(`/v2/images/${gold.id}`)).status).toBe(200);
  const hidden = await asOther(`/v2/images/${id}`);
  expect(hidden.status).toBe(404);
  expect((await hidden.json()).error.code).toBe("IMG.0121");
});

it("an unknown ID, or one too long to be an ID: 404 and 400 in the IMS shape", async () => {
  expect((await call(stub, "GET", "/v2/images/not-an-image")).body.error.code).toBe("IMG.0121");
  const tooLong = await call(stub, "GET", `/v2/images/${"x".repeat(65)}`);
  expect([tooLong.status, tooLong.body.error.code]).toEqual([400, "IMG.0001"]);
});

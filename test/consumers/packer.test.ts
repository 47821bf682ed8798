// The calls Huawei's Packer builder makes (builder/ecs/step_create_image.go and artifact.go), over raw HTTP:
// CreateImage, ShowJob while INIT or RUNNING, the image ID from entities.image_id, GlanceUpdateImage for its
// minimum disk, and GlanceDeleteImage when the artifact is destroyed.
import { afterAll, beforeAll, expect, it } from "vitest";
import { SERVER_ID } from "../helpers/bodies.ts";
import { call } from "../helpers/images.ts";
import { PROJECT_ID, startStub, type RunningStub } from "../helpers/stub.ts";

let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub({ progression: "per-poll" });
});
afterAll(() => stub.close());

it("creates, polls while INIT/RUNNING, reads entities.image_id, and destroys the artifact", async () => {
  const created = await call(stub, "POST", "/v2/cloudimages/action", { name: "packer-image", instance_id: SERVER_ID, description: "built by packer" }, {
    "X-Auth-Token": "t",
    "Content-Type": "application/json;charset=UTF-8",
  });
  expect(created.status).toBe(200);
  const statuses: string[] = [];
  let job: any;
  do {
    job = (await call(stub, "GET", `/v1/${PROJECT_ID}/jobs/${created.body.job_id}`)).body;
    statuses.push(job.status);
  } while ((job.status === "INIT" || job.status === "RUNNING") && statuses.length < 10);
  expect(statuses).toEqual(["INIT", "RUNNING", "RUNNING", "SUCCESS"]);
  const imageId = job.entities.image_id;

  const image = await call(stub, "GET", `/v2/images/${imageId}`);
  expect(image.body).toMatchObject({ id: imageId, name: "packer-image", status: "active", __description: "built by packer" });

  // step_update_image_mindisk.go: GlanceUpdateImage with the v2.1 JSON-patch media type.
  const minDisk = await call(stub, "PATCH", `/v2/images/${imageId}`, [{ op: "replace", path: "/min_disk", value: 100 }], {
    "X-Auth-Token": "t",
    "Content-Type": "application/openstack-images-v2.1-json-patch",
  });
  expect(minDisk.status).toBe(200);
  expect(minDisk.body.min_disk).toBe(100);

  const destroyed = await call(stub, "DELETE", `/v2/images/${imageId}`, undefined, { "X-Auth-Token": "t" });
  expect(destroyed.status).toBe(204);
  expect((await call(stub, "GET", `/v2/images/${imageId}`)).status).toBe(404);
});

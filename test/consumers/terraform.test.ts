// The calls Huawei's Terraform provider makes around CreateImage, replayed over raw HTTP in its order, with the
// JSON types its code asserts (a Go type assertion on a wrong type is an error or a panic there). The sequences
// come from the provider's resources (huaweicloud_ims_ecs_system_image, _evs_data_image, _obs_system_image),
// its deprecated huaweicloud_images_image (golangsdk) and its images data sources.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_ID, VOLUME_ID } from "../helpers/bodies.ts";
import { call, imagesById, tagsPath } from "../helpers/images.ts";
import { PROJECT_ID, startStub, TOKEN_HEADERS, type RunningStub } from "../helpers/stub.ts";

let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub({ progression: "per-poll" });
});
afterAll(() => stub.close());

/** waitForEcsSystemImageJobCompleted: poll ShowJob until SUCCESS (FAIL or no status is an error). */
async function waitForJob(jobId: string): Promise<any> {
  const seen: string[] = [];
  for (let poll = 0; poll < 10; poll++) {
    const { status, body } = await call(stub, "GET", `/v1/${PROJECT_ID}/jobs/${jobId}`);
    expect(status).toBe(200);
    expect(typeof body.status).toBe("string");
    seen.push(body.status);
    if (body.status === "SUCCESS") return { job: body, seen };
    expect(body.status).not.toBe("FAIL");
  }
  throw new Error(`the job never ended: ${seen.join(", ")}`);
}

/** What resourceEcsSystemImageRead and the data sources read, with the types their code asserts. */
function expectTerraformTypes(image: Record<string, unknown>) {
  for (const [key, value] of Object.entries(image)) {
    if (key.startsWith("__") && key !== "__system_support_market") expect(typeof value, key).toBe("string");
  }
  expect(typeof image.min_disk).toBe("number");
  expect(typeof image.min_ram).toBe("number");
  expect(typeof image.protected).toBe("boolean");
  expect(typeof image.__system_support_market).toBe("boolean");
  if (image.max_ram !== undefined) expect(typeof image.max_ram).toBe("string");
  expect(Number.parseInt(image.__image_size as string, 10)).toBeGreaterThan(0);
  // flattenSpecificValueFormDataOrigin splits on "," and wants exactly two parts.
  expect((image.__data_origin as string).split(",")).toHaveLength(2);
  // golangsdk parses both with the layout 2006-01-02T15:04:05.999999Z.
  for (const key of ["created_at", "updated_at"]) expect(image[key]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/);
}

describe("huaweicloud_ims_ecs_system_image: create, read, update, delete", () => {
  let imageId: string;

  it("creates (Content-Type application/json, integer max_ram), waits for the job, reads images[0] by ?id=", async () => {
    const created = await call(stub, "POST", "/v2/cloudimages/action", {
      name: "tf-ecs-image",
      instance_id: SERVER_ID,
      description: "made by terraform",
      max_ram: 4096,
      min_ram: 1024,
      image_tags: [{ key: "owner", value: "tf" }],
      enterprise_project_id: "0",
    });
    expect(created.status).toBe(200);
    expect(created.body.job_id).toBeTruthy();

    // While the job runs, the image exists already: queued, then saving.
    const whileQueued = await waitForJobStep(created.body.job_id);
    expect(whileQueued).toEqual(["queued", "saving"]);

    const { job } = await waitForJob(created.body.job_id);
    imageId = job.entities.image_id;
    expect(imageId).toMatch(/^[0-9a-f-]{36}$/);

    const read = await imagesById(stub, imageId);
    expect(read.status).toBe(200);
    const image = read.body.images[0];
    expectTerraformTypes(image);
    expect(image).toMatchObject({
      id: imageId,
      name: "tf-ecs-image",
      status: "active",
      max_ram: "4096",
      min_ram: 1024,
      __description: "made by terraform",
      __data_origin: `instance,${SERVER_ID}`,
      enterprise_project_id: "0",
      owner: PROJECT_ID,
      visibility: "private",
      __imagetype: "private",
      virtual_env_type: "FusionCompute",
    });
    expect(image.active_at).toMatch(/Z$/);
  });

  /** Two reads of the image by ID while ShowJob moves the job from INIT to RUNNING. */
  async function waitForJobStep(jobId: string): Promise<string[]> {
    const statuses: string[] = [];
    for (let poll = 0; poll < 2; poll++) {
      await call(stub, "GET", `/v1/${PROJECT_ID}/jobs/${jobId}`);
      const listed = await call(stub, "GET", "/v2/cloudimages?__imagetype=private&status=queued");
      const saving = await call(stub, "GET", "/v2/cloudimages?__imagetype=private&status=saving");
      statuses.push(...[...listed.body.images, ...saving.body.images].map((image: { status: string }) => image.status));
    }
    return statuses;
  }

  it("reads the tags given at creation (flattenIMSImageTags)", async () => {
    const tags = await call(stub, "GET", tagsPath(imageId));
    expect(tags).toMatchObject({ status: 200, body: { tags: [{ key: "owner", value: "tf" }] } });
  });

  it("updates one field per PATCH; a replace of an absent attribute is IMG.0035, and the retry with add succeeds", async () => {
    const rename = await call(stub, "PATCH", `/v2/cloudimages/${imageId}`, [{ op: "replace", path: "/name", value: "tf-ecs-image-2" }]);
    expect(rename.status).toBe(200);
    expect(rename.body.name).toBe("tf-ecs-image-2");

    const removeDescription = await call(stub, "PATCH", `/v2/cloudimages/${imageId}`, [{ op: "remove", path: "/__description" }]);
    expect(removeDescription.status).toBe(200);
    // processUpdateDescriptionError: replace fails with IMG.0035, then the same change with add.
    const replace = await call(stub, "PATCH", `/v2/cloudimages/${imageId}`, [{ op: "replace", path: "/__description", value: "again" }]);
    expect(replace.status).toBe(400);
    expect(replace.body.error.code).toBe("IMG.0035");
    const add = await call(stub, "PATCH", `/v2/cloudimages/${imageId}`, [{ op: "add", path: "/__description", value: "again" }]);
    expect(add.status).toBe(200);
    expect(add.body.__description).toBe("again");

    const maxRam = await call(stub, "PATCH", `/v2/cloudimages/${imageId}`, [{ op: "replace", path: "/max_ram", value: 8192 }]);
    expect(maxRam.status).toBe(200);
    expect(maxRam.body.max_ram).toBe("8192");
    const minRam = await call(stub, "PATCH", `/v2/cloudimages/${imageId}`, [{ op: "replace", path: "/min_ram", value: 2048 }]);
    expect(minRam.body.min_ram).toBe(2048);
    expectTerraformTypes(minRam.body);
    expect(Date.parse(minRam.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(minRam.body.created_at));
  });

  it("replaces the tags: a delete of the old ones, then a create of the new ones, each 204", async () => {
    const removed = await call(stub, "POST", `${tagsPath(imageId)}/action`, { action: "delete", tags: [{ key: "owner", value: "tf" }] });
    expect(removed.status).toBe(204);
    const added = await call(stub, "POST", `${tagsPath(imageId)}/action`, { action: "create", tags: [{ key: "team", value: "infra" }, { key: "env", value: "" }] });
    expect(added.status).toBe(204);
    const tags = await call(stub, "GET", tagsPath(imageId));
    expect(tags.body.tags).toEqual([
      { key: "team", value: "infra" },
      { key: "env", value: "" },
    ]);
    expect((await imagesById(stub, imageId)).body.images[0].tags).toEqual(["team=infra", "env="]);
  });

  it("deletes: reads first, DELETE /v2/images/{id} without a body, then ?id= until images[0] is null", async () => {
    expect((await imagesById(stub, imageId)).body.images).toHaveLength(1);
    const deleted = await call(stub, "DELETE", `/v2/images/${imageId}`, undefined, { "X-Auth-Token": "t" });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    const gone = await imagesById(stub, imageId);
    expect(gone).toMatchObject({ status: 200, body: { images: [] } });
    expect((await call(stub, "GET", `/v2/images/${imageId}`)).status).toBe(404);
    // A second destroy (CheckDeleted) finds nothing: 404, not a crash.
    expect((await call(stub, "DELETE", `/v2/images/${imageId}`)).status).toBe(404);
  });
});

describe("huaweicloud_ims_evs_data_image and huaweicloud_ims_obs_system_image", () => {
  it("a data disk image: the ID from sub_jobs_result[0], DataImage, volume origin, its own image_tags", async () => {
    const created = await call(stub, "POST", "/v2/cloudimages/action", {
      data_images: [{ name: "tf-data", volume_id: VOLUME_ID, description: "data", image_tags: [{ key: "k", value: "v" }] }],
      enterprise_project_id: "0",
    });
    const { job } = await waitForJob(created.body.job_id);
    const imageId = job.entities.sub_jobs_result[0].entities.image_id;
    const image = (await imagesById(stub, imageId)).body.images[0];
    expectTerraformTypes(image);
    expect(image).toMatchObject({ name: "tf-data", virtual_env_type: "DataImage", __data_origin: `volume,${VOLUME_ID}`, __description: "data", status: "active" });
    expect((await call(stub, "GET", tagsPath(imageId))).body.tags).toEqual([{ key: "k", value: "v" }]);
  });

  it("an image file: min_disk, os_version, os_type and arm from the body, file origin", async () => {
    const created = await call(stub, "POST", "/v2/cloudimages/action", {
      name: "tf-obs",
      image_url: "tf-bucket:images/centos.qcow2",
      min_disk: 60,
      os_type: "Linux",
      os_version: "CentOS 7.9 64bit",
      architecture: "arm",
      hw_firmware_type: "uefi",
      type: "ECS",
    });
    const { job } = await waitForJob(created.body.job_id);
    const image = (await imagesById(stub, job.entities.image_id)).body.images[0];
    expectTerraformTypes(image);
    expect(image).toMatchObject({
      min_disk: 60,
      __os_version: "CentOS 7.9 64bit",
      __platform: "CentOS",
      __os_type: "Linux",
      __support_arm: "true",
      hw_firmware_type: "uefi",
      __data_origin: "file,tf-bucket:images/centos.qcow2",
      __root_origin: "file",
    });
  });
});

describe("the deprecated huaweicloud_images_image (golangsdk)", () => {
  it("reads with ?id=&limit=1, updates with the v2.1 JSON-patch media type (exactly 200), waits for GlanceShowImage's 404", async () => {
    const created = await call(stub, "POST", "/v2/cloudimages/action", { name: "gsdk-image", instance_id: SERVER_ID });
    const { job } = await waitForJob(created.body.job_id);
    const id = job.entities.image_id;
    const read = await call(stub, "GET", `/v2/cloudimages?id=${id}&limit=1`);
    expect(read.body.images[0].id).toBe(id);

    const patch = await call(stub, "PATCH", `/v2/cloudimages/${id}`, [{ op: "add", path: "/max_ram", value: "4096" }], {
      "X-Auth-Token": "t",
      "Content-Type": "application/openstack-images-v2.1-json-patch",
    });
    expect(patch.status).toBe(200);
    expect(patch.body.max_ram).toBe("4096");

    expect((await call(stub, "DELETE", `/v2/images/${id}`)).status).toBe(204);
    expect((await call(stub, "GET", `/v2/images/${id}`)).status).toBe(404);
  });
});

describe("the images data sources: pages until one comes back empty", () => {
  it("marker = the last ID, exclusive; every active image once; the loop ends", async () => {
    for (let i = 0; i < 7; i++) {
      const created = await call(stub, "POST", "/v2/cloudimages/action", { name: `page-${i}`, instance_id: SERVER_ID }, { ...TOKEN_HEADERS, Prefer: "job-progression=immediate" });
      expect(created.status).toBe(200);
    }
    const base = "/v2/cloudimages?status=active&enterprise_project_id=all_granted_eps&__imagetype=private&limit=3&sort_key=created_at&sort_dir=desc";
    const seen: string[] = [];
    let marker: string | undefined;
    for (let page = 0; page < 20; page++) {
      const { status, body } = await call(stub, "GET", marker ? `${base}&marker=${marker}` : base);
      expect(status).toBe(200);
      if (body.images.length === 0) break;
      seen.push(...body.images.map((image: { id: string }) => image.id));
      marker = body.images.at(-1).id;
    }
    const all = (await call(stub, "GET", "/v2/cloudimages?status=active&__imagetype=private")).body.images.map((image: { id: string }) => image.id);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(7);
  });
});

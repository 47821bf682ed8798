// The client's image methods against the real stub over HTTP: from a create to the active image, every page of
// ListImages, update, tags, quota, delete and the wait until it is gone; errors as ImsError.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createImsClient, ImsError, type Image } from "../../client/index.ts";
import { bases } from "../helpers/bodies.ts";
import { AK, PROJECT_ID, SK, startStub, type RunningStub } from "../helpers/stub.ts";

let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub({ progression: "per-poll", world: { images: [{ name: "Public image" }] } });
});
afterAll(() => stub.close());

const fast = { maxWaitTime: 5, minDelay: 0.01, maxDelay: 0.02 };
const ims = () => createImsClient({ endpoint: stub.url, auth: { ak: AK, sk: SK, projectId: PROJECT_ID } });

describe("from a create to the image", () => {
  it("createImageAndWaitForImages: the job, then each image it made, active", async () => {
    const { jobId, images, polls } = await ims().createImageAndWaitForImages(
      { data_images: [{ name: "d1", volume_id: bases.serverData.data_images[0].volume_id }, { name: "d2", volume_id: bases.serverData.data_images[0].volume_id }] },
      fast,
    );
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);
    expect(polls).toBe(4);
    expect(images.map((image) => [image.name, image.status, image.virtual_env_type])).toEqual([
      ["d1", "active", "DataImage"],
      ["d2", "active", "DataImage"],
    ]);
  });

  it("waitForImageActive: queued, saving, then active, each reported", async () => {
    const client = ims();
    const { job_id: jobId } = await client.createImage(bases.file, { safeMode: true });
    const imageId = (await client.listImages({ status: "queued" }))[0]!.id;
    const seen: string[] = [];
    // The stub's per-poll job moves only when the job is read: a second client polls it alongside.
    const jobPolling = client.waitForJob(jobId, fast);
    const result = await client.waitForImageActive(imageId, { ...fast, onProgress: (image) => seen.push(image?.status ?? "gone") });
    await jobPolling;
    expect(result.state).toBe("SUCCESS");
    expect(result.last?.status).toBe("active");
    expect(seen.at(-1)).toBe("active");
    expect(new Set(seen)).toContain("queued");
  });

  it("waitForImageActive ends FAILURE when the job fails and its image goes", async () => {
    const client = createImsClient({
      endpoint: stub.url,
      auth: { token: "t", projectId: PROJECT_ID },
      // The stub's Prefer makes this create's job fail.
      fetch: (input, init) => {
        const request = new Request(input, init);
        if (request.method === "POST") request.headers.set("Prefer", "job-outcome=FAIL");
        return fetch(request);
      },
    });
    const { job_id: jobId } = await client.createImage(bases.serverSystem);
    const imageId = (await client.listImages({ status: "queued" }))[0]!.id;
    const [job, image] = await Promise.all([client.waitForJob(jobId, fast), client.waitForImageActive(imageId, { ...fast, notFoundGraceTime: 0 })]);
    expect(job.state).toBe("FAILURE");
    expect(image.state).toBe("FAILURE");
    expect(image.reason).toContain("gone");
  });
});

describe("reading, changing and deleting", () => {
  let image: Image;
  beforeAll(async () => {
    [image] = (await ims().createImageAndWaitForImages({ ...bases.serverSystem, image_tags: [{ key: "a", value: "1" }] }, fast)).images as [Image];
  });

  it("findImage and showImage read the same image; findImage of an unknown ID is undefined", async () => {
    const client = ims();
    expect(await client.findImage(image.id)).toEqual(await client.showImage(image.id));
    expect(await client.findImage("00000000-0000-0000-0000-000000000000")).toBeUndefined();
    await expect(client.showImage("00000000-0000-0000-0000-000000000000")).rejects.toMatchObject({ status: 404, code: "IMG.0121" });
  });

  it("updateImage answers the updated image; a conflict is an ImsError with IMG.0035", async () => {
    const client = ims();
    const updated = await client.updateImage(image.id, [{ op: "add", path: "/max_ram", value: 2048 }, { op: "replace", path: "/name", value: "renamed" }]);
    expect(updated).toMatchObject({ name: "renamed", max_ram: "2048" });
    const conflict = await client.updateImage(image.id, [{ op: "replace", path: "/__description", value: "x" }]).catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(ImsError);
    expect(conflict).toMatchObject({ status: 400, code: "IMG.0035" });
  });

  it("updateImage with native: true is GlanceUpdateImage, which also takes /min_disk", async () => {
    const updated = await ims().updateImage(image.id, [{ op: "replace", path: "/min_disk", value: 80 }], { native: true });
    expect(updated.min_disk).toBe(80);
  });

  it("listImageTags and changeImageTags", async () => {
    const client = ims();
    expect(await client.listImageTags(image.id)).toEqual([{ key: "a", value: "1" }]);
    await client.changeImageTags(image.id, "create", [{ key: "b", value: "2" }]);
    await client.changeImageTags(image.id, "delete", [{ key: "a", value: "1" }]);
    expect(await client.listImageTags(image.id)).toEqual([{ key: "b", value: "2" }]);
  });

  it("the tag calls need a project ID, and say so before sending anything", async () => {
    const client = createImsClient({ endpoint: stub.url, auth: { token: "t" } });
    await expect(client.listImageTags(image.id)).rejects.toThrow(/needs a project ID/);
  });

  it("showImageQuota counts the project's images", async () => {
    const quota = await ims().showImageQuota();
    expect(quota.quotas.resources[0]).toMatchObject({ type: "image", quota: 10_000 });
    expect(quota.quotas.resources[0]!.used).toBe((await ims().listImages({ __imagetype: "private" })).length);
  });

  it("deleteImage, then waitForImageDeleted ends SUCCESS", async () => {
    const client = ims();
    await client.deleteImage(image.id);
    const result = await client.waitForImageDeleted(image.id, fast);
    expect(result).toMatchObject({ state: "SUCCESS", polls: 1 });
    await expect(client.deleteImage(image.id)).rejects.toMatchObject({ status: 404 });
  });

  it("waitForImageDeleted times out while the image is still there", async () => {
    const client = ims();
    const [gold] = await client.listImages({ __imagetype: "gold" });
    const result = await client.waitForImageDeleted(gold!.id, { maxWaitTime: 0.1, minDelay: 0.02, maxDelay: 0.02 });
    expect(result.state).toBe("TIMEOUT");
    expect(result.polls).toBeGreaterThan(1);
  });
});

describe("listAllImages", () => {
  it("walks every page, the marker being the last ID, until a page is empty", async () => {
    const sent: string[] = [];
    const client = createImsClient({
      endpoint: stub.url,
      auth: { token: "t", projectId: PROJECT_ID },
      fetch: (input, init) => {
        const request = new Request(input, init);
        sent.push(new URL(request.url).search);
        return fetch(request);
      },
    });
    const expected = (await client.listImages()).map((image) => image.id);
    expect(expected.length).toBeGreaterThan(3);
    sent.length = 0;
    const walked: string[] = [];
    for await (const image of client.listAllImages({}, { pageSize: 2 })) walked.push(image.id);
    expect(walked).toEqual(expected);
    // A short page is not taken as the last (a server may cap `limit`): the walk ends at an empty page.
    expect(sent).toHaveLength(Math.ceil(expected.length / 2) + 1);
    expect(sent[1]).toContain(`marker=${expected[1]}`);
  });

  it("stops early when the caller breaks out, and passes the filters on", async () => {
    const client = ims();
    const names: string[] = [];
    for await (const image of client.listAllImages({ __imagetype: "gold" }, { pageSize: 1 })) names.push(image.name);
    expect(names).toEqual(["Public image"]);
    for await (const _image of client.listAllImages({}, { pageSize: 1 })) break;
  });
});

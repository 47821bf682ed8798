// An image's life: it exists from the create on, its status follows its job (queued, saving, active), a failed
// job leaves nothing, it outlives its job's eviction; the control API sees, seeds and forgets images.
import { afterEach, describe, expect, it } from "vitest";
import { bases, SERVER_ID } from "../../helpers/bodies.ts";
import { call, createImages, imagesById } from "../../helpers/images.ts";
import { startStub, TOKEN_HEADERS, type RunningStub } from "../../helpers/stub.ts";

let stub: RunningStub;
afterEach(() => stub.close());

const imageOf = async (jobId: string) => {
  const all = (await call(stub, "GET", "/_stub/images")).body.images as { id: string }[];
  const jobs = (await call(stub, "GET", "/_stub/jobs")).body.jobs as { job: { job_id: string } }[];
  expect(jobs.some((entry) => entry.job.job_id === jobId)).toBe(true);
  return all.at(-1)!;
};

describe("status follows the job", () => {
  it("queued while the job is INIT, saving while it runs, active (with active_at = the job's end) once it succeeds", async () => {
    stub = await startStub({ progression: "timed", jobDurationMs: 10_000 });
    const created = await call(stub, "POST", "/v2/cloudimages/action", bases.serverSystem);
    const { id } = await imageOf(created.body.job_id);
    const statusNow = async () => (await call(stub, "GET", `/v2/images/${id}`)).body;
    expect(await statusNow()).toMatchObject({ status: "queued" });
    expect((await statusNow()).active_at).toBeUndefined();
    stub.clock.now += 5_000;
    expect(await statusNow()).toMatchObject({ status: "saving" });
    stub.clock.now += 5_000;
    const active = await statusNow();
    const job = (await call(stub, "GET", `/v1/cloudimages/job/${created.body.job_id}`)).body;
    expect(active.status).toBe("active");
    expect(active.active_at).toBe(`${job.end_time.slice(0, 19)}Z`);
    expect(job.entities.image_id).toBe(id);
  });

  it("a failed job leaves no image: gone from every read, as its FAIL names none", async () => {
    stub = await startStub({ progression: "per-poll" });
    const created = await call(stub, "POST", "/v2/cloudimages/action", bases.serverSystem, { ...TOKEN_HEADERS, Prefer: "job-outcome=FAIL, job-error-code=IMG.0005" });
    const { id } = await imageOf(created.body.job_id);
    expect((await imagesById(stub, id)).body.images[0].status).toBe("queued");
    let job: { status: string; entities: Record<string, unknown> };
    do job = (await call(stub, "GET", `/v1/cloudimages/job/${created.body.job_id}`)).body;
    while (job.status !== "FAIL");
    expect(job.entities.image_id).toBeUndefined();
    expect((await imagesById(stub, id)).body.images).toEqual([]);
    expect((await call(stub, "GET", `/v2/images/${id}`)).status).toBe(404);
    expect((await call(stub, "GET", "/_stub/images")).body.images).toEqual([]);
  });

  it.each(["asc", "desc"])("images of failed jobs leave a page as it meets them (sort_dir=%s), and take no neighbour with them", async (order) => {
    stub = await startStub({ progression: "timed", jobDurationMs: 10_000 });
    // Failed images beside kept ones and beside each other; all their jobs end only after the last create, so
    // it is the page that meets them ended.
    const names = ["kept-1", "failed-1", "kept-2", "failed-2", "failed-3", "kept-3"];
    for (const name of names) {
      const prefer = name.startsWith("failed") ? { ...TOKEN_HEADERS, Prefer: "job-outcome=FAIL, job-error-code=IMG.0005" } : TOKEN_HEADERS;
      expect((await call(stub, "POST", "/v2/cloudimages/action", { ...bases.serverSystem, name }, prefer)).status).toBe(200);
    }
    stub.clock.now += 10_000;
    const page = (await call(stub, "GET", `/v2/cloudimages?sort_dir=${order}`)).body.images.map((image: { name: string }) => image.name);
    const kept = names.filter((name) => name.startsWith("kept"));
    expect(page).toEqual(order === "asc" ? kept : kept.reverse());
    expect(stub.app.images.size).toBe(3);
  });

  it("a world without the server fails the job, and the image goes with it", async () => {
    stub = await startStub({ progression: "immediate", world: { servers: [] } });
    const created = await call(stub, "POST", "/v2/cloudimages/action", { name: "x", instance_id: SERVER_ID });
    expect((await call(stub, "GET", `/v1/cloudimages/job/${created.body.job_id}`)).body.error_code).toBe("IMG.0005");
    expect((await call(stub, "GET", "/v2/cloudimages?__imagetype=private")).body.images).toEqual([]);
  });

  it("outlives its job: after the job is evicted, the image is still there and active", async () => {
    stub = await startStub({ progression: "immediate", maxJobs: 2 });
    const first = await call(stub, "POST", "/v2/cloudimages/action", bases.serverSystem);
    const { id } = await imageOf(first.body.job_id);
    for (let i = 0; i < 3; i++) await call(stub, "POST", "/v2/cloudimages/action", bases.serverSystem);
    expect((await call(stub, "GET", `/v1/cloudimages/job/${first.body.job_id}`)).status).toBe(404);
    expect((await imagesById(stub, id)).body.images[0]).toMatchObject({ id, status: "active" });
    expect(stub.app.images.size).toBe(4);
  });
});

describe("images made in a row", () => {
  it("each shows its own attributes, though the store shares the text of those alike with the image before", async () => {
    stub = await startStub({ progression: "immediate" });
    const bodies = [
      { ...bases.file, name: "a" },
      { ...bases.file, name: "b" },
      { ...bases.file, name: "c", min_ram: 2048 },
      { ...bases.file, name: "d", min_ram: 2048, os_version: "CentOS 7.0 64bit" },
      { ...bases.file, name: "e" },
    ];
    const shown: Record<string, unknown>[] = [];
    for (const body of bodies) {
      const { imageIds } = await createImages(stub, body);
      shown.push((await imagesById(stub, imageIds[0]!)).body.images[0]);
    }
    expect(shown.map((image) => [image.name, image.min_ram, image.__os_version])).toEqual([
      ["a", 0, undefined],
      ["b", 0, undefined],
      ["c", 2048, undefined],
      ["d", 2048, "CentOS 7.0 64bit"],
      ["e", 0, undefined],
    ]);
    // The last is made alike the first again, after two that were not: the same attributes, in the same order.
    const own = new Set(["id", "name", "__data_origin", "created_at", "updated_at", "active_at", "self", "file"]);
    const alike = (image: Record<string, unknown>) => Object.entries(image).filter(([key]) => !own.has(key));
    expect(alike(shown[4]!)).toEqual(alike(shown[0]!));
  });
});

describe("the control API and images", () => {
  it("GET /_stub/images lists every project's images; reset forgets the created ones and keeps the start-up world's", async () => {
    stub = await startStub({ progression: "immediate", world: { images: [{ name: "Start-up image" }] } });
    await call(stub, "POST", "/v2/cloudimages/action", bases.serverSystem);
    expect((await call(stub, "GET", "/_stub/images")).body.images.map((image: { name: string }) => image.name)).toEqual(["Start-up image", "ims_test"]);
    expect((await call(stub, "POST", "/_stub/reset")).status).toBe(204);
    expect((await call(stub, "GET", "/_stub/images")).body.images.map((image: { name: string }) => image.name)).toEqual(["Start-up image"]);
  });

  it("PUT /_stub/world seeds public and private images, filled in as IMS shows them; DELETE forgets them but not created ones", async () => {
    stub = await startStub({ progression: "immediate" });
    await call(stub, "POST", "/v2/cloudimages/action", bases.serverSystem);
    const loaded = await call(stub, "PUT", "/_stub/world", {
      images: [
        { id: "1b7f8c3e-6a4d-4f2e-9b1a-2c3d4e5f6a7b", name: "Ubuntu 22.04 server 64bit", __os_version: "Ubuntu 22.04 server 64bit", __platform: "Ubuntu", __os_bit: 64 },
        { name: "Older own image", visibility: "private", owner: "0123456789abcdef0123456789abcdef", created_at: "2024-01-01T00:00:00Z", tags: [{ key: "a", value: "b" }] },
      ],
    });
    expect(loaded.status).toBe(204);
    const gold = (await call(stub, "GET", "/v2/images/1b7f8c3e-6a4d-4f2e-9b1a-2c3d4e5f6a7b")).body;
    expect(gold).toMatchObject({ visibility: "public", __imagetype: "gold", protected: true, status: "active", owner: "", __os_bit: "64", __platform: "Ubuntu" });
    const own = (await call(stub, "GET", "/v2/cloudimages?name=Older%20own%20image")).body.images[0];
    expect(own).toMatchObject({ owner: "0123456789abcdef0123456789abcdef", __imagetype: "private", created_at: "2024-01-01T00:00:00Z", tags: ["a=b"] });
    // The world's images count in no quota.
    expect((await call(stub, "GET", "/v1/cloudimages/quota")).body.quotas.resources[0].used).toBe(1);
    expect((await call(stub, "DELETE", "/_stub/world")).status).toBe(204);
    expect((await call(stub, "GET", "/_stub/images")).body.images.map((image: { name: string }) => image.name)).toEqual(["ims_test"]);
  });

  it("a world that lists only images checks no server, volume or file", async () => {
    stub = await startStub({ progression: "immediate" });
    await call(stub, "PUT", "/_stub/world", { images: [{ name: "Public image" }] });
    const created = await call(stub, "POST", "/v2/cloudimages/action", bases.serverSystem);
    expect((await call(stub, "GET", `/v1/cloudimages/job/${created.body.job_id}`)).body.status).toBe("SUCCESS");
  });

  it("refuses a world image that breaks its schema", async () => {
    stub = await startStub({ progression: "immediate" });
    for (const image of [{}, { name: "x", visibility: "private" }, { name: "x", id: "not-a-uuid" }, { name: " x" }]) {
      const answer = await call(stub, "PUT", "/_stub/world", { images: [image] });
      expect(answer.status, JSON.stringify(image)).toBe(400);
    }
  });
});

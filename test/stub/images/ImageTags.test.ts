// ListImageTags and BatchAddOrDeleteTags (/v2/{project_id}/images/{image_id}/tags[/action]): tags from the create
// body, added, changed and deleted, within the limits CreateImage enforces.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bases, VOLUME_ID } from "../../helpers/bodies.ts";
import { call, createImages, tagsPath } from "../../helpers/images.ts";
import { startStub, type RunningStub } from "../../helpers/stub.ts";

let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub({ progression: "immediate" });
});
afterAll(() => stub.close());

const tagsOf = async (id: string) => (await call(stub, "GET", tagsPath(id))).body.tags;
const change = (id: string, action: string, tags: unknown) => call(stub, "POST", `${tagsPath(id)}/action`, { action, tags });

describe("ListImageTags: the create body's tags", () => {
  it.each<[string, Record<string, unknown>, { key: string; value: string }[]]>([
    ["image_tags", { ...bases.serverSystem, image_tags: [{ key: "a", value: "1" }, { key: "b", value: "" }] }, [{ key: "a", value: "1" }, { key: "b", value: "" }]],
    ["tags, split on the first dot", { ...bases.serverSystem, tags: ["a.1.2", "b"] }, [{ key: "a", value: "1.2" }, { key: "b", value: "" }]],
    ["none", bases.serverSystem, []],
  ])("%s", async (_name, body, expected) => {
    const [id] = (await createImages(stub, body)).imageIds;
    expect(await tagsOf(id!)).toEqual(expected);
  });

  it("a data disk item's own tags win over the body's", async () => {
    const { imageIds } = await createImages(stub, {
      image_tags: [{ key: "shared", value: "1" }],
      data_images: [
        { name: "d1", volume_id: VOLUME_ID, image_tags: [{ key: "own", value: "x" }] },
        { name: "d2", volume_id: "2b8f0c3e-6a4d-4f2e-9b1a-2c3d4e5f6a7b" },
      ],
    });
    expect(await tagsOf(imageIds[0]!)).toEqual([{ key: "own", value: "x" }]);
    expect(await tagsOf(imageIds[1]!)).toEqual([{ key: "shared", value: "1" }]);
  });

  it("another project's ID in the path, or an unknown image: 404", async () => {
    const [id] = (await createImages(stub, bases.serverSystem)).imageIds;
    expect((await call(stub, "GET", tagsPath(id!, "fedcba9876543210fedcba9876543210"))).status).toBe(404);
    expect((await call(stub, "GET", tagsPath("00000000-0000-0000-0000-000000000000"))).status).toBe(404);
  });
});

describe("BatchAddOrDeleteTags", () => {
  it("create adds and changes values; delete removes by key and ignores keys the image lacks; each 204", async () => {
    const [id] = (await createImages(stub, { ...bases.serverSystem, image_tags: [{ key: "a", value: "1" }] })).imageIds;
    expect((await change(id!, "create", [{ key: "a", value: "2" }, { key: "b", value: "3" }])).status).toBe(204);
    expect(await tagsOf(id!)).toEqual([{ key: "a", value: "2" }, { key: "b", value: "3" }]);
    expect((await change(id!, "delete", [{ key: "a", value: "anything" }, { key: "zzz", value: "" }])).status).toBe(204);
    expect(await tagsOf(id!)).toEqual([{ key: "b", value: "3" }]);
  });

  it.each<[string, string, unknown, string, string]>([
    ["a key with a space", "create", [{ key: "a b", value: "1" }], "IMG.0115", "tags[0].key"],
    ["a value too long", "create", [{ key: "a", value: "v".repeat(44) }], "IMG.0115", "tags[0].value"],
    ["a tag without value", "create", [{ key: "a" }], "IMG.0115", "value"],
    ["the same key twice", "create", [{ key: "a", value: "1" }, { key: "a", value: "2" }], "IMG.0115", "twice"],
    ["no tags", "create", [], "IMG.0115", "at least 1"],
    ["more than 20 in one request", "create", Array.from({ length: 21 }, (_, i) => ({ key: `k${i}`, value: "" })), "IMG.0116", "20"],
    ["an action other than create and delete", "replace", [{ key: "a", value: "1" }], "IMG.0001", "create, delete"],
  ])("%s → %s", async (_name, action, tags, code, named) => {
    const [id] = (await createImages(stub, bases.serverSystem)).imageIds;
    const answer = await change(id!, action, tags);
    expect([answer.status, answer.body.error.code]).toEqual([400, code]);
    expect(answer.body.error.message).toContain(named);
    expect(await tagsOf(id!)).toEqual([]);
  });

  // Huawei's Python SDK (huaweicloudsdkims 3.1.219) sends a delete's tag without `value` when none is set; IMS
  // documents the value as optional on delete, with neither key nor value checked for characters.
  it("delete: a tag without value (as Huawei's Python SDK sends it), or with characters create refuses: 204, removed", async () => {
    const [id] = (await createImages(stub, { ...bases.serverSystem, image_tags: [{ key: "a", value: "1" }, { key: "b", value: "2" }] })).imageIds;
    expect((await change(id!, "delete", [{ key: "a" }])).status).toBe(204);
    expect((await change(id!, "delete", [{ key: "not a key!", value: "any value, even this one" }])).status).toBe(204);
    expect(await tagsOf(id!)).toEqual([{ key: "b", value: "2" }]);
  });

  it.each<[string, unknown, string]>([
    ["an empty key", [{ key: "" }], "tags[0].key"],
    ["a key longer than 127", [{ key: "k".repeat(128) }], "tags[0].key"],
    ["a value longer than 255", [{ key: "a", value: "v".repeat(256) }], "tags[0].value"],
  ])("delete with %s → IMG.0115", async (_name, tags, named) => {
    const [id] = (await createImages(stub, { ...bases.serverSystem, image_tags: [{ key: "a", value: "1" }] })).imageIds;
    const answer = await change(id!, "delete", tags);
    expect([answer.status, answer.body.error.code]).toEqual([400, "IMG.0115"]);
    expect(answer.body.error.message).toContain(named);
    expect(await tagsOf(id!)).toEqual([{ key: "a", value: "1" }]);
  });

  it("more than 20 on the image: IMG.0116, and nothing added", async () => {
    const [id] = (await createImages(stub, { ...bases.serverSystem, image_tags: Array.from({ length: 15 }, (_, i) => ({ key: `k${i}`, value: "" })) })).imageIds;
    const answer = await change(id!, "create", Array.from({ length: 6 }, (_, i) => ({ key: `n${i}`, value: "" })));
    expect(answer.body.error.code).toBe("IMG.0116");
    expect(await tagsOf(id!)).toHaveLength(15);
    expect((await change(id!, "create", [{ key: "k0", value: "changed" }])).status).toBe(204);
  });
});

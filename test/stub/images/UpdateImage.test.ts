// UpdateImage, PATCH /v2/cloudimages/{image_id}: the JSON-patch as each client sends it, all or nothing, and
// every refusal with its IMG code.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bases } from "../../helpers/bodies.ts";
import { call, createImages } from "../../helpers/images.ts";
import { startStub, TOKEN_HEADERS, type RunningStub } from "../../helpers/stub.ts";

let stub: RunningStub;
let imageId: string;
const patch = (body: unknown, contentType = "application/json", id = imageId) => call(stub, "PATCH", `/v2/cloudimages/${id}`, body, { "X-Auth-Token": "t", "Content-Type": contentType });

beforeAll(async () => {
  stub = await startStub({ progression: "immediate", world: { images: [{ name: "Public image" }] } });
});
beforeEach(async () => {
  imageId = (await createImages(stub, { ...bases.serverSystem, max_ram: 4096 })).imageIds[0]!;
});
afterAll(() => stub.close());

describe("the changes a client makes", () => {
  it.each(["application/json", "application/json;charset=UTF-8", "application/openstack-images-v2.1-json-patch"])("sent as %s", async (contentType) => {
    const answer = await patch([{ op: "replace", path: "/name", value: "renamed" }], contentType);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: imageId, name: "renamed", status: "active" });
  });

  it("applies every operation in order, and keeps each attribute's JSON type", async () => {
    const answer = await patch([
      { op: "add", path: "/__description", value: "first" },
      { op: "replace", path: "/__description", value: "second" },
      { op: "replace", path: "/min_ram", value: "1024" },
      { op: "replace", path: "/max_ram", value: 8192 },
      { op: "add", path: "/enterprise_project_id", value: "b7a3e3c2-2f6a-4a8e-9a9d-0f2c1e4b5a61" },
      { op: "add", path: "/__support_kvm", value: "true" },
      { op: "add", path: "/hw_firmware_type", value: "uefi" },
      { op: "add", path: "/my_label", value: 7 },
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      __description: "second",
      min_ram: 1024,
      max_ram: "8192",
      enterprise_project_id: "b7a3e3c2-2f6a-4a8e-9a9d-0f2c1e4b5a61",
      __support_kvm: "true",
      hw_firmware_type: "uefi",
      my_label: "7",
    });
    const shown = (await call(stub, "GET", `/v2/images/${imageId}`)).body;
    expect(shown).toMatchObject({ __description: "second", my_label: "7" });
  });

  it("removes an attribute, which is then absent", async () => {
    const answer = await patch([{ op: "remove", path: "/max_ram" }]);
    expect(answer.status).toBe(200);
    expect(answer.body).not.toHaveProperty("max_ram");
  });

  it("moves updated_at, not created_at", async () => {
    const before = (await call(stub, "GET", `/v2/images/${imageId}`)).body;
    stub.clock.now += 5000;
    const after = (await patch([{ op: "replace", path: "/name", value: "later" }])).body;
    expect(after.created_at).toBe(before.created_at);
    expect(Date.parse(after.updated_at) - Date.parse(before.updated_at)).toBe(5000);
  });
});

describe("refusals", () => {
  it.each<[string, unknown, string, string]>([
    ["a replace of an attribute the image lacks", [{ op: "replace", path: "/__description", value: "x" }], "IMG.0035", "use add"],
    ["a remove of an attribute the image lacks", [{ op: "remove", path: "/__description" }], "IMG.0035", "__description"],
    ["a read-only attribute", [{ op: "replace", path: "/status", value: "killed" }], "IMG.0001", "read-only"],
    ["another read-only attribute", [{ op: "add", path: "/min_disk", value: 1 }], "IMG.0001", "read-only"],
    ["an unknown IMS attribute", [{ op: "add", path: "/__not_an_attribute", value: "x" }], "IMG.0001", "path"],
    ["an op other than add, replace, remove", [{ op: "move", path: "/name", value: "x" }], "IMG.0001", "add, replace, remove"],
    ["add without a value", [{ op: "add", path: "/name" }], "IMG.0001", "value is required"],
    ["a name with a bad character", [{ op: "replace", path: "/name", value: "bad/name" }], "IMG.0003", "name"],
    ["a name too long", [{ op: "replace", path: "/name", value: "n".repeat(129) }], "IMG.0003", "128"],
    ["a description with <", [{ op: "add", path: "/__description", value: "a<b" }], "IMG.0054", "<"],
    ["memory as words", [{ op: "replace", path: "/max_ram", value: "lots" }], "IMG.0055", "value"],
    ["negative memory", [{ op: "replace", path: "/min_ram", value: -1 }], "IMG.0055", "value"],
    ["min_ram above max_ram", [{ op: "replace", path: "/min_ram", value: 9000 }], "IMG.0055", "max_ram"],
    ["an enterprise project that is not 0 or a UUID", [{ op: "add", path: "/enterprise_project_id", value: "ep" }], "IMG.0155", "UUID"],
    ["a firmware type other than bios and uefi", [{ op: "add", path: "/hw_firmware_type", value: "efi" }], "IMG.0141", "value"],
    ["a value that is neither a string nor a number", [{ op: "add", path: "/my_label", value: true }], "IMG.0001", "value"],
    ["the name removed", [{ op: "remove", path: "/name" }], "IMG.0001", "cannot be removed"],
    ["an empty patch", [], "IMG.0001", "at least 1"],
    ["an object instead of a list", { op: "replace", path: "/name", value: "x" }, "IMG.0001", "array"],
    ["an unknown key in an operation", [{ op: "replace", path: "/name", value: "x", from: "/a" }], "IMG.0001", "from"],
    ["a misspelt key in an operation", [{ op: "replace", pth: "/name", value: "x" }], "IMG.0001", "did you mean path?"],
  ])("%s → %s", async (_name, body, code, named) => {
    const before = (await call(stub, "GET", `/v2/images/${imageId}`)).body;
    const answer = await patch(body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe(code);
    expect(answer.body.error.message).toContain(named);
    expect((await call(stub, "GET", `/v2/images/${imageId}`)).body).toEqual(before);
  });

  it("all or nothing: one refused operation leaves the image as it was", async () => {
    const answer = await patch([
      { op: "replace", path: "/name", value: "changed" },
      { op: "replace", path: "/__description", value: "absent" },
    ]);
    expect(answer.body.error.code).toBe("IMG.0035");
    expect((await call(stub, "GET", `/v2/images/${imageId}`)).body.name).toBe("ims_test");
  });

  it("malformed JSON, an empty body, a content type it does not take", async () => {
    const broken = await call(stub, "PATCH", `/v2/cloudimages/${imageId}`, "[{", TOKEN_HEADERS);
    expect([broken.status, broken.body.error.code]).toEqual([400, "IMG.0001"]);
    const empty = await call(stub, "PATCH", `/v2/cloudimages/${imageId}`, "", TOKEN_HEADERS);
    expect([empty.status, empty.body.error.code]).toEqual([400, "IMG.0007"]);
    const text = await call(stub, "PATCH", `/v2/cloudimages/${imageId}`, "name=x", { "X-Auth-Token": "t", "Content-Type": "text/plain" });
    expect(text.status).toBe(415);
  });

  it("an image that is not active yet: IMG.0046", async () => {
    const created = await call(stub, "POST", "/v2/cloudimages/action", bases.serverSystem, { ...TOKEN_HEADERS, Prefer: "job-progression=per-poll" });
    const saving = (await call(stub, "GET", "/v2/cloudimages?status=queued")).body.images[0];
    expect(saving).toBeDefined();
    const answer = await patch([{ op: "replace", path: "/name", value: "x" }], "application/json", saving.id);
    expect(answer.body.error).toMatchObject({ code: "IMG.0046" });
    expect(answer.body.error.message).toContain("queued");
    expect(created.status).toBe(200);
  });

  it("an unknown image: 404; a public image: IMG.0047 (owner only)", async () => {
    expect((await patch([{ op: "replace", path: "/name", value: "x" }], "application/json", "00000000-0000-0000-0000-000000000000")).status).toBe(404);
    const [gold] = (await call(stub, "GET", "/v2/cloudimages?__imagetype=gold")).body.images;
    const answer = await patch([{ op: "replace", path: "/name", value: "x" }], "application/json", gold.id);
    expect([answer.status, answer.body.error.code]).toEqual([400, "IMG.0047"]);
  });
});

describe("GlanceUpdateImage, OpenStack's own update", () => {
  const native = (body: unknown) => call(stub, "PATCH", `/v2/images/${imageId}`, body, { "X-Auth-Token": "t", "Content-Type": "application/openstack-images-v2.1-json-patch" });

  it("takes UpdateImage's changes and /min_disk besides, an integer whatever JSON type was sent", async () => {
    const answer = await native([{ op: "replace", path: "/min_disk", value: "60" }, { op: "replace", path: "/name", value: "native" }]);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ min_disk: 60, name: "native" });
    // UpdateImage itself keeps min_disk read-only.
    expect((await patch([{ op: "replace", path: "/min_disk", value: 60 }])).body.error.code).toBe("IMG.0001");
  });

  it.each<[string, unknown]>([
    ["a minimum disk of 0", [{ op: "replace", path: "/min_disk", value: 0 }]],
    ["a minimum disk in words", [{ op: "replace", path: "/min_disk", value: "big" }]],
    ["a removed minimum disk", [{ op: "remove", path: "/min_disk" }]],
  ])("refuses %s", async (_name, body) => {
    const answer = await native(body);
    expect(answer.status).toBe(400);
    expect(["IMG.0055", "IMG.0001"]).toContain(answer.body.error.code);
    expect(answer.body.error.message).toMatch(/min_disk|value|path|op/);
  });
});

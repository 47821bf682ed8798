// Each rule of the error code table gets its documented IMG code; malformed requests get their status;
// the stub answers correctly after each.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_ID, VOLUME_ID, body } from "../helpers/bodies.ts";
import { postJson, startStub, TOKEN_HEADERS, type RunningStub } from "../helpers/stub.ts";

let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub({ bodyLimitBytes: 1024 * 1024 });
});
afterAll(() => stub.close());

async function stillServes() {
  const ok = await postJson(stub.url, body("serverSystem"));
  expect(ok.status).toBe(200);
  expect(ok.body.job_id).toMatch(/^[0-9a-f]{32}$/);
}

const codeTable: [string, unknown, string, RegExp?][] = [
  ["empty object", {}, "IMG.0007"],
  ["an array", [body("serverSystem")], "IMG.0001", /JSON object/],
  ["a string", "\"ims\"", "IMG.0001", /JSON object/],
  ["null", "null", "IMG.0001", /JSON object/],
  ["unknown field", body("serverSystem", { instanceId: SERVER_ID }), "IMG.0001", /instanceId/],
  ["no source field", { name: "ims_test" }, "IMG.0001", /image source/],
  ["mixed sources: instance_id and image_url", body("serverSystem", { image_url: "bkt:f", min_disk: 40 }), "IMG.0001", /instance_id and image_url/],
  ["mixed sources: instance_id and data_images", body("serverSystem", { data_images: [{ name: "d", volume_id: VOLUME_ID }] }), "IMG.0001", /instance_id and data_images/],
  ["mixed sources: image_url and volume_id", body("file", { volume_id: VOLUME_ID }), "IMG.0001", /image_url and volume_id/],
  ["tags with image_tags", body("serverSystem", { tags: ["a.1"], image_tags: [{ key: "a", value: "1" }] }), "IMG.0001", /tags and image_tags/],
  ["name missing", body("serverSystem", {}, ["name"]), "IMG.0013", /name is required/],
  ["data disk item name missing", body("serverData", { data_images: [{ volume_id: VOLUME_ID }] }), "IMG.0013", /data_images\[0\]\.name/],
  ["name longer than 128", body("serverSystem", { name: "a".repeat(129) }), "IMG.0002", /128/],
  ["name with bad characters", body("serverSystem", { name: "a/b" }), "IMG.0003", /name may hold only/],
  ["name with a leading space", body("serverSystem", { name: " ab" }), "IMG.0003"],
  ["name with a trailing space", body("volume", { name: "ab " }), "IMG.0003"],
  ["description longer than 1024", body("serverSystem", { description: "d".repeat(1025) }), "IMG.0004", /1024/],
  ["description with a line feed", body("serverSystem", { description: "a\nb" }), "IMG.0054"],
  ["description with <", body("file", { description: "<b>" }), "IMG.0054"],
  ["min_disk below 40", body("file", { min_disk: 39 }), "IMG.0055", /min_disk must be >= 40/],
  ["min_disk above 1024", body("file", { min_disk: 1025 }), "IMG.0055"],
  ["data disk min_disk above 2048", body("file", { data_images: [{ image_url: "bkt:d", min_disk: 2049 }] }), "IMG.0055", /data_images\[0\]\.min_disk/],
  ["min_ram negative", body("serverSystem", { min_ram: -1 }), "IMG.0055"],
  ["max_ram negative", body("volume", { max_ram: -1 }), "IMG.0055"],
  ["min_ram above max_ram", body("volume", { min_ram: 4096, max_ram: 1024 }), "IMG.0055", /min_ram/],
  ["image_url not bucket:file", body("file", { image_url: "centos.qcow2" }), "IMG.0017", /bucket/],
  ["bad type (file)", body("file", { type: "VM" }), "IMG.0024", /ECS/],
  ["bad type (volume)", body("volume", { type: "IsoImage" }), "IMG.0024"],
  ["bad architecture", body("file", { architecture: "amd64" }), "IMG.0212"],
  ["bad tag", body("serverSystem", { tags: ["bad tag"] }), "IMG.0115", /tags\[0\]/],
  ["bad image tag", body("serverSystem", { image_tags: [{ key: "k", value: "v v" }] }), "IMG.0115"],
  ["repeated tag key", body("serverSystem", { tags: ["a.1", "a.2"] }), "IMG.0115", /"a"/],
  ["too many tags", body("serverSystem", { tags: Array.from({ length: 21 }, (_, i) => `k${i}.v`) }), "IMG.0116"],
  ["ISO file without os_version", body("file", { type: "IsoImage" }), "IMG.0166", /IsoImage/],
  ["quick import without os_version", body("file", { is_quick_import: true }), "IMG.0001", /is_quick_import/],
  ["bad hw_firmware_type", body("file", { hw_firmware_type: "efi" }), "IMG.0141"],
  ["bios with arm", body("file", { architecture: "arm", hw_firmware_type: "bios" }), "IMG.0141"],
  ["bad os_type", body("file", { os_type: "BeOS" }), "IMG.0122"],
  ["BMS with cmk_id", body("file", { type: "BMS", cmk_id: "k" }), "IMG.0118"],
  ["bad enterprise_project_id", body("serverSystem", { enterprise_project_id: "x" }), "IMG.0155"],
  ["more than 3 data disk files", body("file", { data_images: [1, 2, 3, 4].map((i) => ({ image_url: `bkt:d${i}`, min_disk: 1 })) }), "IMG.0194"],
  ["repeated image_url", body("file", { data_images: [{ image_url: "ims-image:centos70.qcow2", min_disk: 1 }] }), "IMG.0123"],
  ["empty os_version", body("volume", { os_version: "" }), "IMG.0056"],
  ["instance_id not a UUID", body("serverSystem", { instance_id: "srv-1" }), "IMG.0001", /instance_id must be a uuid/],
];

describe("the error code table", () => {
  it.each(codeTable)("%s → %s", async (_label, sent, code, message) => {
    const res = await postJson(stub.url, sent);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    if (message) expect(res.body.error.message).toMatch(message);
    expect(Object.keys(res.body)).toEqual(["error"]);
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("unknown fields are named, with the field each most likely meant", () => {
  it.each<[string, unknown, string, string]>([
    [
      "a misspelt source (the body names none)",
      { name: "ims_test", instanceId: SERVER_ID },
      "IMG.0001",
      "The body names no image source: give one of instance_id, data_images, image_url, volume_id. instanceId is not a field of this body: did you mean instance_id?",
    ],
    [
      "a misspelt volume source",
      { name: "ims_test", volumeId: VOLUME_ID, os_version: "CentOS 7.0 64bit" },
      "IMG.0001",
      "The body names no image source: give one of instance_id, data_images, image_url, volume_id. volumeId is not a field of this body: did you mean volume_id?",
    ],
    [
      "a misspelt data_images",
      { name: "ims_test", dataImages: [{ name: "d", volume_id: VOLUME_ID }] },
      "IMG.0001",
      "The body names no image source: give one of instance_id, data_images, image_url, volume_id. dataImages is not a field of this body: did you mean data_images?",
    ],
    [
      "a file body in camelCase",
      { name: "ims_test", imageUrl: "bkt:f", minDisk: 40 },
      "IMG.0001",
      "The body names no image source: give one of instance_id, data_images, image_url, volume_id. imageUrl (did you mean image_url?) and minDisk (did you mean min_disk?) are not fields of this body.",
    ],
    ["a misspelt optional field", body("serverSystem", { descripton: "d" }), "IMG.0001", "descripton is not a field of this body: did you mean description?"],
    ["a misspelt required field keeps its documented code", body("serverSystem", { nmae: "x" }, ["name"]), "IMG.0013", "name is required. nmae is not a field of this body: did you mean name?"],
    ["a required field in camelCase", body("file", { minDisk: 40 }, ["min_disk"]), "IMG.0001", "min_disk is required. minDisk is not a field of this body: did you mean min_disk?"],
    [
      "a misspelt field of a data disk item",
      body("file", { data_images: [{ imageUrl: "bkt:d", min_disk: 1 }] }),
      "IMG.0001",
      "data_images[0].image_url is required. data_images[0].imageUrl is not a field of this body: did you mean image_url?",
    ],
    ["a field the body already has is not suggested", body("serverSystem", { instanceId: SERVER_ID }), "IMG.0001", "instanceId is not a field of this body."],
    ["a field nothing is close to", { name: "ims_test", colour: "blue" }, "IMG.0001", "colour is not a field of this body."],
  ])("%s", async (_label, sent, code, detail) => {
    const res = await postJson(stub.url, sent);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(new RegExp(`^.*\\. ${detail.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
  });
});

describe("the control API names unknown fields too", () => {
  it.each<[string, string, unknown, string]>([
    ["an outcome rule in camelCase", "POST /_stub/outcomes", { sourceId: SERVER_ID, outcome: "FAIL" }, "sourceId is not a field of this body: did you mean source_id?"],
    ["a world with a singular key", "PUT /_stub/world", { server: [SERVER_ID] }, "server is not a field of this body: did you mean servers?"],
    ["several, each with its near miss", "POST /_stub/outcomes", { sourceID: SERVER_ID, errorCode: "IMG.0005" }, "sourceID (did you mean source_id?) and errorCode (did you mean error_code?) are not fields of this body."],
    ["no unknown field: the validator's words alone", "PUT /_stub/world", { servers: SERVER_ID }, "servers must be array."],
  ])("%s", async (_label, call, sent, detail) => {
    const [method, path] = call.split(" ");
    const res = await fetch(`${stub.url}${path}`, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(sent) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: "IMG.0001", message: `The request message format is invalid. ${detail}` } });
  });
});

describe("malformed requests", () => {
  const send = (init: RequestInit, path = "/v2/cloudimages/action") => fetch(`${stub.url}${path}`, { method: "POST", ...init });

  it.each<[string, RequestInit, number, string]>([
    ["malformed JSON", { headers: TOKEN_HEADERS, body: '{"name": ' }, 400, "IMG.0001"],
    ["truncated JSON", { headers: TOKEN_HEADERS, body: JSON.stringify(body("serverSystem")).slice(0, 20) }, 400, "IMG.0001"],
    ["an empty body", { headers: TOKEN_HEADERS, body: "" }, 400, "IMG.0007"],
    ["a blank body", { headers: TOKEN_HEADERS, body: "   " }, 400, "IMG.0007"],
    ["no body and no content type", { headers: { "X-Auth-Token": "t" } }, 400, "IMG.0007"],
    ["a body over the limit", { headers: TOKEN_HEADERS, body: JSON.stringify({ name: "x".repeat(1024 * 1024 + 10) }) }, 413, "IMG.0001"],
    ["a text/plain body", { headers: { "X-Auth-Token": "t", "Content-Type": "text/plain" }, body: "hello" }, 415, "IMG.0001"],
    ["a form body", { headers: { "X-Auth-Token": "t", "Content-Type": "application/x-www-form-urlencoded" }, body: "name=x" }, 415, "IMG.0001"],
  ])("%s → %d %s, and the stub still serves", async (_label, init, status, code) => {
    const res = await send(init);
    expect(res.status).toBe(status);
    expect((await res.json()).error.code).toBe(code);
    await stillServes();
  });

  it("an unknown route is a 404 in the IMS shape", async () => {
    const res = await fetch(`${stub.url}/v2/cloudimages/action/nothing`, { headers: TOKEN_HEADERS });
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("IMG.0121");
  });

  it("a wrong method is a 405 with Allow", async () => {
    const res = await fetch(`${stub.url}/v2/cloudimages/action`, { method: "PUT", headers: TOKEN_HEADERS, body: "{}" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect((await res.json()).error.code).toBe("IMG.0001");
  });

  it("serves requests exactly as the SDKs send them", async () => {
    const sdkHeaders = { "X-Auth-Token": "t", "Content-Type": "application/json;charset=utf-8", "X-Project-Id": "0123456789abcdef0123456789abcdef" };
    const created = await postJson(stub.url, '{"instance_id": "b4e5d8a4-6c3b-4b0a-9d6c-2f1e0a7b9c11", "name": "\\u955c\\u50cf-01"}', sdkHeaders);
    expect(created.status).toBe(200);
    const job = await fetch(`${stub.url}/v1/0123456789abcdef0123456789abcdef/jobs/${created.body.job_id}`, { headers: { ...sdkHeaders, "Content-Type": "application/json" } });
    expect(job.status).toBe(200);
    expect((await job.json()).entities.image_name).toBe("镜像-01");
  });

  it("answers a CORS preflight", async () => {
    const res = await fetch(`${stub.url}/v2/cloudimages/action`, {
      method: "OPTIONS",
      headers: { Origin: "http://docs.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-auth-token" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-headers")).toBe("content-type,x-auth-token");
  });
});

describe("CORS can be turned off", () => {
  it("sends no CORS headers with corsOrigin off", async () => {
    const quiet = await startStub({ corsOrigin: false });
    try {
      const res = await fetch(`${quiet.url}/v1/cloudimages/job/x`, { headers: { ...TOKEN_HEADERS, Origin: "http://elsewhere.example" } });
      expect(res.status).toBe(404);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await quiet.close();
    }
  });
});

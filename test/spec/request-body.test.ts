// Every rule of the request body, as a body that passes and one that fails, validated against the bundled spec.
import { describe, expect, it } from "vitest";
import { schemaValidators } from "../../server/contract/spec.ts";
import { SERVER_ID, VOLUME_ID, body, seedExamples, type Body } from "../helpers/bodies.ts";

const validate = schemaValidators()("CreateImageRequestBody");
const passes = (b: unknown) => validate(b);

const tags = (n: number) => Array.from({ length: n }, (_, i) => `k${i}.v${i}`);
const imageTags = [{ key: "key1", value: "value1" }];

// [rule, passing body, failing body]
const rules: [string, Body, Body][] = [
  ["server system image needs name", body("serverSystem"), body("serverSystem", {}, ["name"])],
  ["server system image needs instance_id (else it is no body at all)", body("serverSystem"), body("serverSystem", {}, ["instance_id"])],
  ["instance_id is a UUID", body("serverSystem"), body("serverSystem", { instance_id: "server-1" })],
  ["name at most 128 characters", body("serverSystem", { name: "a".repeat(128) }), body("serverSystem", { name: "a".repeat(129) })],
  ["name not empty", body("serverSystem", { name: "a" }), body("serverSystem", { name: "" })],
  ["name allows Chinese, digits, - . _ and inner space", body("serverSystem", { name: "镜像 v1.0_a-b" }), body("serverSystem", { name: "image/1" })],
  ["name has no leading space", body("serverSystem", { name: "a b" }), body("serverSystem", { name: " ab" })],
  ["name has no trailing space", body("serverSystem", { name: "a b" }), body("serverSystem", { name: "ab " })],
  ["description at most 1024 characters", body("serverSystem", { description: "d".repeat(1024) }), body("serverSystem", { description: "d".repeat(1025) })],
  ["description without line feed", body("serverSystem", { description: "one line" }), body("serverSystem", { description: "two\nlines" })],
  ["description without carriage return", body("serverSystem", { description: "one line" }), body("serverSystem", { description: "a\rb" })],
  ["description without < or >", body("serverSystem", { description: "a = b" }), body("serverSystem", { description: "<b>" })],
  ["tags are key.value strings", body("serverSystem", { tags: ["aaa.111", "key", "k.v.w"] }), body("serverSystem", { tags: ["bad key.1"] })],
  ["tag key at most 36 characters", body("serverSystem", { tags: [`${"k".repeat(36)}.v`] }), body("serverSystem", { tags: [`${"k".repeat(37)}.v`] })],
  ["tag value at most 43 characters", body("serverSystem", { tags: [`k.${"v".repeat(43)}`] }), body("serverSystem", { tags: [`k.${"v".repeat(44)}`] })],
  ["at most 20 tags", body("serverSystem", { tags: tags(20) }), body("serverSystem", { tags: tags(21) })],
  ["image_tags are {key, value}", body("serverSystem", { image_tags: imageTags }), body("serverSystem", { image_tags: [{ key: "k" }] })],
  ["image_tags have no other fields", body("serverSystem", { image_tags: imageTags }), body("serverSystem", { image_tags: [{ key: "k", value: "v", extra: 1 }] })],
  ["image_tags value may be empty", body("serverSystem", { image_tags: [{ key: "k", value: "" }] }), body("serverSystem", { image_tags: [{ key: "", value: "" }] })],
  ["tags and image_tags exclusive (server system)", body("serverSystem", { tags: ["a.1"] }), body("serverSystem", { tags: ["a.1"], image_tags: imageTags })],
  ["tags and image_tags exclusive (server data top level)", body("serverData", { tags: ["a.1"] }), body("serverData", { tags: ["a.1"], image_tags: imageTags })],
  ["tags and image_tags exclusive (file)", body("file", { image_tags: imageTags }), body("file", { tags: ["a.1"], image_tags: imageTags })],
  ["tags and image_tags exclusive (volume)", body("volume", { image_tags: imageTags }), body("volume", { tags: ["a.1"], image_tags: imageTags })],
  ["tags and image_tags exclusive (server data item)",
    body("serverData", { data_images: [{ name: "d", volume_id: VOLUME_ID, image_tags: imageTags }] }),
    body("serverData", { data_images: [{ name: "d", volume_id: VOLUME_ID, tags: ["a.1"], image_tags: imageTags }] })],
  ["tags and image_tags exclusive (file data item)",
    body("file", { data_images: [{ image_url: "b-1:d.qcow2", min_disk: 10, tags: ["a.1"] }] }),
    body("file", { data_images: [{ image_url: "b-1:d.qcow2", min_disk: 10, tags: ["a.1"], image_tags: imageTags }] })],
  ["enterprise_project_id is 0 or a UUID", body("serverSystem", { enterprise_project_id: "0" }), body("serverSystem", { enterprise_project_id: "default" })],
  ["enterprise_project_id UUID", body("serverSystem", { enterprise_project_id: SERVER_ID }), body("serverSystem", { enterprise_project_id: "1" })],
  ["min_ram not negative", body("serverSystem", { min_ram: 0 }), body("serverSystem", { min_ram: -1 })],
  ["max_ram is an integer", body("volume", { max_ram: 4096 }), body("volume", { max_ram: 4096.5 })],
  ["server data disk items need volume_id", body("serverData"), body("serverData", { data_images: [{ name: "d" }] })],
  ["server data disk items need name", body("serverData"), body("serverData", { data_images: [{ volume_id: VOLUME_ID }] })],
  ["server data disk list not empty", body("serverData"), body("serverData", { data_images: [] })],
  ["server data disk shape: top-level name and description allowed", body("serverData", { name: "ignored", description: "ignored" }), body("serverData", { name: " bad" })],
  ["file needs min_disk", body("file"), body("file", {}, ["min_disk"])],
  ["file needs name", body("file"), body("file", {}, ["name"])],
  ["file min_disk at least 40", body("file", { min_disk: 40 }), body("file", { min_disk: 39 })],
  ["file min_disk at most 1024", body("file", { min_disk: 1024 }), body("file", { min_disk: 1025 })],
  ["image_url is bucket:file", body("file", { image_url: "my.bucket-1:dir/file.vhd" }), body("file", { image_url: "centos70.qcow2" })],
  ["image_url bucket at least 3 characters", body("file", { image_url: "abc:f" }), body("file", { image_url: "ab:f" })],
  ["image_url bucket lower case", body("file", { image_url: "bucket:f" }), body("file", { image_url: "Bucket:f" })],
  ["image_url bucket not starting with -", body("file", { image_url: "b-b:f" }), body("file", { image_url: "-bb:f" })],
  ["image_url bucket without ..", body("file", { image_url: "b.b.b:f" }), body("file", { image_url: "b..b:f" })],
  ["image_url bucket not an IP address", body("file", { image_url: "10.1.2.3a:f" }), body("file", { image_url: "10.1.2.3:f" })],
  ["image_url file without spaces", body("file", { image_url: "bkt:dir/f.qcow2" }), body("file", { image_url: "bkt:my file.qcow2" })],
  ["file type enum includes IsoImage", body("file", { type: "IsoImage", os_version: "CentOS 7.0 64bit" }), body("file", { type: "iso" })],
  ["ISO file needs os_version", body("file", { type: "IsoImage", os_version: "Ubuntu 19.04 server 64bit" }), body("file", { type: "IsoImage" })],
  ["quick import needs os_version", body("file", { is_quick_import: true, os_version: "CentOS 7.0 64bit" }), body("file", { is_quick_import: true })],
  ["without quick import os_version is optional", body("file", { is_quick_import: false }), body("file", { is_quick_import: "yes" })],
  ["architecture x86 or arm", body("file", { architecture: "arm" }), body("file", { architecture: "aarch64" })],
  ["hw_firmware_type bios or uefi", body("file", { hw_firmware_type: "bios" }), body("file", { hw_firmware_type: "efi" })],
  ["arm boots only with uefi", body("file", { architecture: "arm", hw_firmware_type: "uefi" }), body("file", { architecture: "arm", hw_firmware_type: "bios" })],
  ["os_type Linux, Windows or Other", body("file", { os_type: "Windows" }), body("file", { os_type: "Mac" })],
  ["BMS image cannot be encrypted", body("file", { type: "ECS", cmk_id: "key-1" }), body("file", { type: "BMS", cmk_id: "key-1" })],
  ["is_config is boolean", body("file", { is_config: true }), body("file", { is_config: "true" })],
  ["file data disks at most 3",
    body("file", { data_images: [1, 2, 3].map((i) => ({ image_url: `bkt:d${i}.qcow2`, min_disk: 1 })) }),
    body("file", { data_images: [1, 2, 3, 4].map((i) => ({ image_url: `bkt:d${i}.qcow2`, min_disk: 1 })) })],
  ["file data disk min_disk 1..2048", body("file", { data_images: [{ image_url: "bkt:d", min_disk: 2048 }] }), body("file", { data_images: [{ image_url: "bkt:d", min_disk: 2049 }] })],
  ["file data disk min_disk at least 1", body("file", { data_images: [{ image_url: "bkt:d", min_disk: 1 }] }), body("file", { data_images: [{ image_url: "bkt:d", min_disk: 0 }] })],
  ["file data disk needs image_url", body("file", { data_images: [{ image_url: "bkt:d", min_disk: 1, name: "d1" }] }), body("file", { data_images: [{ min_disk: 1 }] })],
  ["file data disk items are closed", body("file", { data_images: [{ image_url: "bkt:d", min_disk: 1, is_quick_import: true }] }), body("file", { data_images: [{ image_url: "bkt:d", min_disk: 1, volume_id: VOLUME_ID }] })],
  ["volume needs os_version", body("volume"), body("volume", {}, ["os_version"])],
  ["volume type has no IsoImage", body("volume", { type: "FusionCompute" }), body("volume", { type: "IsoImage" })],
  ["volume has no architecture", body("volume", { hw_firmware_type: "uefi" }), body("volume", { architecture: "x86" })],
  ["unknown field rejected (typo)", body("serverSystem"), { name: "ims_test", instanceId: SERVER_ID }],
  ["unknown field rejected next to a valid body", body("serverSystem"), body("serverSystem", { bogus: 1 })],
  ["is_config_init accepted only where the seed shows it", body("file", { is_config_init: true }), body("serverSystem", { is_config_init: true })],
  ["mixed: instance_id with image_url", body("serverSystem"), body("serverSystem", { image_url: "bkt:f", min_disk: 40 })],
  ["mixed: instance_id with data_images", body("serverSystem"), body("serverSystem", { data_images: [{ name: "d", volume_id: VOLUME_ID }] })],
  ["mixed: image_url with volume_id", body("file"), body("file", { volume_id: VOLUME_ID })],
  ["mixed: instance_id with volume_id", body("volume"), body("volume", { instance_id: SERVER_ID })],
  ["mixed: server data disks with image_url", body("serverData"), body("serverData", { image_url: "bkt:f" })],
  ["mixed: server data disk items in a file body", body("file"), body("file", { data_images: [{ name: "d", volume_id: VOLUME_ID }] })],
];

describe("CreateImage request body rules", () => {
  it.each(rules)("%s", (_rule, good, bad) => {
    expect(passes(good), JSON.stringify(validate.errors)).toBe(true);
    expect(passes(bad)).toBe(false);
  });
});

describe("bodies that are not a CreateImage body", () => {
  it.each<[string, unknown]>([
    ["empty object", {}],
    ["name only", { name: "ims_test" }],
    ["array", [bases()]],
    ["string", "ims_test"],
    ["null", null],
  ])("%s fails", (_label, value) => {
    expect(passes(value)).toBe(false);
  });
  function bases() {
    return body("serverSystem");
  }
});

describe("the seed's examples", () => {
  const examples = seedExamples();
  it("are all eight present as named examples", () => {
    expect(examples.map(([key]) => key).sort()).toEqual([
      "file_image_image_tags",
      "file_image_tags",
      "server_data_images_image_tags",
      "server_data_images_tags",
      "server_system_image_image_tags",
      "server_system_image_tags",
      "volume_system_image_image_tags",
      "volume_system_image_tags",
    ]);
  });
  it.each(examples)("%s passes exactly as written", (_key, value) => {
    expect(passes(value), JSON.stringify(validate.errors)).toBe(true);
  });
});

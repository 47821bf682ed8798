// Compile-time checks of the client's body type: every body variant and seed example compiles; mixed bodies,
// unknown keys, and tags with image_tags do not.
import { describe, expectTypeOf, it } from "vitest";
import { createImsClient, type CreateImageBody, type Job } from "../../client/index.ts";

const ims = createImsClient({ endpoint: "http://127.0.0.1:8080", auth: { token: "t" } });
const SERVER = "877a2cda-ba63-4e1e-b95f-e67e48b6129a";
const VOLUME = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30";

describe("CreateImageBody", () => {
  it("accepts each body variant", () => {
    void ims.createImage({ name: "a", instance_id: SERVER });
    void ims.createImage({ data_images: [{ name: "d", volume_id: VOLUME }] });
    void ims.createImage({ name: "a", image_url: "b:f", min_disk: 40, data_images: [{ image_url: "b:d", min_disk: 1 }] });
    void ims.createImage({ name: "a", volume_id: VOLUME, os_version: "CentOS 7.0 64bit", type: "ECS" });
  });

  it("accepts the seed's eight examples as written", () => {
    void ims.createImage({ name: "ims_test", description: "云服务器制作系统盘镜像", instance_id: SERVER, tags: ["aaa.111", "bbb.333", "ccc.444"] });
    void ims.createImage({ data_images: [{ name: "ims_data_image_test", description: "云服务器数据卷制作数据盘镜像", volume_id: VOLUME, tags: ["aaa.111", "bbb.333", "ccc.444"] }] });
    void ims.createImage({ name: "ims_test_file", description: "OBS文件制作镜像", image_url: "ims-image:centos70.qcow2", os_version: "CentOS 7.0 64bit", is_config_init: true, min_disk: 40, is_config: true, tags: ["aaa.111", "bbb.333", "ccc.444"] });
    void ims.createImage({ name: "ims_test", description: "云服务器制作系统盘镜像", instance_id: SERVER, image_tags: [{ key: "key2", value: "value2" }, { key: "key1", value: "value1" }] });
    void ims.createImage({ data_images: [{ name: "ims_data_image_test", description: "云服务器数据卷制作数据盘镜像", volume_id: VOLUME, image_tags: [{ key: "key2", value: "value2" }, { key: "key1", value: "value1" }] }] });
    void ims.createImage({ name: "ims_test_file", description: "OBS文件制作镜像", image_url: "ims-image:centos70.qcow2", os_version: "CentOS 7.0 64bit", is_config_init: true, min_disk: 40, image_tags: [{ key: "key2", value: "value2" }, { key: "key1", value: "value1" }] });
    void ims.createImage({ name: "ims_test", description: "数据卷制作系统盘镜像", volume_id: SERVER, type: "ECS", os_version: "CentOS 7.0 64bit", tags: ["aaa.111", "bbb.333", "ccc.444"] });
    void ims.createImage({ name: "ims_test", description: "数据卷制作系统盘镜像", volume_id: SERVER, type: "ECS", os_version: "CentOS 7.0 64bit", image_tags: [{ key: "key2", value: "value2" }, { key: "key1", value: "value1" }] });
  });

  it("rejects mixed bodies", () => {
    // @ts-expect-error instance_id with image_url
    void ims.createImage({ name: "a", instance_id: SERVER, image_url: "b:f", min_disk: 40 });
    // @ts-expect-error instance_id with data_images
    void ims.createImage({ name: "a", instance_id: SERVER, data_images: [{ name: "d", volume_id: VOLUME }] });
    // @ts-expect-error image_url with volume_id
    void ims.createImage({ name: "a", image_url: "b:f", min_disk: 40, volume_id: VOLUME, os_version: "x" });
    // @ts-expect-error even an empty data_images does not go with instance_id
    void ims.createImage({ name: "a", instance_id: SERVER, data_images: [] });
    // @ts-expect-error a server data disk item in a file body
    void ims.createImage({ name: "a", image_url: "b:f", min_disk: 40, data_images: [{ name: "d", volume_id: VOLUME }] });
  });

  it("rejects unknown keys", () => {
    // @ts-expect-error instanceId is a typo
    void ims.createImage({ name: "a", instanceId: SERVER });
    // @ts-expect-error bogus is not a field
    void ims.createImage({ name: "a", instance_id: SERVER, bogus: 1 });
  });

  it("rejects tags with image_tags", () => {
    // @ts-expect-error both tag formats at the top level
    void ims.createImage({ name: "a", instance_id: SERVER, tags: ["a.1"], image_tags: [{ key: "a", value: "1" }] });
    // @ts-expect-error both tag formats in a data disk item
    void ims.createImage({ data_images: [{ name: "d", volume_id: VOLUME, tags: ["a.1"], image_tags: [{ key: "a", value: "1" }] }] });
  });

  it("rejects a missing required field and a wrong enum", () => {
    // @ts-expect-error min_disk is required for a file body
    void ims.createImage({ name: "a", image_url: "b:f" });
    // @ts-expect-error type is an enum
    void ims.createImage({ name: "a", volume_id: VOLUME, os_version: "x", type: "VM" });
  });

  it("types what comes back", () => {
    expectTypeOf(ims.createImage).returns.resolves.toEqualTypeOf<{ job_id: string }>();
    expectTypeOf(ims.showJob).returns.resolves.toEqualTypeOf<Job>();
    expectTypeOf<Job["status"]>().toEqualTypeOf<"INIT" | "RUNNING" | "SUCCESS" | "FAIL">();
    expectTypeOf<CreateImageBody>().not.toBeAny();
  });
});

describe("ImagePatch", () => {
  it("accepts what the SDKs and Terraform send", () => {
    void ims.updateImage("id", [{ op: "replace", path: "/name", value: "n" }, { op: "add", path: "/max_ram", value: 4096 }, { op: "remove", path: "/__description" }]);
    void ims.updateImage("id", [{ op: "replace", path: "/min_disk", value: 50 }], { native: true });
  });

  it("rejects an unknown op, a missing path and a value of another type", () => {
    // @ts-expect-error op is add, replace or remove
    void ims.updateImage("id", [{ op: "move", path: "/name", value: "n" }]);
    // @ts-expect-error path is required
    void ims.updateImage("id", [{ op: "add", value: "n" }]);
    // @ts-expect-error value is a string or a number
    void ims.updateImage("id", [{ op: "add", path: "/name", value: true }]);
  });

  it("types the image with the JSON types clients assert", () => {
    expectTypeOf(ims.showImage).returns.resolves.toHaveProperty("max_ram").toEqualTypeOf<string | undefined>();
    expectTypeOf(ims.showImage).returns.resolves.toHaveProperty("min_disk").toEqualTypeOf<number>();
    expectTypeOf(ims.showImage).returns.resolves.toHaveProperty("protected").toEqualTypeOf<boolean>();
    expectTypeOf(ims.showImage).returns.resolves.toHaveProperty("__image_size").toEqualTypeOf<string>();
  });
});

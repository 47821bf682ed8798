// The world's images: what a test says exists already, filled in as IMS shows an image of that kind.
import { randomUUID } from "node:crypto";
import type { components } from "../../../generated/control-openapi.js";
import { IMS_SIZE, type ImageAttributes, type ImageTag } from "./store.js";

export type WorldImage = components["schemas"]["WorldImage"];

export function worldImage(input: WorldImage): { id: string; attributes: ImageAttributes; tags: ImageTag[]; createdAt?: number } {
  const { id = randomUUID(), tags = [], created_at: createdAt, status: _status, ...given } = input;
  const isPublic = given.visibility !== "private";
  const minDisk = given.min_disk ?? 40;
  const bytes = minDisk * 1024 ** 3 / 8;
  const attributes: ImageAttributes = {
    visibility: isPublic ? "public" : "private",
    __imagetype: isPublic ? "gold" : "private",
    owner: isPublic ? "" : given.owner!,
    protected: isPublic,
    container_format: "bare",
    disk_format: "zvhd2",
    min_disk: minDisk,
    min_ram: 0,
    size: IMS_SIZE,
    checksum: "d41d8cd98f00b204e9800998ecf8427e",
    virtual_env_type: "FusionCompute",
    ...(isPublic ? {} : { enterprise_project_id: "0" }),
    __image_size: String(bytes),
    __image_source_type: "uds",
    __isregistered: "true",
    __os_type: "Linux",
    __os_bit: "64",
    __support_arm: "false",
    hw_firmware_type: "bios",
    __system_support_market: false,
    ...Object.fromEntries(Object.entries(given).map(([key, value]) => [key, key.startsWith("__") && typeof value !== "boolean" ? String(value) : value])),
    name: given.name,
  };
  return { id, attributes, tags, ...(createdAt !== undefined && { createdAt: Date.parse(createdAt) }) };
}

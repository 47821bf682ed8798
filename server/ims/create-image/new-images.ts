// The images a create body makes, with the attributes a fresh private image shows (see the contract's Image
// schema): names, description, memory, OS and tags from the body, the source in `__data_origin`, and the JSON
// types real clients assert (every `__*` attribute and `max_ram` a string).
import type { components } from "../../../generated/openapi.js";
import { randomFlatUuid } from "../../http/ids.js";
import { numberText, IMS_SIZE, type ImageAttributes, type ImageTag } from "../images/store.js";
import type { Branch } from "./classify.js";

type Schemas = components["schemas"];
type Body = Record<string, unknown>;

export type NewImage = { id: string; attributes: ImageAttributes; tags: ImageTag[] };

/** What clients read of an image file IMS never shows: a constant of the empty file. */
const EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e";
/** Where the seed's list of os_version values starts each platform's entries. */
const PLATFORMS = ["Windows", "Ubuntu", "RedHat", "SUSE", "CentOS", "Debian", "OpenSUSE", "Oracle Linux", "Fedora", "CoreOS", "EulerOS", "Huawei Cloud EulerOS"];
/** The smallest system disk IMS makes: what an image of a server or volume needs when the stub knows no size. */
const DEFAULT_MIN_DISK_GB = 40;
const GIB = 1024 ** 3;

function tagsOf(item: Body): ImageTag[] | undefined {
  if (Array.isArray(item.image_tags)) return item.image_tags as ImageTag[];
  if (Array.isArray(item.tags)) {
    return (item.tags as string[]).map((tag) => {
      const dot = tag.indexOf(".");
      return dot === -1 ? { key: tag, value: "" } : { key: tag.slice(0, dot), value: tag.slice(dot + 1) };
    });
  }
  return undefined;
}

function platformOf(osVersion: string | undefined): string | undefined {
  if (osVersion === undefined) return undefined;
  return [...PLATFORMS].sort((a, b) => b.length - a.length).find((platform) => osVersion.startsWith(platform)) ?? "Other";
}

function virtualEnvType(type: unknown): string {
  if (type === "BMS" || type === "Ironic") return "Ironic";
  if (type === "IsoImage") return "IsoImage";
  return "FusionCompute";
}

type ImageFacts = {
  name: string;
  origin: string;
  minDisk: number;
  virtualEnvType: string;
  description?: unknown;
  osVersion?: string;
  osType?: unknown;
  extra?: Record<string, unknown>;
};

function attributesFor(projectId: string, body: Body, facts: ImageFacts): ImageAttributes {
  const bytes = facts.minDisk * GIB / 8;
  const osVersion = facts.osVersion;
  const arm = body.architecture === "arm";
  return {
    name: facts.name,
    visibility: "private",
    __imagetype: "private",
    owner: projectId,
    protected: false,
    container_format: "bare",
    disk_format: facts.virtualEnvType === "IsoImage" ? "iso" : "zvhd2",
    min_disk: facts.minDisk,
    min_ram: (body.min_ram as number | undefined) ?? 0,
    ...(body.max_ram !== undefined && { max_ram: numberText(body.max_ram as number) }),
    size: IMS_SIZE,
    checksum: EMPTY_MD5,
    virtual_env_type: facts.virtualEnvType,
    enterprise_project_id: (body.enterprise_project_id as string | undefined) ?? "0",
    __image_size: String(bytes),
    __image_source_type: "uds",
    __isregistered: "true",
    __os_type: (facts.osType as string | undefined) ?? (osVersion?.startsWith("Windows") ? "Windows" : "Linux"),
    __os_bit: osVersion?.includes("32bit") ? "32" : "64",
    ...(osVersion !== undefined && { __os_version: osVersion, __platform: platformOf(osVersion) }),
    ...(typeof facts.description === "string" && { __description: facts.description }),
    __data_origin: facts.origin,
    __originalimagename: "",
    __support_arm: arm ? "true" : "false",
    hw_firmware_type: (body.hw_firmware_type as string | undefined) ?? (arm ? "uefi" : "bios"),
    __system_support_market: false,
    ...facts.extra,
  };
}

/** The images a body makes, system disk image first, then one per data disk, in the body's order. */
export function imagesFor(branch: Branch, body: Body, projectId: string): { system?: NewImage; data: NewImage[] } {
  const make = (item: Body, facts: ImageFacts): NewImage => ({ id: randomFlatUuid(), attributes: attributesFor(projectId, body, facts), tags: tagsOf(item) ?? tagsOf(body) ?? [] });
  switch (branch) {
    case "CreateSystemImageFromServer": {
      const b = body as Schemas["CreateSystemImageFromServer"];
      return { system: make(body, { name: b.name, origin: `instance,${b.instance_id}`, minDisk: DEFAULT_MIN_DISK_GB, virtualEnvType: "FusionCompute", description: b.description }), data: [] };
    }
    case "CreateDataImagesFromServer": {
      const b = body as Schemas["CreateDataImagesFromServer"];
      const data = b.data_images.map((item) =>
        make(item, { name: item.name, origin: `volume,${item.volume_id}`, minDisk: DEFAULT_MIN_DISK_GB, virtualEnvType: "DataImage", description: item.description ?? b.description }),
      );
      return { data };
    }
    case "CreateImageFromFile": {
      const b = body as Schemas["CreateImageFromFile"];
      const fileExtras = {
        __root_origin: "file",
        ...(b.is_config_init !== undefined && { __is_config_init: String(b.is_config_init) }),
        ...(b.cmk_id !== undefined && { __system__cmkid: b.cmk_id }),
      };
      const system = make(body, {
        name: b.name,
        origin: `file,${b.image_url}`,
        minDisk: b.min_disk,
        virtualEnvType: virtualEnvType(b.type),
        description: b.description,
        osVersion: b.os_version,
        osType: b.os_type,
        extra: fileExtras,
      });
      const data = (b.data_images ?? []).map((item, i) =>
        make(item, {
          name: item.name ?? `${b.name.slice(0, 122).trimEnd()}-data${i + 1}`,
          origin: `file,${item.image_url}`,
          minDisk: item.min_disk,
          virtualEnvType: "DataImage",
          description: item.description ?? b.description,
          osType: system.attributes.__os_type,
          extra: { __root_origin: "file" },
        }),
      );
      return { system, data };
    }
    case "CreateSystemImageFromVolume": {
      const b = body as Schemas["CreateSystemImageFromVolume"];
      return {
        system: make(body, { name: b.name, origin: `volume,${b.volume_id}`, minDisk: DEFAULT_MIN_DISK_GB, virtualEnvType: virtualEnvType(b.type), description: b.description, osVersion: b.os_version }),
        data: [],
      };
    }
  }
}

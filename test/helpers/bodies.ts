// Valid request bodies of each shape, and the seed's examples read from the bundled spec.
// Tests mutate these bases, so each negative case differs from a passing body by one rule.
import { loadSpec, resolveRef } from "../../server/contract/spec.ts";

export const SERVER_ID = "877a2cda-ba63-4e1e-b95f-e67e48b6129a";
export const VOLUME_ID = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30";

export const bases = {
  serverSystem: { name: "ims_test", instance_id: SERVER_ID },
  serverData: { data_images: [{ name: "ims_data_image_test", volume_id: VOLUME_ID }] },
  file: { name: "ims_test_file", image_url: "ims-image:centos70.qcow2", min_disk: 40 },
  volume: { name: "ims_test", volume_id: VOLUME_ID, os_version: "CentOS 7.0 64bit" },
} as const;

export type BaseName = keyof typeof bases;
export type Body = Record<string, unknown>;

export function body(base: BaseName, patch: Body = {}, remove: string[] = []): Body {
  const copy: Body = structuredClone(bases[base]) as Body;
  for (const key of remove) delete copy[key];
  return { ...copy, ...patch };
}

/** The CreateImage request examples of the bundled spec: the seed's eight bodies, by example key. */
export function seedExamples(): [string, Body][] {
  const spec = loadSpec();
  const op = spec.paths["/v2/cloudimages/action"]!.post as {
    requestBody: { content: { "application/json": { examples: Record<string, { $ref: string }> } } };
  };
  return Object.entries(op.requestBody.content["application/json"].examples).map(([key, ref]) => [
    key,
    resolveRef<{ value: Body }>(spec, ref.$ref).value,
  ]);
}

// Requests of every operation with valid parameters and bodies, for the checks that change one thing about a
// request (its credentials, its project) and expect the provider to refuse it.
import { randomBytes, randomUUID } from "node:crypto";
import type { Run } from "../run.js";

export const unknownImageId = () => randomUUID();
export const unknownJobId = () => randomBytes(16).toString("hex");
export const otherProjectId = (mine: string) => {
  let other = randomBytes(16).toString("hex");
  while (other === mine) other = randomBytes(16).toString("hex");
  return other;
};

export type Sample = { operationId: string; method: string; target: string; body?: unknown; contentType?: string };

/** A valid request of each operation (the image and job need not exist: what is checked comes first). */
export function sampleRequests(run: Run, ids: { imageId: string; jobId: string; projectId?: string }): Sample[] {
  const project = ids.projectId ?? run.provider.projectId;
  const { instanceId } = run.settings.sources;
  return [
    { operationId: "CreateImage", method: "POST", target: "/v2/cloudimages/action", body: { name: "ims_verify_auth", instance_id: instanceId } },
    { operationId: "CreateImageInSafeMode", method: "POST", target: "/v2.1/cloudimages/action", body: { name: "ims_verify_auth", instance_id: instanceId } },
    { operationId: "ShowJob", method: "GET", target: `/v1/${project}/jobs/${ids.jobId}` },
    { operationId: "ShowJobProgress", method: "GET", target: `/v1/cloudimages/job/${ids.jobId}` },
    { operationId: "ListImages", method: "GET", target: "/v2/cloudimages?limit=1" },
    { operationId: "GlanceShowImage", method: "GET", target: `/v2/images/${ids.imageId}` },
    { operationId: "UpdateImage", method: "PATCH", target: `/v2/cloudimages/${ids.imageId}`, body: [{ op: "replace", path: "/name", value: "ims_verify_auth" }] },
    { operationId: "GlanceUpdateImage", method: "PATCH", target: `/v2/images/${ids.imageId}`, body: [{ op: "replace", path: "/name", value: "ims_verify_auth" }], contentType: "application/openstack-images-v2.1-json-patch" },
    { operationId: "GlanceDeleteImage", method: "DELETE", target: `/v2/images/${ids.imageId}` },
    { operationId: "ListImageTags", method: "GET", target: `/v2/${project}/images/${ids.imageId}/tags` },
    { operationId: "BatchAddOrDeleteTags", method: "POST", target: `/v2/${project}/images/${ids.imageId}/tags/action`, body: { action: "create", tags: [{ key: "ims_verify", value: "auth" }] } },
    { operationId: "ShowImageQuota", method: "GET", target: "/v1/cloudimages/quota" },
  ];
}

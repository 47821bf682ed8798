// Raw HTTP calls of the image operations, as a consumer that has no client of ours makes them.
import { PROJECT_ID, TOKEN_HEADERS, type RunningStub } from "./stub.ts";

export type Answer = { status: number; body: any; headers: Headers };

export async function call(stub: RunningStub, method: string, path: string, body?: unknown, headers: Record<string, string> = TOKEN_HEADERS): Promise<Answer> {
  const response = await fetch(`${stub.url}${path}`, { method, headers, ...(body !== undefined && { body: typeof body === "string" ? body : JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

/** Creates, reads the job once, and returns the image IDs of its SUCCESS (the stub must finish jobs at once). */
export async function createImages(stub: RunningStub, body: unknown, headers: Record<string, string> = TOKEN_HEADERS): Promise<{ jobId: string; imageIds: string[] }> {
  const created = await call(stub, "POST", "/v2/cloudimages/action", body, headers);
  if (created.status !== 200) throw new Error(`create answered ${created.status}: ${JSON.stringify(created.body)}`);
  const job = await call(stub, "GET", `/v1/${PROJECT_ID}/jobs/${created.body.job_id}`, undefined, headers);
  const entities = job.body.entities;
  const imageIds = [entities.image_id, ...(entities.sub_jobs_result ?? []).map((sub: any) => sub.entities.image_id)].filter(Boolean);
  return { jobId: created.body.job_id, imageIds };
}

export const imagesById = (stub: RunningStub, id: string) => call(stub, "GET", `/v2/cloudimages?id=${id}`);
export const tagsPath = (imageId: string, projectId = PROJECT_ID) => `/v2/${projectId}/images/${imageId}/tags`;

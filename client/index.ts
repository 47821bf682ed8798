// A typed client for IMS CreateImage and its job: openapi-fetch over the generated types, plus what
// openapi-fetch leaves out on purpose: both auth schemes, thrown errors, and a job waiter.
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "../generated/openapi.js";
import { signRequest } from "./aksk.js";
import { ImsError, ImsNetworkError } from "./errors.js";
import { waitForJob, type Job, type WaitOptions, type WaitResult } from "./waiter.js";

export { ImsError, ImsNetworkError } from "./errors.js";
export { backoffDelay, imageIdsOf, type Job, type WaitOptions, type WaitResult, type WaitState } from "./waiter.js";
export * as aksk from "./aksk.js";

type Schemas = components["schemas"];

type KeysOfUnion<T> = T extends unknown ? keyof T : never;
/** Each member, with the keys of the other members forbidden: TypeScript unions are not exclusive otherwise. */
type Exclusive<T, All = T> = T extends unknown ? T & { [K in Exclude<KeysOfUnion<All>, keyof T>]?: never } : never;
/** `tags` or `image_tags`, never both. */
type OneTagFormat<T> = T extends unknown ? (Omit<T, "image_tags"> & { image_tags?: never }) | (Omit<T, "tags"> & { tags?: never }) : never;
type ItemOf<T> = T extends readonly (infer I)[] ? I : never;
type WithExclusiveItems<T> = {
  [K in keyof T]: K extends "data_images" ? ([NonNullable<T[K]>] extends [never] ? T[K] : OneTagFormat<ItemOf<NonNullable<T[K]>>>[]) : T[K];
};

/**
 * The CreateImage body: exactly one of the request bodies, so that a body mixing two sources, an unknown key,
 * or `tags` with `image_tags` does not compile.
 */
export type CreateImageBody = OneTagFormat<
  WithExclusiveItems<
    Exclusive<Schemas["CreateSystemImageFromServer"] | Schemas["CreateDataImagesFromServer"] | Schemas["CreateImageFromFile"] | Schemas["CreateSystemImageFromVolume"]>
  >
>;

export type ImsAuth = { token: string; projectId?: string } | { ak: string; sk: string; projectId: string };

export type ImsClientOptions = {
  /** The service root, for example `https://ims.cn-north-4.myhuaweicloud.com` or the stub's `http://127.0.0.1:8080`. */
  endpoint: string;
  auth: ImsAuth;
  /** A fetch implementation; the global fetch by default. */
  fetch?: typeof globalThis.fetch;
};

export type CallOptions = { signal?: AbortSignal };

export type ImsClient = {
  /** Starts a create; resolves to its job ID. Throws ImsError for an error answer, ImsNetworkError for no answer. */
  createImage(body: CreateImageBody, options?: CallOptions): Promise<Schemas["JobCreated"]>;
  /** ShowJob, `GET /v1/{project_id}/jobs/{job_id}`: needs the project ID (from the AK/SK auth, or `auth.projectId`). */
  showJob(jobId: string, options?: CallOptions): Promise<Job>;
  /** ShowJobProgress, `GET /v1/cloudimages/job/{job_id}`. */
  showJobProgress(jobId: string, options?: CallOptions): Promise<Job>;
  /** Polls the job until it ends, the deadline passes or the signal aborts. Uses ShowJob when the project is known. */
  waitForJob(jobId: string, options: WaitOptions): Promise<WaitResult>;
  /** Creates and waits; resolves on SUCCESS, rejects with JobWaitError otherwise. */
  createImageAndWait(body: CreateImageBody, options: WaitOptions): Promise<{ jobId: string; job: Job; imageIds: string[]; polls: number }>;
  /** The underlying openapi-fetch client, with auth applied, for anything else. */
  raw: Client<paths>;
};

/** A create-and-wait whose job did not succeed. */
export class JobWaitError extends Error {
  override readonly name = "JobWaitError";
  constructor(
    readonly jobId: string,
    readonly result: WaitResult,
  ) {
    super(`job ${jobId} ended ${result.state}: ${result.reason}`);
  }
}

function authMiddleware(auth: ImsAuth): Middleware {
  return {
    async onRequest({ request }) {
      if ("token" in auth) {
        request.headers.set("X-Auth-Token", auth.token);
        return request;
      }
      const body = request.body ? new Uint8Array(await request.clone().arrayBuffer()) : undefined;
      await signRequest({ method: request.method, url: request.url, headers: request.headers, body, ak: auth.ak, sk: auth.sk, projectId: auth.projectId });
      return request;
    },
  };
}

export function createImsClient(options: ImsClientOptions): ImsClient {
  const raw = createClient<paths>({ baseUrl: options.endpoint.replace(/\/+$/, ""), ...(options.fetch && { fetch: options.fetch }) });
  raw.use(authMiddleware(options.auth));
  const projectId = options.auth.projectId;

  async function call<T>(send: () => Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
    let outcome: Awaited<ReturnType<typeof send>>;
    try {
      outcome = await send();
    } catch (error) {
      if ((error as Error)?.name === "AbortError") throw error;
      throw new ImsNetworkError(`IMS request failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
    if (outcome.error !== undefined || !outcome.response.ok || outcome.data === undefined) {
      throw ImsError.fromResponse(outcome.response, outcome.error);
    }
    return outcome.data;
  }

  const client: ImsClient = {
    raw,
    createImage: (body, { signal } = {}) =>
      call(() => raw.POST("/v2/cloudimages/action", { body: body as Schemas["CreateImageRequestBody"], ...(signal && { signal }) })),
    showJob(jobId, { signal } = {}) {
      if (!projectId) return Promise.reject(new TypeError("showJob needs a project ID: give auth.projectId, or use showJobProgress"));
      return call(() => raw.GET("/v1/{project_id}/jobs/{job_id}", { params: { path: { project_id: projectId, job_id: jobId } }, ...(signal && { signal }) })) as Promise<Job>;
    },
    // openapi-fetch 0.17 drops properties typed exactly `null` (error_code while a job runs) from response types;
    // the contract's own Job type keeps them.
    showJobProgress: (jobId, { signal } = {}) =>
      call(() => raw.GET("/v1/cloudimages/job/{job_id}", { params: { path: { job_id: jobId } }, ...(signal && { signal }) })) as Promise<Job>,
    waitForJob(jobId, waitOptions) {
      const read = projectId ? client.showJob : client.showJobProgress;
      return waitForJob((signal) => read(jobId, signal ? { signal } : {}), waitOptions);
    },
    async createImageAndWait(body, waitOptions) {
      const { job_id: jobId } = await client.createImage(body, waitOptions.signal ? { signal: waitOptions.signal } : {});
      const result = await client.waitForJob(jobId, waitOptions);
      if (result.state !== "SUCCESS" || !result.job) throw new JobWaitError(jobId, result);
      return { jobId, job: result.job, imageIds: result.imageIds, polls: result.polls };
    },
  };
  return client;
}

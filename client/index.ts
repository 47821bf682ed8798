// A typed client for IMS CreateImage, its job and the image it makes: openapi-fetch over the generated types,
// plus what openapi-fetch leaves out on purpose: both auth schemes, thrown errors, waiters and paging.
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "../generated/openapi.js";
import { signRequest } from "./aksk.js";
import { checkCallOptions, checkClientOptions, checkCreateImageBody, checkImageId, checkJobId } from "./checks.js";
import { ImsError, ImsNetworkError } from "./errors.js";
import { errorFromFailure, errorFromResponse } from "./retry-errors.js";
import { retryPolicy, withRetries, type RetryOptions } from "./retry.js";
import { checkWaitOptions, pollUntil, waitForJob, type Job, type PollResult, type WaitOptions, type WaitResult } from "./waiter.js";

export { describeNetworkFailure, ImsError, ImsNetworkError, type NetworkFailure, type NetworkFailureKind } from "./errors.js";
export { ImsConnectionResetError, ImsMalformedResponseError, ImsThrottledError, mayHaveBeenCarriedOut, retryAfterSeconds } from "./retry-errors.js";
export { isTransient, retryDelay, type RetryDecision, type RetryOptions } from "./retry.js";
export { backoffDelay, imageIdsOf, type Job, type PollResult, type WaitOptions, type WaitResult, type WaitState } from "./waiter.js";
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

export type Image = Schemas["Image"];
export type ImageTag = Schemas["ImageTag"];
export type ImagePatch = Schemas["UpdateImageRequestBody"];
/** OpenStack's native update takes UpdateImage's changes and `/min_disk` besides. */
export type NativeImagePatch = Schemas["GlanceUpdateImageRequestBody"];
export type ImageQuota = Schemas["ImageQuota"];
export type ListImagesQuery = NonNullable<paths["/v2/cloudimages"]["get"]["parameters"]["query"]>;

/** Options of a wait on an image: a job waiter's, with the image read at each poll. */
export type ImageWaitOptions = Omit<WaitOptions, "onProgress"> & { onProgress?: (image: Image | undefined) => void };

export type ImsAuth = { token: string; projectId?: string } | { ak: string; sk: string; projectId: string };

export type ImsClientOptions = {
  /** The service root, for example `https://ims.cn-north-4.myhuaweicloud.com` or the stub's `http://127.0.0.1:8080`. */
  endpoint: string | URL;
  auth: ImsAuth;
  /** A fetch implementation; the global fetch by default. */
  fetch?: typeof globalThis.fetch;
  /**
   * How reads (every GET) are sent again after a transient failure: throttled (honouring `Retry-After`),
   * connection lost, body cut off, 500/502/503/504. `false` sends each once. Creates are never sent again
   * by the client on its own (see CreateOptions.retry).
   */
  retry?: RetryOptions | false;
};

export type CallOptions = { signal?: AbortSignal };
export type CreateOptions = CallOptions & {
  /** Send the create to the v2.1 path (CreateImageInSafeMode, `POST /v2.1/cloudimages/action`): same body, same job. */
  safeMode?: boolean;
  /**
   * Whether to send a failed create again, asked after each failure (at most `retry.maxAttempts` in all, with
   * backoff and `Retry-After`). The client never decides this alone: a create that got no answer may have
   * started a job, and another makes a second image. `mayHaveBeenCarriedOut(error)` tells the two cases apart;
   * a throttle (ImsThrottledError) never was.
   */
  retry?: (error: ImsError | ImsNetworkError, attempt: number) => boolean | Promise<boolean>;
};

/** Marks a read made by a waiter, which retries in its own loop (and within its own deadline): one attempt. */
const SINGLE_ATTEMPT = Symbol("single attempt");
type InternalCallOptions = CallOptions & { [SINGLE_ATTEMPT]?: true };

export type ImsClient = {
  /**
   * Starts a create; resolves to its job ID. Throws ImsError for an error answer, ImsNetworkError for no answer.
   * Never sent again on the client's own say (a repeated create makes a second image): only when `options.retry` says so.
   */
  createImage(body: CreateImageBody, options?: CreateOptions): Promise<Schemas["JobCreated"]>;
  /** ShowJob, `GET /v1/{project_id}/jobs/{job_id}`: needs the project ID (from the AK/SK auth, or `auth.projectId`). */
  showJob(jobId: string, options?: CallOptions): Promise<Job>;
  /** ShowJobProgress, `GET /v1/cloudimages/job/{job_id}`. */
  showJobProgress(jobId: string, options?: CallOptions): Promise<Job>;
  /** Polls the job until it ends, the deadline passes or the signal aborts. Uses ShowJob when the project is known. */
  waitForJob(jobId: string, options: WaitOptions): Promise<WaitResult>;
  /** Creates and waits; resolves on SUCCESS, rejects with JobWaitError otherwise. */
  createImageAndWait(body: CreateImageBody, options: WaitOptions): Promise<{ jobId: string; job: Job; imageIds: string[]; polls: number }>;
  /**
   * Creates, waits for the job, then reads each image it made (ListImages `?id=`): for callers who want the
   * images themselves (`status: "active"`), not only their IDs. Rejects with JobWaitError when the job does not succeed.
   */
  createImageAndWaitForImages(body: CreateImageBody, options: WaitOptions): Promise<{ jobId: string; job: Job; images: Image[]; polls: number }>;
  /** ListImages, `GET /v2/cloudimages`: one page (at most `limit` images, 500 by default; an empty page after the last). */
  listImages(query?: ListImagesQuery, options?: CallOptions): Promise<Image[]>;
  /** Every image that matches, page after page (marker = the last ID) until a page is empty. */
  listAllImages(query?: Omit<ListImagesQuery, "marker" | "limit">, options?: CallOptions & { pageSize?: number }): AsyncIterableIterator<Image>;
  /** The image with this ID (ListImages `?id=`, as Terraform reads it), or undefined when there is none. */
  findImage(imageId: string, options?: CallOptions): Promise<Image | undefined>;
  /** GlanceShowImage, `GET /v2/images/{image_id}`: the image, or ImsError with status 404. */
  showImage(imageId: string, options?: CallOptions): Promise<Image>;
  /**
   * UpdateImage, `PATCH /v2/cloudimages/{image_id}`: applies the JSON-patch, resolves to the updated image. With
   * `native: true`, OpenStack's GlanceUpdateImage (`PATCH /v2/images/{image_id}`), which also takes `/min_disk`.
   */
  updateImage: {
    (imageId: string, changes: ImagePatch, options?: CallOptions & { native?: false }): Promise<Image>;
    (imageId: string, changes: NativeImagePatch, options: CallOptions & { native: true }): Promise<Image>;
  };
  /** GlanceDeleteImage, `DELETE /v2/images/{image_id}`. */
  deleteImage(imageId: string, options?: CallOptions): Promise<void>;
  /** ListImageTags: the image's `{key, value}` tags (needs the project ID). */
  listImageTags(imageId: string, options?: CallOptions): Promise<ImageTag[]>;
  /** BatchAddOrDeleteTags: adds (or changes) or deletes tags (needs the project ID). */
  changeImageTags(imageId: string, action: "create" | "delete", tags: ImageTag[], options?: CallOptions): Promise<void>;
  /** ShowImageQuota, `GET /v1/cloudimages/quota`. */
  showImageQuota(options?: CallOptions): Promise<ImageQuota>;
  /** Polls the image until it is `active` (SUCCESS), `killed` or gone (FAILURE), the deadline passes or the signal aborts. */
  waitForImageActive(imageId: string, options: ImageWaitOptions): Promise<PollResult<Image | undefined>>;
  /** Polls until a deleted image is gone from ListImages `?id=` (SUCCESS), the deadline passes or the signal aborts. */
  waitForImageDeleted(imageId: string, options: ImageWaitOptions): Promise<PollResult<Image | undefined>>;
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

/**
 * Turns a fetch that got no answer into an ImsNetworkError that says why, with the request's method and URL.
 * An abort the caller asked for stays the AbortError it is.
 */
const networkErrors: Middleware = {
  onError({ request, error }) {
    if ((error as Error)?.name === "AbortError") return undefined;
    return ImsNetworkError.fromFetchError(error, request);
  },
};

export function createImsClient(options: ImsClientOptions): ImsClient {
  const checked = checkClientOptions(options);
  const raw = createClient<paths>({ baseUrl: checked.endpoint, ...(checked.fetch && { fetch: checked.fetch }) });
  raw.use(authMiddleware(options.auth), networkErrors);
  const projectId = options.auth.projectId;
  const readRetry = retryPolicy(options.retry);

  /** The project ID a path needs; the calls that need one refuse at once without it. */
  function projectFor(method: string): string {
    if (!projectId) throw new TypeError(`${method} needs a project ID: give auth.projectId`);
    return projectId;
  }

  /** A call whose success has no body (204). */
  async function callNoContent(operation: string, send: () => Promise<{ error?: unknown; response: Response }>): Promise<void> {
    await call(operation, async () => {
      const outcome = await send();
      return { ...outcome, data: outcome.response.ok ? true : undefined };
    });
  }

  async function call<T>(operation: string, send: () => Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
    let outcome: Awaited<ReturnType<typeof send>>;
    try {
      outcome = await send();
    } catch (error) {
      if ((error as Error)?.name === "AbortError") throw error;
      // No answer, or one whose body could not be read (not JSON, or cut short): said as precisely as it can be.
      throw errorFromFailure(error, operation);
    }
    if (outcome.error !== undefined || !outcome.response.ok || outcome.data === undefined) {
      throw errorFromResponse(outcome.response, outcome.error);
    }
    return outcome.data;
  }

  /** A GET: idempotent, so sent again after a transient failure (not for a waiter, which retries itself). */
  function read<T>(operation: string, send: () => Promise<{ data?: T; error?: unknown; response: Response }>, options: InternalCallOptions | undefined): Promise<T> {
    if (options?.[SINGLE_ATTEMPT]) return call(operation, send);
    return withRetries(() => call(operation, send), readRetry, options?.signal ? { signal: options.signal } : {});
  }

  const client: ImsClient = {
    raw,
    async createImage(body, callOptions) {
      checkCreateImageBody("createImage", body);
      checkCallOptions("createImage", callOptions, ["safeMode", "retry"]);
      const signal = callOptions?.signal;
      const retry = callOptions?.retry;
      if (retry !== undefined && typeof retry !== "function") throw new TypeError(`createImage: options.retry must be a function (error, attempt) => boolean (got ${typeof retry})`);
      const path = callOptions?.safeMode ? "/v2.1/cloudimages/action" : "/v2/cloudimages/action";
      const send = () => call(`POST ${path}`, () => raw.POST(path, { body: body as Schemas["CreateImageRequestBody"], ...(signal && { signal }) }));
      if (!retry) return send();
      // Only an answer or a failure of the request is the caller's to judge; anything else (an abort) ends the call.
      const shouldRetry = (error: unknown, attempt: number) => (error instanceof ImsError || error instanceof ImsNetworkError) && retry(error, attempt);
      return withRetries(send, readRetry, { ...(signal && { signal }), shouldRetry });
    },
    async showJob(jobId, callOptions) {
      checkJobId("showJob", jobId);
      checkCallOptions("showJob", callOptions);
      if (!projectId) throw new TypeError("showJob needs a project ID: give auth.projectId, or use showJobProgress");
      const signal = callOptions?.signal;
      return read(
        "GET /v1/{project_id}/jobs/{job_id}",
        () => raw.GET("/v1/{project_id}/jobs/{job_id}", { params: { path: { project_id: projectId, job_id: jobId } }, ...(signal && { signal }) }),
        callOptions,
      ) as Promise<Job>;
    },
    // openapi-fetch 0.17 drops properties typed exactly `null` (error_code while a job runs) from response types;
    // the contract's own Job type keeps them.
    async showJobProgress(jobId, callOptions) {
      checkJobId("showJobProgress", jobId);
      checkCallOptions("showJobProgress", callOptions);
      const signal = callOptions?.signal;
      return read("GET /v1/cloudimages/job/{job_id}", () => raw.GET("/v1/cloudimages/job/{job_id}", { params: { path: { job_id: jobId } }, ...(signal && { signal }) }), callOptions) as Promise<Job>;
    },
    async waitForJob(jobId, waitOptions) {
      checkJobId("waitForJob", jobId);
      const readJob = projectId ? client.showJob : client.showJobProgress;
      return waitForJob((signal) => readJob(jobId, { ...(signal && { signal }), [SINGLE_ATTEMPT]: true } as InternalCallOptions), waitOptions);
    },
    async createImageAndWait(body, waitOptions) {
      // Checked before the create: a wait that cannot start must not leave an image being made.
      checkCreateImageBody("createImageAndWait", body);
      checkWaitOptions("createImageAndWait", waitOptions);
      const { job_id: jobId } = await client.createImage(body, waitOptions.signal ? { signal: waitOptions.signal } : {});
      const result = await client.waitForJob(jobId, waitOptions);
      if (result.state !== "SUCCESS" || !result.job) throw new JobWaitError(jobId, result);
      return { jobId, job: result.job, imageIds: result.imageIds, polls: result.polls };
    },
    async createImageAndWaitForImages(body, waitOptions) {
      const { jobId, job, imageIds, polls } = await client.createImageAndWait(body, waitOptions);
      const signal = waitOptions.signal;
      const images = await Promise.all(imageIds.map((id) => client.findImage(id, signal ? { signal } : {})));
      return { jobId, job, polls, images: images.filter((image): image is Image => image !== undefined) };
    },
    async listImages(query = {}, callOptions) {
      checkCallOptions("listImages", callOptions);
      const signal = callOptions?.signal;
      const page = await read("GET /v2/cloudimages", () => raw.GET("/v2/cloudimages", { params: { query }, ...(signal && { signal }) }), callOptions);
      return page.images as Image[];
    },
    async *listAllImages(query = {}, callOptions) {
      checkCallOptions("listAllImages", callOptions, ["pageSize"]);
      const { signal, pageSize = 500 } = callOptions ?? {};
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw new RangeError(`listAllImages: options.pageSize must be a whole number from 1 to 1000 (got ${pageSize})`);
      let marker: string | undefined;
      for (;;) {
        const page = await client.listImages({ ...query, limit: pageSize, ...(marker && { marker }) }, signal ? { signal } : {});
        if (page.length === 0) return;
        yield* page;
        marker = page.at(-1)!.id;
      }
    },
    async findImage(imageId, callOptions) {
      checkImageId("findImage", imageId);
      const page = await client.listImages({ id: imageId }, callOptions);
      return page.find((image) => image.id === imageId);
    },
    async showImage(imageId, callOptions) {
      checkImageId("showImage", imageId);
      checkCallOptions("showImage", callOptions);
      const signal = callOptions?.signal;
      return read("GET /v2/images/{image_id}", () => raw.GET("/v2/images/{image_id}", { params: { path: { image_id: imageId } }, ...(signal && { signal }) }), callOptions) as Promise<Image>;
    },
    updateImage: (async (imageId: string, changes: NativeImagePatch, callOptions?: CallOptions & { native?: boolean }) => {
      checkImageId("updateImage", imageId);
      checkCallOptions("updateImage", callOptions, ["native"]);
      if (!Array.isArray(changes)) throw new TypeError(`updateImage: changes must be an array of { op, path, value } (got ${typeof changes})`);
      const signal = callOptions?.signal;
      const params = { path: { image_id: imageId } };
      return callOptions?.native
        ? call("PATCH /v2/images/{image_id}", () => raw.PATCH("/v2/images/{image_id}", { params, body: changes, ...(signal && { signal }) }))
        : call("PATCH /v2/cloudimages/{image_id}", () => raw.PATCH("/v2/cloudimages/{image_id}", { params, body: changes as ImagePatch, ...(signal && { signal }) }));
    }) as ImsClient["updateImage"],
    async deleteImage(imageId, callOptions) {
      checkImageId("deleteImage", imageId);
      checkCallOptions("deleteImage", callOptions);
      const signal = callOptions?.signal;
      await callNoContent("DELETE /v2/images/{image_id}", () => raw.DELETE("/v2/images/{image_id}", { params: { path: { image_id: imageId } }, ...(signal && { signal }) }));
    },
    async listImageTags(imageId, callOptions) {
      checkImageId("listImageTags", imageId);
      checkCallOptions("listImageTags", callOptions);
      const project = projectFor("listImageTags");
      const signal = callOptions?.signal;
      const path = { project_id: project, image_id: imageId };
      const { tags } = await read("GET /v2/{project_id}/images/{image_id}/tags", () => raw.GET("/v2/{project_id}/images/{image_id}/tags", { params: { path }, ...(signal && { signal }) }), callOptions);
      return tags;
    },
    async changeImageTags(imageId, action, tags, callOptions) {
      checkImageId("changeImageTags", imageId);
      checkCallOptions("changeImageTags", callOptions);
      if (action !== "create" && action !== "delete") throw new TypeError(`changeImageTags: action must be "create" or "delete" (got ${JSON.stringify(action)})`);
      const project = projectFor("changeImageTags");
      const signal = callOptions?.signal;
      const path = { project_id: project, image_id: imageId };
      await callNoContent("POST /v2/{project_id}/images/{image_id}/tags/action", () =>
        raw.POST("/v2/{project_id}/images/{image_id}/tags/action", { params: { path }, body: { action, tags }, ...(signal && { signal }) }),
      );
    },
    async showImageQuota(callOptions) {
      checkCallOptions("showImageQuota", callOptions);
      const signal = callOptions?.signal;
      return read("GET /v1/cloudimages/quota", () => raw.GET("/v1/cloudimages/quota", { ...(signal && { signal }) }), callOptions);
    },
    async waitForImageActive(imageId, waitOptions) {
      checkImageId("waitForImageActive", imageId);
      // An image not listed yet right after its create is not gone: the same grace as a job's 404.
      const graceEnds = Date.now() + (checkWaitOptions("waitForImageActive", waitOptions).notFoundGraceTime) * 1000;
      return pollUntil(
        (signal) => client.findImage(imageId, { ...(signal && { signal }), [SINGLE_ATTEMPT]: true } as InternalCallOptions),
        (image) => {
          if (image?.status === "active") return { state: "SUCCESS", reason: "the image is active" };
          if (image === undefined) return Date.now() < graceEnds ? undefined : { state: "FAILURE", reason: `image ${imageId} is gone (its job failed, or it was deleted)` };
          if (image.status === "killed" || image.status === "deleted") return { state: "FAILURE", reason: `the image is ${image.status}` };
          return undefined;
        },
        waitOptions,
        { method: "waitForImageActive", what: "the image did not become active", kindOf: (image) => image?.status ?? "gone" },
      );
    },
    async waitForImageDeleted(imageId, waitOptions) {
      checkImageId("waitForImageDeleted", imageId);
      return pollUntil(
        (signal) => client.findImage(imageId, { ...(signal && { signal }), [SINGLE_ATTEMPT]: true } as InternalCallOptions),
        (image) => (image === undefined ? { state: "SUCCESS", reason: "the image is gone" } : undefined),
        waitOptions,
        { method: "waitForImageDeleted", what: "the image was not gone", kindOf: (image) => image?.status ?? "gone" },
      );
    },
  };
  return client;
}

// A typed client for IMS CreateImage and its job: openapi-fetch over the generated types, plus what
// openapi-fetch leaves out on purpose: both auth schemes, thrown errors, and a job waiter.
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "../generated/openapi.js";
import { signRequest } from "./aksk.js";
import { checkCallOptions, checkClientOptions, checkCreateImageBody, checkJobId } from "./checks.js";
import { describeNetworkFailure, ImsError, ImsNetworkError } from "./errors.js";
import { checkWaitOptions, waitForJob, type Job, type WaitOptions, type WaitResult } from "./waiter.js";

export { describeNetworkFailure, ImsError, ImsNetworkError, type NetworkFailure, type NetworkFailureKind } from "./errors.js";
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
  endpoint: string | URL;
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

  async function call<T>(operation: string, send: () => Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
    let outcome: Awaited<ReturnType<typeof send>>;
    try {
      outcome = await send();
    } catch (error) {
      if (error instanceof ImsNetworkError || (error as Error)?.name === "AbortError") throw error;
      // An answer came, but its body could not be read: not JSON, or cut short.
      const { kind, code, detail } =
        error instanceof SyntaxError ? { kind: "invalid-response" as const, code: undefined, detail: `its body is not JSON (${error.message})` } : describeNetworkFailure(error);
      throw new ImsNetworkError(`IMS request ${operation} got no usable answer: ${detail}`, { cause: error, kind, ...(code !== undefined && { code }) });
    }
    if (outcome.error !== undefined || !outcome.response.ok || outcome.data === undefined) {
      throw ImsError.fromResponse(outcome.response, outcome.error);
    }
    return outcome.data;
  }

  const client: ImsClient = {
    raw,
    async createImage(body, callOptions) {
      checkCreateImageBody("createImage", body);
      checkCallOptions("createImage", callOptions);
      const signal = callOptions?.signal;
      return call("POST /v2/cloudimages/action", () => raw.POST("/v2/cloudimages/action", { body: body as Schemas["CreateImageRequestBody"], ...(signal && { signal }) }));
    },
    async showJob(jobId, callOptions) {
      checkJobId("showJob", jobId);
      checkCallOptions("showJob", callOptions);
      if (!projectId) throw new TypeError("showJob needs a project ID: give auth.projectId, or use showJobProgress");
      const signal = callOptions?.signal;
      return call("GET /v1/{project_id}/jobs/{job_id}", () =>
        raw.GET("/v1/{project_id}/jobs/{job_id}", { params: { path: { project_id: projectId, job_id: jobId } }, ...(signal && { signal }) }),
      ) as Promise<Job>;
    },
    // openapi-fetch 0.17 drops properties typed exactly `null` (error_code while a job runs) from response types;
    // the contract's own Job type keeps them.
    async showJobProgress(jobId, callOptions) {
      checkJobId("showJobProgress", jobId);
      checkCallOptions("showJobProgress", callOptions);
      const signal = callOptions?.signal;
      return call("GET /v1/cloudimages/job/{job_id}", () => raw.GET("/v1/cloudimages/job/{job_id}", { params: { path: { job_id: jobId } }, ...(signal && { signal }) })) as Promise<Job>;
    },
    async waitForJob(jobId, waitOptions) {
      checkJobId("waitForJob", jobId);
      const read = projectId ? client.showJob : client.showJobProgress;
      return waitForJob((signal) => read(jobId, signal ? { signal } : {}), waitOptions);
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
  };
  return client;
}

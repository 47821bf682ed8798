// The provider under verification, as one HTTP client: it authenticates as the caller (a token, or an AK/SK
// signature made per request), times each request out, keeps every exchange for the report, and remembers every
// job a create started, so that what a run made can be deleted at its end.
import { signRequest } from "../../client/aksk.js";
import { describeNetworkFailure } from "../../client/errors.js";

export type Credentials = { token: string } | { ak: string; sk: string };

/**
 * How a request authenticates: as the caller, with nothing, signed with the caller's AK but a wrong secret key,
 * or signed by an access key no IAM issued (what a provider that never checks signatures would take).
 */
export type AuthMode = "caller" | "none" | "wrong" | "forged";

const FORGED = { ak: "IMSVERIFYUNKNOWNAK00", sk: "ims-verify-secret-key-no-iam-issued" };

export type Exchange = {
  method: string;
  /** The path and query, as sent. */
  target: string;
  operationId: string | undefined;
  requestContentType?: string;
  requestBody?: string;
  status: number;
  contentType: string | undefined;
  /** The Content-Length header: fetch gives no body of a 204, so this is how a 204 with one shows. */
  contentLength: number | undefined;
  text: string;
  /** The body, when it is JSON. */
  json: unknown;
  /** Set when no answer came: the request's network failure. */
  failure?: string;
};

export type RequestOptions = {
  body?: unknown;
  /** A body sent as it is (for malformed JSON), in place of `body`. */
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
  auth?: AuthMode;
};

/**
 * Runs a request with a signal that times it out. The timer is a referenced one, unlike AbortSignal.timeout's:
 * when a server closes a connection before answering, Node's fetch can wait with nothing else keeping the process
 * alive, and the command would end without a word instead of reporting the time-out.
 */
export async function withTimeout<T>(ms: number, request: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${ms / 1000} s`, "TimeoutError")), ms);
  try {
    return await request(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

const CREATE_PATHS = new Set(["/v2/cloudimages/action", "/v2.1/cloudimages/action"]);

export class Provider {
  readonly exchanges: Exchange[] = [];
  /** Every job a create answered, in order: what the run may have made. */
  readonly startedJobs: string[] = [];

  constructor(
    readonly base: URL,
    readonly credentials: Credentials,
    readonly projectId: string,
    readonly requestTimeoutMs: number,
    private readonly operationOf: (method: string, path: string) => string | undefined,
  ) {}

  get usesAksk(): boolean {
    return "ak" in this.credentials;
  }

  /** Sends one request and records the exchange; a network failure is recorded as status 0 with its reason. */
  async request(method: string, target: string, options: RequestOptions = {}): Promise<Exchange> {
    const url = new URL(target, this.base);
    const headers = new Headers(options.headers);
    let body: string | undefined = options.rawBody;
    if (body === undefined && options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && !headers.has("content-type")) headers.set("Content-Type", options.contentType ?? "application/json");
    await this.authenticate(method, url, headers, body, options.auth ?? "caller");
    const exchange: Exchange = {
      method,
      target: `${url.pathname}${url.search}`,
      operationId: this.operationOf(method, url.pathname),
      ...(body !== undefined && { requestBody: body, requestContentType: headers.get("content-type") ?? undefined }),
      status: 0,
      contentType: undefined,
      contentLength: undefined,
      text: "",
      json: undefined,
    };
    try {
      await withTimeout(this.requestTimeoutMs, async (signal) => {
        const res = await fetch(url, { method, headers, body, signal, redirect: "manual" });
        exchange.status = res.status;
        exchange.contentType = res.headers.get("content-type") ?? undefined;
        const length = res.headers.get("content-length");
        exchange.contentLength = length === null ? undefined : Number(length);
        exchange.text = await res.text();
      });
      try {
        exchange.json = exchange.text ? JSON.parse(exchange.text) : undefined;
      } catch {}
    } catch (error) {
      exchange.failure = describeNetworkFailure(error).detail;
    }
    this.remember(exchange);
    return exchange;
  }

  /** Keeps an exchange (made here or by the workflow runner's forwarder) and the job a create started. */
  remember(exchange: Exchange): void {
    this.exchanges.push(exchange);
    const path = exchange.target.split("?", 1)[0]!;
    const jobId = (exchange.json as { job_id?: unknown } | undefined)?.job_id;
    if (exchange.method === "POST" && CREATE_PATHS.has(path) && exchange.status >= 200 && exchange.status < 300 && typeof jobId === "string") {
      this.startedJobs.push(jobId);
    }
  }

  async authenticate(method: string, url: URL, headers: Headers, body: string | undefined, mode: AuthMode): Promise<void> {
    if (mode === "none") return;
    if (mode === "forged") {
      await signRequest({ method, url, headers, body, ...FORGED, projectId: this.projectId });
      return;
    }
    if ("token" in this.credentials) {
      // A token no IAM issued: what a provider that checks tokens refuses (a stub that accepts any token, too).
      headers.set("X-Auth-Token", mode === "wrong" ? "ims-verify-token-that-no-iam-issued" : this.credentials.token);
      return;
    }
    const sk = mode === "wrong" ? `${this.credentials.sk}-wrong` : this.credentials.sk;
    await signRequest({ method, url, headers, body, ak: this.credentials.ak, sk, projectId: this.projectId });
  }
}

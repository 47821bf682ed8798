// The validating proxy (`ims-stub --upstream URL`): the stub's API, answered by another provider (the real IMS,
// another team's mock), with both directions checked against the contract. Requests were validated on the way
// in, as the stub validates them; here they are forwarded (re-signed for the upstream when they came signed
// with AK/SK: a signature covers the Host header), and the upstream's answer is checked against the documented
// response of its status. In warn mode every answer goes back as the upstream gave it, with its violations in
// `X-Contract-Violations`; in strict mode an off-contract answer becomes a 502.
import type { Request, Response } from "express";
import type { ValidateFunction } from "ajv";
import { signRequest } from "../../client/aksk.js";
import type { Caller, Credential, RequestWithBody } from "../http/auth.js";
import { CREATE_IMAGE_OPERATIONS, checkBeyondSchema } from "../ims/create-image/classify.js";
import { ImsError, sendImsError } from "../ims/errors.js";
import type { Handler } from "../http/handler.js";
import type { ImsOperationId } from "../ims/ims-handlers.js";
import { documentedResponses, schemaValidators, type OpenApiDocument, type ResponseObject } from "../contract/spec.js";

export type Violation = { location: "request" | "response"; path: string; message: string };

export type ProxySettings = {
  upstream: string;
  strict: boolean;
  timeoutMs: number;
  credentials: Map<string, Credential>;
  /**
   * Sign every request the proxy accepted with this key pair, in place of the caller's credentials: how
   * `ims-verify` lets a runner that cannot sign SDK-HMAC-SHA256 reach a provider that wants AK/SK.
   */
  signAs?: { ak: string; sk: string; projectId: string };
};

/** Headers that belong to one connection, not to the request or answer: never forwarded. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "host", "content-length"]);
/** Set anew for the upstream when a request is signed (again). */
const SIGNATURE_HEADERS = new Set(["authorization", "x-sdk-date", "x-project-id"]);
const MAX_RETAINED_VIOLATIONS = 1000;

type ResponseSchemas = Map<string, Map<number, { component?: string; contentType: string | undefined }>>;

/** operationId → status → the content type and component schema of its answer, from the bundled contract. */
function responseSchemas(spec: OpenApiDocument): ResponseSchemas {
  const schemaOf = (response: ResponseObject) => {
    // A response documented without content (a 204) has no body and no content type to check.
    if (!response.content) return { contentType: undefined };
    const [contentType = "application/json", media] = Object.entries(response.content)[0] ?? [];
    const component = /^#\/components\/schemas\/(.+)$/.exec(media?.schema?.$ref ?? "")?.[1];
    return { contentType, ...(component && { component }) };
  };
  return new Map([...documentedResponses(spec)].map(([operationId, byStatus]) => [operationId, new Map([...byStatus].map(([status, response]) => [status, schemaOf(response)]))]));
}

export class ContractProxy {
  readonly violations: (Violation & { time: string; request_id: string; method: string; url: string })[] = [];
  private readonly responses: ResponseSchemas;
  private readonly validatorFor: (name: string) => ValidateFunction;
  private readonly base: URL;

  constructor(
    spec: OpenApiDocument,
    readonly settings: ProxySettings,
    private readonly log?: (entry: Record<string, string | number | undefined>) => void,
  ) {
    this.responses = responseSchemas(spec);
    this.validatorFor = schemaValidators(spec);
    this.base = new URL(settings.upstream);
  }

  clear(): void {
    this.violations.length = 0;
  }

  /** Forwards a request the stub accepted (or, in warn mode, refused with `requestViolations`) and answers with the upstream's answer. */
  async forward(req: Request, res: Response, operationId: string | undefined, requestViolations: Violation[]): Promise<void> {
    try {
      await this.exchange(req, res, operationId, requestViolations);
    } catch (error) {
      this.log?.({ time: new Date().toISOString(), level: "error", request_id: String(res.getHeader("X-Request-Id") ?? ""), error: (error as Error).message });
      if (!res.headersSent) sendImsError(res, new ImsError("IMG.0061", undefined, 500));
    }
  }

  private async exchange(req: Request, res: Response, operationId: string | undefined, requestViolations: Violation[]): Promise<void> {
    // The path and query exactly as they came, under the upstream's base path.
    const target = new URL(`${this.base.href.replace(/\/$/, "")}${req.originalUrl}`);
    const headers = new Headers();
    const signer = this.signerFor((req as Request & { caller?: Caller }).caller);
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      if (signer && (SIGNATURE_HEADERS.has(name) || (this.settings.signAs && name === "x-auth-token"))) continue;
      headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : (req as RequestWithBody).rawBody;
    if (signer) await signRequest({ method: req.method, url: target.href, headers, body, ...signer });

    let answer: globalThis.Response;
    let answerBody: Buffer;
    try {
      answer = await fetch(target, { method: req.method, headers, ...(body && { body: new Uint8Array(body) }), redirect: "manual", signal: AbortSignal.timeout(this.settings.timeoutMs) });
      answerBody = Buffer.from(await answer.arrayBuffer());
    } catch (error) {
      const timedOut = (error as Error).name === "TimeoutError";
      const why = timedOut ? `did not answer within ${this.settings.timeoutMs} ms` : `could not be reached or closed the connection (${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message})`;
      this.record(req, res, requestViolations);
      sendImsError(res, new ImsError("IMG.0061", `The upstream ${this.base.origin} ${why}.`, timedOut ? 504 : 502));
      return;
    }

    const violations = [...requestViolations, ...this.checkAnswer(operationId, answer.status, answer.headers.get("content-type"), answerBody)];
    this.record(req, res, violations);
    const responseViolations = violations.filter((v) => v.location === "response");
    if (this.settings.strict && responseViolations.length > 0) {
      const first = responseViolations[0]!;
      sendImsError(res, new ImsError("IMG.0061", `The upstream answered off the contract: ${first.path} ${first.message}.`, 502));
      return;
    }
    answer.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name) && name !== "content-encoding") res.setHeader(name, value);
    });
    res.status(answer.status).end(answerBody);
  }

  /** Whose key signs a request for the upstream: the caller's own (verified on the way in), or `signAs`; none for a token or an unauthenticated request. */
  private signerFor(caller: Caller | undefined): { ak: string; sk: string; projectId: string } | undefined {
    if (!caller) return undefined;
    if (this.settings.signAs) return this.settings.signAs;
    const credential = caller.scheme === "aksk" && caller.ak !== undefined ? this.settings.credentials.get(caller.ak) : undefined;
    return credential && { ak: caller.ak!, ...credential };
  }

  /** What is wrong with an upstream answer, measured against the documented response of its status. */
  checkAnswer(operationId: string | undefined, status: number, contentType: string | null, body: Buffer): Violation[] {
    if (!operationId) return [];
    const documented = this.responses.get(operationId)?.get(status);
    if (!documented) {
      const statuses = [...(this.responses.get(operationId)?.keys() ?? [])].join(", ");
      return [{ location: "response", path: "status", message: `${status} is not a documented status of ${operationId} (documented: ${statuses})` }];
    }
    if (documented.contentType === undefined) {
      return body.length === 0 ? [] : [{ location: "response", path: "body", message: `must be empty: ${operationId} documents no content for ${status}` }];
    }
    const type = (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();
    if (type !== documented.contentType) {
      return [{ location: "response", path: "content-type", message: `${contentType ?? "(none)"} is not the documented ${documented.contentType}` }];
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch {
      return [{ location: "response", path: "body", message: "is not valid JSON" }];
    }
    if (!documented.component) return [];
    const validate = this.validatorFor(documented.component);
    if (validate(json)) return [];
    return (validate.errors ?? []).map((error) => ({
      location: "response" as const,
      path: `body${error.instancePath}`,
      message: error.keyword === "additionalProperties" ? `must not have ${String(error.params.additionalProperty)}` : (error.message ?? "is invalid"),
    }));
  }

  private record(req: Request, res: Response, violations: Violation[]): void {
    if (violations.length === 0) return;
    res.setHeader("X-Contract-Violations", JSON.stringify(violations));
    const requestId = String(res.getHeader("X-Request-Id") ?? "");
    for (const violation of violations) {
      const entry = { time: new Date().toISOString(), request_id: requestId, method: req.method, url: req.originalUrl, ...violation };
      this.violations.push(entry);
      this.log?.({ level: "warn", ...entry });
    }
    if (this.violations.length > MAX_RETAINED_VIOLATIONS) this.violations.splice(0, this.violations.length - MAX_RETAINED_VIOLATIONS);
  }
}

/**
 * Every IMS operation of the contract, forwarded: no operation needs code of its own. A create's body is also held
 * to the rules a schema cannot state.
 */
export function proxyHandlers(proxy: ContractProxy, spec: OpenApiDocument): Record<ImsOperationId, Handler> {
  const forward: Handler = (req, res) => proxy.forward(req, res, res.locals.operationId as string, []);
  const forwardCreate: Handler = (req, res) => {
    const problem = checkBeyondSchema(req.body as Record<string, unknown>);
    if (problem && proxy.settings.strict) throw problem;
    return proxy.forward(req, res, res.locals.operationId as string, problem ? [{ location: "request", path: "body", message: problem.message }] : []);
  };
  const operationIds = [...documentedResponses(spec).keys()];
  return Object.fromEntries(operationIds.map((id) => [id, CREATE_IMAGE_OPERATIONS.has(id) ? forwardCreate : forward])) as Record<ImsOperationId, Handler>;
}

/** Whether warn mode forwards a request the stub refused: not one too large to read, nor a signature it cannot sign again. */
export function forwardsRefused(req: Request, status: number, errorType: string | undefined): boolean {
  if (errorType === "entity.too.large" || status === 413) return false;
  if (status === 401 || status === 403) return req.headers.authorization === undefined;
  return status >= 400 && status < 500;
}

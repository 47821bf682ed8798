// Mounts each operation of a contract as a plain Express route that walks its own steps: the caller's
// credentials (when the operation asks for them), the validator, then the handler its operationId names.
import type { NextFunction, RequestHandler, Response, Router } from "express";
import { cannedResponse, type ResponseExamples } from "../contract/canned-responses.js";
import type { OpenApiDocument } from "../contract/spec.js";
import { GatewayError } from "../ims/errors.js";
import { parsePrefer } from "../ims/prefer.js";
import { authenticate, schemeNotAccepted, type AuthSettings, type Caller, type RequestWithBody } from "./auth.js";
import type { Handler, StubRequest } from "./handler.js";

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

type OperationObject = { operationId?: string; security?: Record<string, string[]>[] };
export type MountedOperation = { method: "get"; expressPath: string; operationId: string; operation: OperationObject };

/** Each operation of a spec with its Express path (`{job_id}` becomes `:job_id`). */
function operationsOf(apiDoc: OpenApiDocument): MountedOperation[] {
  return Object.entries(apiDoc.paths).flatMap(([path, pathItem]) =>
    Object.entries(pathItem as Record<string, OperationObject>)
      .filter(([method, operation]) => HTTP_METHODS.has(method) && operation.operationId)
      .map(([method, operation]) => ({ method: method as "get", expressPath: path.replace(/\{([^}]+)\}/g, ":$1"), operationId: operation.operationId!, operation })),
  );
}

/**
 * Each operation is matched against its path once, then walks only what it needs. (The validator's
 * `operationHandlers` would put a second router with its own path-parameter callbacks in every request's way.)
 */
export function mountOperations(router: Router, apiDoc: OpenApiDocument, stepsFor: (operation: MountedOperation) => RequestHandler[]): void {
  for (const operation of operationsOf(apiDoc)) router[operation.method](operation.expressPath, ...stepsFor(operation));
}

/** The handler an operation ID names; a spec operation without one stops start-up. */
export function handlerFor(handlers: Record<string, Handler>, operationId: string): Handler {
  const handler = handlers[operationId];
  if (!handler) throw new Error(`no handler for operation ${operationId}`);
  return handler;
}

const CHECKED_SCHEMES = new Set<string>(["token", "aksk"] satisfies Caller["scheme"][]);

/**
 * The schemes an operation accepts (its own security requirements, else the document's), or undefined when it
 * asks for none. A requirement the stub cannot check (another scheme, or two schemes at once) stops start-up.
 */
export function acceptedSchemes(apiDoc: OpenApiDocument, { operationId, operation }: MountedOperation): ReadonlySet<string> | undefined {
  const requirements = operation.security ?? (apiDoc.security as OperationObject["security"]) ?? [];
  if (requirements.length === 0 || requirements.some((requirement) => Object.keys(requirement).length === 0)) return undefined;
  const schemes = new Set(requirements.flatMap((requirement) => Object.keys(requirement)));
  if ([...schemes].some((scheme) => !CHECKED_SCHEMES.has(scheme)) || requirements.some((requirement) => Object.keys(requirement).length > 1)) {
    throw new Error(`operation ${operationId} asks for security the stub cannot check: ${JSON.stringify(requirements)}`);
  }
  return schemes;
}

/**
 * The contract's security requirements, checked first, as the gateway checks them in front of IMS: a request
 * without valid credentials is refused before its body is looked at. They are checked here rather than by the
 * validator's `validateSecurity`, which asks every scheme in turn through a chain of promises and builds an Error,
 * stack trace and all, for each scheme a request does not use. Most requests carry a token and are admitted
 * without a promise; a signature is checked with Web Crypto.
 */
export function requireCaller(schemes: ReadonlySet<string>, authSettings: AuthSettings): RequestHandler {
  const admit = (req: StubRequest, result: Caller | GatewayError, next: NextFunction) => {
    if (result instanceof GatewayError) return next(result);
    if (!schemes.has(result.scheme)) return next(schemeNotAccepted(result.scheme));
    req.caller = result;
    next();
  };
  return (req: StubRequest, _res, next) => {
    const result = authenticate(req as RequestWithBody, authSettings);
    // Express passes a rejection of the returned promise on to the error handler.
    if (result instanceof Promise) return result.then((settled) => admit(req, settled, next));
    admit(req, result, next);
  };
}

/**
 * The operation's last step: its handler, unless the request's Prefer asks for a documented response instead
 * (`examples` undefined: never, as a proxy passes Prefer on to its upstream rather than answer it).
 */
export function handle(operationId: string, handler: Handler, examples: ResponseExamples | undefined): RequestHandler {
  return (req: StubRequest, res: Response, next: NextFunction) => {
    try {
      res.locals.operationId = operationId;
      req.preferences = parsePrefer(req.get("prefer"));
      const canned = examples?.has(operationId) ? cannedResponse(examples, operationId, req.preferences) : undefined;
      if (canned) {
        res.setHeader("Preference-Applied", req.get("prefer")!);
        if (canned.headers) res.set(canned.headers);
        if (canned.body === undefined) res.status(canned.status).end();
        else res.status(canned.status).json(canned.body);
        return;
      }
      handler(req, res)?.catch(next);
    } catch (error) {
      next(error);
    }
  };
}

// Every refusal, whoever raised it (the validator, body-parser, a handler, the gateway's auth), answered in the
// IMS error shape (or the gateway's, for authentication) with its documented code and status.
import type { ErrorRequestHandler } from "express";
import { refusalWithUnknownFields, type UnknownField } from "../contract/near-miss.js";
import { GatewayError, ImsError, sendGatewayError, sendImsError } from "../ims/errors.js";
import { forwardsRefused, type ContractProxy } from "../proxy/proxy.js";
import type { RequestWithBody } from "./auth.js";
import type { StubRequest } from "./handler.js";
import type { LogEntry } from "./log.js";

type ValidatorError = Error & {
  status?: number;
  type?: string;
  errors?: { path: string; message: string }[];
  headers?: Record<string, string>;
};

/** Maps a request body the validator refused to the IMS error the operation documents for it. */
export type BodyClassifier = (operationId: string | undefined, body: unknown) => ImsError | undefined;
/** The fields of a body its operation's schema does not know, each with the one it most likely meant. */
export type UnknownFieldFinder = (operationId: string | undefined, body: unknown) => UnknownField[];

type ValidatedRequest = StubRequest & { openapi?: { schema?: { operationId?: string } } };

function toImsError(err: ValidatorError, req: StubRequest, classifyBody: BodyClassifier, unknownFieldsOf: UnknownFieldFinder): ImsError | GatewayError {
  if (err instanceof ImsError || err instanceof GatewayError) return err;
  const raw = (req as RequestWithBody).rawBody;
  const emptyBody = raw === undefined ? !Number(req.headers["content-length"] ?? 0) : raw.toString("utf8").trim() === "";
  switch (err.type) {
    case "entity.parse.failed":
      return emptyBody ? new ImsError("IMG.0007") : new ImsError("IMG.0001", `The body is not valid JSON: ${err.message}`);
    case "entity.too.large":
      return new ImsError("IMG.0001", `The request body is larger than ${(err as { limit?: number }).limit} bytes.`, 413);
    case "charset.unsupported":
    case "encoding.unsupported":
      return new ImsError("IMG.0001", err.message, 415);
  }
  const status = err.status ?? 500;
  if (status === 404) return new ImsError("IMG.0121", `No API at ${req.method} ${req.path}.`, 404);
  if (status === 405) return new ImsError("IMG.0001", `${req.method} is not allowed on ${req.path}.`, 405, { Allow: err.headers?.Allow ?? "" });
  if (status === 415) {
    return emptyBody && req.method === "POST" ? new ImsError("IMG.0007") : new ImsError("IMG.0001", `Unsupported content type ${req.headers["content-type"] ?? "(none)"}: send application/json.`, 415);
  }
  if (status === 400) {
    const first = err.errors?.[0];
    const operationId = (req as ValidatedRequest).openapi?.schema?.operationId;
    if (first?.path.startsWith("/body")) {
      if (emptyBody && req.method !== "DELETE") return new ImsError("IMG.0007");
      const classified = classifyBody(operationId, req.body);
      if (classified) return classified;
    }
    if (!first) return new ImsError("IMG.0001", err.message);
    const where = first.path.replace(/^\/(body|params|query|headers)\/?/, "").replace(/\//g, ".") || "body";
    const unknown = first.path.startsWith("/body") ? unknownFieldsOf(operationId, req.body) : [];
    return new ImsError("IMG.0001", refusalWithUnknownFields(first.path, `${where} ${first.message}.`, unknown));
  }
  // Any other refusal keeps its status (406 for an Accept the API cannot answer, for instance).
  if (status >= 400 && status < 500) return new ImsError("IMG.0001", err.message, status);
  return new ImsError("IMG.0061", undefined, 500);
}

export function errorHandler(
  classifyBody: BodyClassifier,
  unknownFieldsOf: UnknownFieldFinder,
  logger: ((entry: LogEntry) => void) | undefined,
  proxy: ContractProxy | undefined,
): ErrorRequestHandler {
  return (err: ValidatorError, req, res, _next) => {
    const mapped = toImsError(err, req as StubRequest, classifyBody, unknownFieldsOf);
    // A proxy in warn mode forwards what the stub would refuse, and reports why.
    // (Never a control request: the control API is the proxy's own.)
    if (proxy && !proxy.settings.strict && !res.headersSent && !req.path.startsWith("/_stub/") && forwardsRefused(req, mapped.status, err.type)) {
      const where = err.errors?.[0]?.path.replace(/^\//, "") || "request";
      const operationId = (req as ValidatedRequest).openapi?.schema?.operationId ?? (res.locals.operationId as string | undefined);
      void proxy.forward(req, res, operationId, [{ location: "request", path: where, message: mapped.message }]);
      return;
    }
    if (mapped instanceof ImsError && mapped.status >= 500) {
      logger?.({ time: new Date().toISOString(), level: "error", request_id: String(res.getHeader("X-Request-Id")), error: err.message });
    }
    if (res.headersSent) return;
    res.locals.errorCode = mapped.code;
    res.locals.errorReason = (mapped instanceof GatewayError && mapped.reason) || mapped.message;
    // Sent as text, not res.json: an error body must not go through response validation a second time.
    if (mapped instanceof GatewayError) sendGatewayError(res, mapped);
    else sendImsError(res, mapped);
  };
}

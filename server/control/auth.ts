// The control API's bearer token (`--control-token`): with one, every control operation the contract does not
// leave open (`security: []`, the health check) needs `Authorization: Bearer <token>`; without one, nothing
// changes, so `npm start` on loopback stays zero-configuration.
import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import { ImsError, sendImsError } from "../ims/errors.js";
import type { OpenApiDocument } from "../contract/spec.js";

export const MIN_CONTROL_TOKEN_LENGTH = 16;

/** Why a control token cannot be used (to be shown with the fix), or undefined when it can. */
export function controlTokenProblem(token: string): string | undefined {
  const example = "for example $(openssl rand -hex 16)";
  if (token === "") return `the control token is empty: give --control-token (IMS_STUB_CONTROL_TOKEN) at least ${MIN_CONTROL_TOKEN_LENGTH} characters, ${example}, or leave it unset`;
  if (token.length < MIN_CONTROL_TOKEN_LENGTH) {
    return `the control token is ${token.length} characters long: --control-token (IMS_STUB_CONTROL_TOKEN) needs at least ${MIN_CONTROL_TOKEN_LENGTH}, ${example}`;
  }
  // It travels in an HTTP header: a space, a line break or a non-ASCII character would not arrive as given.
  if (!/^[\x21-\x7e]+$/.test(token)) return "the control token (--control-token, IMS_STUB_CONTROL_TOKEN) must be printable ASCII without spaces or line breaks: it travels in an HTTP header";
  return undefined;
}

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

/**
 * `METHOD /path` of each operation the contract leaves open (`security: []`). Control paths have no parameters,
 * so a request's path is compared as it is; anything else needs the token, an unknown path included.
 */
function openOperations(controlSpec: OpenApiDocument): Set<string> {
  const open = new Set<string>();
  for (const [path, pathItem] of Object.entries(controlSpec.paths)) {
    for (const [method, operation] of Object.entries(pathItem as Record<string, { security?: unknown[] }>)) {
      const security = operation.security ?? (controlSpec.security as unknown[] | undefined) ?? [];
      if (HTTP_METHODS.has(method) && security.length === 0) open.add(`${method.toUpperCase()} ${path}`);
    }
  }
  return open;
}

// Both sides hashed to the same length first, so that timingSafeEqual tells nothing about the token's length.
const digest = (value: string) => createHash("sha256").update(value).digest();

function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(authorization ?? "")?.[1];
}

/**
 * The control router's first step: without a token, it admits every request; with one, it answers `401` in the
 * control API's error shape to a request that does not carry it, before the request is validated. It answers
 * itself rather than pass an error on, so that a validating proxy never forwards the refused request.
 */
export function requireControlToken(token: string | undefined, controlSpec: OpenApiDocument): RequestHandler {
  if (token === undefined) return (_req, _res, next) => next();
  const problem = controlTokenProblem(token);
  if (problem) throw new Error(problem);
  const expected = digest(token);
  const open = openOperations(controlSpec);
  return (req, res, next) => {
    if (open.has(`${req.method} ${req.path}`)) return next();
    const given = bearerToken(req.headers.authorization);
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return next();
    const detail =
      given === undefined
        ? "This stub's control API needs its control token: send Authorization: Bearer <token>."
        : "The Authorization: Bearer token is not this stub's control token.";
    res.locals.errorCode = "IMG.0087";
    sendImsError(res, new ImsError("IMG.0087", detail, 401, { "WWW-Authenticate": 'Bearer realm="ims-stub control"' }));
  };
}

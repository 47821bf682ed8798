// Errors that say what a retry needs to know: the gateway throttled the request (nothing was done; wait
// `retryAfter` seconds), the connection was lost before the answer came, or the answer's body was cut off.
// Each is a subclass of the error callers already catch (ImsError, ImsNetworkError), so an existing
// `instanceof` keeps working, and a caller can switch on the precise one.
import { describeNetworkFailure, ImsError, ImsNetworkError, type NetworkFailureKind } from "./errors.js";

/** `429`: the API gateway throttled the request (APIG.0308) before IMS saw it; nothing was done. */
export class ImsThrottledError extends ImsError {
  override readonly name: string = "ImsThrottledError";
  constructor(
    status: number,
    code: string,
    message: string,
    requestId: string | undefined,
    body: unknown,
    /** Seconds the answer asked the client to wait (its `Retry-After`), when it said. */
    readonly retryAfter: number | undefined,
  ) {
    super(status, code, message, requestId, body);
  }
}

/** The connection was reset, or closed, before the whole answer came: the request may or may not have been carried out. */
export class ImsConnectionResetError extends ImsNetworkError {
  override readonly name: string = "ImsConnectionResetError";
}

/** An answer came, but its body is not the JSON it should be (cut off, or not JSON): it may or may not have been carried out. */
export class ImsMalformedResponseError extends ImsNetworkError {
  override readonly name: string = "ImsMalformedResponseError";
}

/** `Retry-After` as seconds from now: delay-seconds or an HTTP date (RFC 9110); undefined when missing or unreadable. */
export function retryAfterSeconds(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/** The error of an answer with an error status: ImsThrottledError for a 429, else ImsError. */
export function errorFromResponse(response: Response, body: unknown): ImsError {
  const error = ImsError.fromResponse(response, body);
  if (response.status !== 429) return error;
  return new ImsThrottledError(error.status, error.code, error.message, error.requestId, error.body, retryAfterSeconds(response.headers.get("Retry-After")));
}

/** What a failure without an answer becomes: a lost connection and a spoiled body get their own class. */
export function errorFromFailure(error: unknown, operation: string): ImsNetworkError {
  if (error instanceof ImsConnectionResetError || error instanceof ImsMalformedResponseError) return error;
  // openapi-fetch parses the body with response.json(): a body cut off, or not JSON, fails there.
  if (error instanceof SyntaxError) {
    return new ImsMalformedResponseError(`IMS request ${operation} got no usable answer: its body is not JSON (${error.message}): cut off or spoiled on the way`, {
      cause: error,
      kind: "invalid-response",
    });
  }
  // A fetch that failed is an ImsNetworkError already (the client's networkErrors middleware); a body whose
  // connection dropped while it was read is not.
  const failed =
    error instanceof ImsNetworkError
      ? error
      : (() => {
          const { kind, code, detail } = describeNetworkFailure(error);
          return new ImsNetworkError(`IMS request ${operation} got no usable answer: ${detail}`, { cause: error, kind, ...(code !== undefined && { code }) });
        })();
  if (failed.kind !== "connection-reset") return failed;
  const { kind, code, method, url } = failed;
  return new ImsConnectionResetError(failed.message, { cause: failed.cause, kind, ...(code !== undefined && { code }), ...(method && { method }), ...(url && { url }) });
}

/**
 * Whether the request a failure answered may have been carried out: false for a refusal (any 4xx, a throttle
 * among them) and a request that never left (connection refused, unknown host); true for a server error, a lost
 * connection and a spoiled answer. Before sending a create again, a caller asks this: if it may have been
 * carried out, another create makes a second image, so look for the first (ListImages by name) instead.
 */
export function mayHaveBeenCarriedOut(error: unknown): boolean {
  if (error instanceof ImsError) return error.status >= 500;
  if (!(error instanceof ImsNetworkError)) return true;
  return !(NEVER_SENT.has(error.kind) || error.code === "UND_ERR_CONNECT_TIMEOUT");
}

/** Failures of a request that never left: nothing listens there, the host is unknown or unreachable, TLS failed, fetch refused the port. */
const NEVER_SENT = new Set<NetworkFailureKind>(["connection-refused", "host-not-found", "unreachable", "tls", "blocked-port"]);

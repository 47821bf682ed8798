// Errors that say what a retry needs to know: the gateway throttled the request (nothing was done; wait
// `retryAfter` seconds), the connection was lost before the answer came, or the answer's body was cut off.
// Each is a subclass of the error callers already catch (ImsError, ImsNetworkError), so an existing
// `instanceof` keeps working, and a caller can switch on the precise one.
import { ImsError, ImsNetworkError } from "./errors.js";

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

type Coded = { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };

/** The error and its causes, outermost first (Node's fetch puts the socket's error in `cause`; trying several addresses, in `errors`). */
function causes(error: unknown): Coded[] {
  const chain: Coded[] = [];
  for (let link = error; typeof link === "object" && link !== null && chain.length < 8; ) {
    chain.push(link as Coded);
    const { cause, errors } = link as Coded;
    link = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return chain;
}

const codeOf = (error: unknown) => causes(error).find((link) => typeof link.code === "string")?.code as string | undefined;

/** Socket errors of a connection that ended before the answer did: reset by the peer, or closed by it. */
const LOST_CONNECTION = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);
/** Errors of a request that never left: nothing listens there, or the host is not known or not reachable. */
const NEVER_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EHOSTUNREACH", "ENETUNREACH"]);

/** A failure without an answer, as the precise error: a lost connection, a malformed body, or any other network error. */
export function errorFromFailure(error: unknown): ImsNetworkError {
  if (error instanceof ImsConnectionResetError || error instanceof ImsMalformedResponseError) return error;
  // openapi-fetch parses the body with response.json(): a body cut off, or not JSON, fails there.
  if (causes(error).some((link) => link instanceof SyntaxError)) {
    const parse = causes(error).find((link) => link instanceof SyntaxError) as SyntaxError;
    return new ImsMalformedResponseError(`IMS answered, but its body is not the JSON it should be (${parse.message}): cut off or spoiled on the way`, { cause: error });
  }
  const code = codeOf(error);
  if (code && LOST_CONNECTION.has(code)) {
    const what = code === "ECONNRESET" ? "was reset" : "was closed";
    return new ImsConnectionResetError(`IMS request failed: the connection ${what} before the whole answer came (${code}); the request may or may not have been carried out`, { cause: error });
  }
  if (error instanceof ImsNetworkError) return error;
  return new ImsNetworkError(`IMS request failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

/**
 * Whether the request a failure answered may have been carried out: false for a refusal (any 4xx, a throttle
 * among them) and a request that never left (connection refused, unknown host); true for a server error, a lost
 * connection and a spoiled answer. Before sending a create again, a caller asks this: if it may have been
 * carried out, another create makes a second image, so look for the first (ListImages by name) instead.
 */
export function mayHaveBeenCarriedOut(error: unknown): boolean {
  if (error instanceof ImsError) return error.status >= 500;
  if (error instanceof ImsConnectionResetError || error instanceof ImsMalformedResponseError) return true;
  const code = codeOf(error);
  return !(code && NEVER_SENT.has(code));
}

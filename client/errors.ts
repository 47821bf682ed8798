// Errors the client throws: an API error (any status >= 400, either error shape) or a network failure.

/** The API answered with an error. `code` is the IMS code (`IMG.0001`), the gateway's (`APIG.0301`) or the status. */
export class ImsError extends Error {
  override readonly name: string = "ImsError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | undefined,
    readonly body: unknown,
  ) {
    super(message);
  }

  /** Read from `{"error":{"code","message"}}` or `{"error_code","error_msg"}`, like Huawei's SDKs. */
  static fromResponse(response: Response, body: unknown): ImsError {
    const requestId = response.headers.get("X-Request-Id") ?? undefined;
    const record = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
    const nested = typeof record.error === "object" && record.error !== null ? (record.error as Record<string, unknown>) : {};
    if (typeof record.error_code === "string" && typeof record.error_msg === "string") {
      return new ImsError(response.status, record.error_code, record.error_msg, requestId, body);
    }
    if (typeof nested.code === "string" && typeof nested.message === "string") {
      return new ImsError(response.status, nested.code, nested.message, requestId, body);
    }
    const text = typeof body === "string" ? body : JSON.stringify(body ?? "");
    return new ImsError(response.status, String(response.status), text || response.statusText, requestId, body);
  }
}

/**
 * What kept a request from an answer, for a caller to switch on: `connection-refused` (nothing listens there),
 * `host-not-found` (DNS), `connection-reset` (closed before an answer), `timeout`, `tls`, `unreachable` (no
 * route), `blocked-port` (a port fetch refuses), `not-http` (something else answered), `invalid-response` (an
 * answer whose body could not be read), or `network` when the platform does not say (browsers never do).
 */
export type NetworkFailureKind =
  | "connection-refused"
  | "host-not-found"
  | "connection-reset"
  | "timeout"
  | "tls"
  | "unreachable"
  | "blocked-port"
  | "not-http"
  | "invalid-response"
  | "network";

export type NetworkFailure = {
  kind: NetworkFailureKind;
  /** The system or undici error code (`ECONNREFUSED`, `UND_ERR_SOCKET`, `CERT_HAS_EXPIRED`...), when there is one. */
  code?: string;
  /** What happened and what to check, in words. */
  detail: string;
};

type ErrorLike = { name?: unknown; message?: unknown; code?: unknown; cause?: unknown; errors?: unknown; address?: unknown; port?: unknown; hostname?: unknown };

/** The error and its causes, outermost first (Node's fetch puts the system error in `cause`; Happy Eyeballs, in `errors`). */
function causeChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (typeof current === "object" && current !== null && chain.length < 8 && !chain.includes(current as ErrorLike)) {
    const link = current as ErrorLike;
    chain.push(link);
    current = link.cause ?? (Array.isArray(link.errors) ? link.errors[0] : undefined);
  }
  return chain;
}

const TIMEOUT_CODES = new Set(["ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);
const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);
const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL", "EAI_NODATA"]);
const UNREACHABLE_CODES = new Set(["EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN", "EADDRNOTAVAIL"]);
const isTlsCode = (code: string) =>
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|ERR_OSSL_)/.test(code) || /(_CERT|CERT_)/.test(code) || code === "EPROTO" || code === "HOSTNAME_MISMATCH";

/** `ECONNREFUSED 127.0.0.1:8080`: the code, with the address when the error carries it. */
function codeAndAddress(link: ErrorLike, code: string): string {
  if (typeof link.address === "string") return `${code} ${link.address.includes(":") ? `[${link.address}]` : link.address}${link.port !== undefined ? `:${String(link.port)}` : ""}`;
  return code;
}

/**
 * What a failed fetch says about why there was no answer. Node's fetch (undici) throws `TypeError: fetch failed`
 * with the reason in `cause`; browsers throw a bare `TypeError` ("Failed to fetch", "Load failed") and say why
 * only in their console.
 */
export function describeNetworkFailure(error: unknown): NetworkFailure {
  const chain = causeChain(error);
  const coded = chain.find((link) => typeof link.code === "string");
  const code = coded?.code as string | undefined;
  const innermost = chain.at(-1);
  const innerMessage = typeof innermost?.message === "string" ? innermost.message : String(error);
  if (code && coded) {
    const codeText = codeAndAddress(coded, code);
    const message = typeof coded.message === "string" ? coded.message : "";
    if (code === "ECONNREFUSED") {
      return { kind: "connection-refused", code, detail: `connection refused (${codeText}): nothing is listening there; is the server running, and is the endpoint's port right?` };
    }
    if (DNS_CODES.has(code)) {
      const host = typeof coded.hostname === "string" ? coded.hostname : (/\s(\S+)$/.exec(message)?.[1] ?? "the endpoint's host");
      return code === "EAI_AGAIN"
        ? { kind: "host-not-found", code, detail: `the host name ${host} could not be looked up just now (EAI_AGAIN): DNS or the network is down` }
        : { kind: "host-not-found", code, detail: `the host ${host} was not found (${code}): check the endpoint's host name` };
    }
    if (RESET_CODES.has(code)) {
      return { kind: "connection-reset", code, detail: `the connection was closed before an answer came (${codeText}${message ? `: ${message}` : ""}): the server or a proxy in between dropped it` };
    }
    if (TIMEOUT_CODES.has(code)) {
      const what = code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" ? "the server took the request but did not answer in time" : "no connection could be made in time";
      return { kind: "timeout", code, detail: `timed out (${codeText}): ${what}; is the host reachable from here?` };
    }
    if (UNREACHABLE_CODES.has(code)) return { kind: "unreachable", code, detail: `the host cannot be reached from here (${codeText}): no route to it` };
    if (isTlsCode(code)) {
      const hint =
        code === "ERR_SSL_WRONG_VERSION_NUMBER" || code === "EPROTO"
          ? "the server does not speak TLS there: is it an http:// endpoint?"
          : code === "ERR_TLS_CERT_ALTNAME_INVALID" || code === "HOSTNAME_MISMATCH"
            ? "the server's certificate is for another host name"
            : "the server's certificate is not trusted here (a private CA can be given to Node with NODE_EXTRA_CA_CERTS)";
      return { kind: "tls", code, detail: `the TLS handshake failed (${code}${message ? `: ${message.split("\n", 1)[0]}` : ""}): ${hint}` };
    }
    if (code.startsWith("HPE_")) return notHttp(code, message);
    return { kind: "network", code, detail: message ? `${message} (${code})` : codeText };
  }
  // Node 24's fetch (undici 7) throws its HTTPParserError with no code: its name says the same as HPE_ did.
  const parserError = chain.find((link) => link.name === "HTTPParserError");
  if (parserError) return notHttp(undefined, typeof parserError.message === "string" ? parserError.message : "");
  if (chain.some((link) => link.name === "TimeoutError")) {
    return { kind: "timeout", detail: "the request's signal timed out before an answer came (TimeoutError)" };
  }
  if (innerMessage === "bad port") {
    return {
      kind: "blocked-port",
      detail: "fetch refuses to connect to this port (one of the fetch standard's blocked ports, in browsers and Node alike): serve on another port, such as 8080",
    };
  }
  if (/^(Failed to fetch|NetworkError when attempting to fetch resource\.?|Load failed)$/.test(innerMessage)) {
    return {
      kind: "network",
      detail: `the browser does not say why (${innerMessage}): the server may be down or unreachable, or it refused the CORS preflight (see the browser's console)`,
    };
  }
  return { kind: "network", detail: innerMessage };
}

function notHttp(code: string | undefined, message: string): NetworkFailure {
  const what = [code ?? "HTTPParserError", message].filter(Boolean).join(": ");
  return {
    kind: "not-http",
    ...(code !== undefined && { code }),
    detail: `the answer was not HTTP (${what}): is something else listening on that port, or is it an https:// endpoint?`,
  };
}

/** The request never got an answer: connection refused, DNS, TLS, a timeout, or the body could not be read. */
export class ImsNetworkError extends Error {
  override readonly name: string = "ImsNetworkError";
  /** What kept the request from an answer (see NetworkFailureKind). */
  readonly kind: NetworkFailureKind;
  /** The system or undici error code, when there is one (`ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_SOCKET`...). */
  readonly code: string | undefined;
  readonly method: string | undefined;
  readonly url: string | undefined;
  constructor(message: string, options: { cause: unknown; kind?: NetworkFailureKind; code?: string; method?: string; url?: string }) {
    super(message, { cause: options.cause });
    this.kind = options.kind ?? "network";
    this.code = options.code;
    this.method = options.method;
    this.url = options.url;
  }

  /** `IMS request POST http://…/v2/cloudimages/action got no answer: connection refused (ECONNREFUSED 127.0.0.1:8080): …` */
  static fromFetchError(error: unknown, request: { method: string; url: string }): ImsNetworkError {
    const { kind, code, detail } = describeNetworkFailure(error);
    return new ImsNetworkError(`IMS request ${request.method} ${request.url} got no answer: ${detail}`, {
      cause: error,
      kind,
      ...(code !== undefined && { code }),
      method: request.method,
      url: request.url,
    });
  }
}

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

/** The request never got an answer: connection refused, DNS, TLS, or the body could not be read. */
export class ImsNetworkError extends Error {
  override readonly name: string = "ImsNetworkError";
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
  }
}

// Throttling as Huawei's API gateway does it (`--rate-limit N`): at most N requests a second per project, past
// which any IMS operation is answered `429` in the gateway's flat shape with its throttling code, APIG.0308, and
// its message ("The throttling threshold has been reached: policy user over ratelimit,limit:XX,time:1 second",
// as Huawei's FAQ pages quote it), plus a `Retry-After` header. It counts in fixed one-second windows, as that
// message says, on the real clock (never the clock tests move for jobs). Not mounted at all when off. The
// control API is never throttled: this step is on the IMS operations' routes only.
// (Hand-written rather than express-rate-limit: a window per project, keyed after authentication, answered in
// the gateway's shape, without the library's store promise and timer on every request: about a dozen lines.)
import type { RequestHandler } from "express";
import { GatewayError, sendGatewayError } from "../ims/errors.js";
import type { StubRequest } from "./handler.js";

export const THROTTLED_CODE = "APIG.0308";

export class RateLimiter {
  /** Per project: when its current window began (ms, performance.now()) and how many requests it let through. */
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(readonly perSecond: number) {}

  reset(): void {
    this.windows.clear();
  }

  /** Seconds until the project may call again, or 0 when this request is let through (and counted). */
  take(projectId: string, now = performance.now()): number {
    let window = this.windows.get(projectId);
    if (!window || now - window.start >= 1000) {
      window = { start: now, count: 0 };
      this.windows.set(projectId, window);
    }
    if (window.count < this.perSecond) {
      window.count++;
      return 0;
    }
    return Math.max(1, Math.ceil((window.start + 1000 - now) / 1000));
  }

  /** The step after authentication: the caller's project is known (the gateway throttles per user). */
  step(): RequestHandler {
    const message = `The throttling threshold has been reached: policy user over ratelimit,limit:${this.perSecond},time:1 second`;
    return (req: StubRequest, res, next) => {
      const projectId = req.caller?.projectId ?? "";
      const retryAfter = this.take(projectId);
      if (retryAfter === 0) return next();
      res.locals.errorCode = THROTTLED_CODE;
      res.locals.errorReason = `over --rate-limit ${this.perSecond} requests a second for project ${projectId}`;
      res.setHeader("Retry-After", String(retryAfter));
      sendGatewayError(res, new GatewayError(429, THROTTLED_CODE, message));
    };
  }
}

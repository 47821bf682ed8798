// Retrying, as a good citizen of a throttled API: reads (GETs, idempotent) are sent again after a transient
// failure (throttled, connection lost, body cut off, 500/502/503/504) with exponential backoff and jitter, and
// never sooner than the answer's `Retry-After` asks; a `Retry-After` longer than the caller allows ends the
// call with the ImsThrottledError instead, for the caller to decide. A create is never sent again on the
// client's own say: another create makes another image, so only a caller's `retry` function can ask for it.
import { describeValue, isRecord, refuseUnknownKeys } from "./checks.js";
import { ImsError } from "./errors.js";
import { ImsConnectionResetError, ImsMalformedResponseError, ImsThrottledError } from "./retry-errors.js";

export type RetryOptions = {
  /** Attempts in all, the first included. Default 3; 1 sends each read once. */
  maxAttempts?: number;
  /** The first backoff, in seconds. Default 0.2. */
  minDelay?: number;
  /** The largest backoff, in seconds. Default 5. */
  maxDelay?: number;
  /**
   * The longest `Retry-After` waited for, in seconds. Default 20. An answer that asks for longer ends the call
   * with its ImsThrottledError (whose `retryAfter` says how long), rather than hold the caller that long.
   */
  maxRetryAfter?: number;
  /** Source of jitter in [0, 1); for tests. */
  random?: () => number;
};

export type RetryPolicy = Required<RetryOptions>;

/** Decides whether a failed attempt is sent again; `attempt` counts from 1. */
export type RetryDecision = (error: unknown, attempt: number) => boolean | Promise<boolean>;

/** The client's policy for reads from its `retry` option (`false`: one attempt); a RangeError names a bad value. */
export function retryPolicy(options: RetryOptions | false | undefined): RetryPolicy {
  if (options === false) return { maxAttempts: 1, minDelay: 0.2, maxDelay: 5, maxRetryAfter: 20, random: Math.random };
  const where = "createImsClient: options.retry";
  if (options !== undefined) {
    if (!isRecord(options)) throw new TypeError(`${where} must be false or an object such as { maxAttempts: 3 } (got ${describeValue(options)})`);
    refuseUnknownKeys(where, options, ["maxAttempts", "minDelay", "maxDelay", "maxRetryAfter", "random"], { attempts: "maxAttempts", retries: "maxAttempts" });
  }
  const policy: RetryPolicy = { maxAttempts: 3, minDelay: 0.2, maxDelay: 5, maxRetryAfter: 20, random: Math.random, ...options };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) throw new RangeError(`${where}.maxAttempts must be a whole number of at least 1 (got ${policy.maxAttempts})`);
  if (!(policy.minDelay > 0)) throw new RangeError(`${where}.minDelay must be above 0 seconds (got ${policy.minDelay})`);
  if (!(policy.maxDelay >= policy.minDelay)) throw new RangeError(`${where}.maxDelay must be at least minDelay (got ${policy.maxDelay} and ${policy.minDelay} seconds)`);
  if (!(policy.maxRetryAfter >= 0)) throw new RangeError(`${where}.maxRetryAfter must be 0 seconds or more (got ${policy.maxRetryAfter})`);
  return policy;
}

/** What a read sends again: a throttle, a lost connection, a spoiled body, a server error that may pass. */
export function isTransient(error: unknown): boolean {
  if (error instanceof ImsThrottledError || error instanceof ImsConnectionResetError || error instanceof ImsMalformedResponseError) return true;
  return error instanceof ImsError && [500, 502, 503, 504].includes(error.status);
}

/** Exponential backoff with "equal jitter": between half and all of minDelay·2^(attempt−1), capped at maxDelay. */
export function retryDelay(attempt: number, policy: Pick<RetryPolicy, "minDelay" | "maxDelay" | "random">): number {
  const ceiling = Math.min(policy.maxDelay, policy.minDelay * 2 ** (attempt - 1));
  return ceiling / 2 + (policy.random() * ceiling) / 2;
}

function sleep(seconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, seconds * 1000);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      if (signal?.aborted) reject(signal.reason);
      else resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds, `shouldRetry` declines, the attempts run out, a `Retry-After` is longer
 * than `maxRetryAfter`, or the signal aborts (its reason is thrown, as fetch throws it).
 */
export async function withRetries<T>(attempt: () => Promise<T>, policy: RetryPolicy, options: { signal?: AbortSignal; shouldRetry?: RetryDecision } = {}): Promise<T> {
  const { signal, shouldRetry = isTransient } = options;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= policy.maxAttempts || signal?.aborted || !(await shouldRetry(error, n))) throw error;
      const retryAfter = error instanceof ImsThrottledError ? error.retryAfter : undefined;
      if (retryAfter !== undefined && retryAfter > policy.maxRetryAfter) throw error;
      await sleep(Math.max(retryDelay(n, policy), retryAfter ?? 0), signal);
    }
  }
}

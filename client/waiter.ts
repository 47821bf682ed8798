// Waits for an IMS job to finish, in the manner of the AWS SDK v3 waiters, with what their users asked for:
// a required deadline, capped exponential backoff with jitter, an AbortSignal honoured before every request,
// progress callbacks, fail-fast on errors that retrying cannot fix, a throttled answer's Retry-After honoured
// (within the deadline), and a grace window for a job that is not visible yet right after its create.
import type { components } from "../generated/openapi.js";
import { describeValue, isRecord, looksLikeAbortSignal, missingOption, refuseUnknownKeys } from "./checks.js";
import { ImsError, ImsNetworkError } from "./errors.js";
import { ImsConnectionResetError, ImsMalformedResponseError, ImsThrottledError } from "./retry-errors.js";

export type Job = components["schemas"]["Job"];

export type WaitOptions = {
  /** Give up after this many seconds (required: a waiter without a deadline can wait forever). */
  maxWaitTime: number;
  /** The first delay between polls, in seconds. Default 2. */
  minDelay?: number;
  /** The largest delay between polls, in seconds. Default 30. */
  maxDelay?: number;
  /** Aborts the wait; no request is sent after it fires. */
  signal?: AbortSignal;
  /** Called with each job read, for example to show `entities.process_percent`. */
  onProgress?: (job: Job) => void;
  /** For this many seconds after the wait starts, a 404 is taken as "not visible yet". Default 10. */
  notFoundGraceTime?: number;
  /** Source of jitter in [0, 1); for tests. */
  random?: () => number;
};

export type WaitState = "SUCCESS" | "FAILURE" | "TIMEOUT" | "ABORTED";

export type WaitResult = {
  state: WaitState;
  /** The last job read, if any. */
  job?: Job;
  /** How many times the job was read. */
  polls: number;
  /** The new image IDs on SUCCESS: the system disk image's, then each data disk image's. */
  imageIds: string[];
  /** On FAILURE, the job's `error_code` and `fail_reason`. */
  errorCode?: string;
  failReason?: string;
  /** Why the wait ended, in words. */
  reason: string;
  /** How many answers of each kind were seen: `RUNNING`, `404`, `429`, `503`, `connection-reset`, `malformed-body`, `network`... */
  observedResponses: Record<string, number>;
};

export function imageIdsOf(job: Job): string[] {
  const ids = job.entities.image_id ? [job.entities.image_id] : [];
  for (const sub of job.entities.sub_jobs_result ?? []) if (sub.entities.image_id) ids.push(sub.entities.image_id);
  return ids;
}

const WAIT_OPTIONS = ["maxWaitTime", "minDelay", "maxDelay", "signal", "onProgress", "notFoundGraceTime", "random"] as const;
/** Other waiters' and pollers' names for these options, folded. */
const WAIT_ALIASES: Record<string, string> = {
  timeout: "maxWaitTime",
  timeoutms: "maxWaitTime (in seconds)",
  maxwait: "maxWaitTime",
  wait: "maxWaitTime",
  deadline: "maxWaitTime",
  interval: "minDelay",
  pollinterval: "minDelay",
  delay: "minDelay",
  maxinterval: "maxDelay",
  abortsignal: "signal",
  onupdate: "onProgress",
  onpoll: "onProgress",
};

/**
 * Checks a wait's options before any request: a TypeError for a missing, misnamed or mistyped option, a
 * RangeError for a number out of range; each names the option, what it expected and what it got.
 */
export function checkWaitOptions(method: string, o: unknown): Required<Pick<WaitOptions, "maxWaitTime" | "minDelay" | "maxDelay" | "notFoundGraceTime">> {
  const where = `${method}: options`;
  if (!isRecord(o)) throw new TypeError(`${where} must be an object with at least maxWaitTime, in seconds, such as { maxWaitTime: 600 } (got ${describeValue(o)})`);
  if (o.maxWaitTime === undefined) throw missingOption(where, "maxWaitTime", "the most seconds to wait, such as 600", o, WAIT_OPTIONS, WAIT_ALIASES);
  refuseUnknownKeys(where, o, WAIT_OPTIONS, WAIT_ALIASES);
  const seconds = (name: "maxWaitTime" | "minDelay" | "maxDelay" | "notFoundGraceTime", fallback: number, zeroAllowed = false): number => {
    const value = o[name] ?? fallback;
    if (typeof value !== "number" || Number.isNaN(value)) throw new TypeError(`${where}.${name} must be a number of seconds (got ${describeValue(value)})`);
    if (zeroAllowed ? value < 0 : value <= 0) throw new RangeError(`${where}.${name} must be ${zeroAllowed ? "0 or more" : "above 0"} seconds (got ${value})`);
    return value;
  };
  const maxWaitTime = seconds("maxWaitTime", 0);
  const minDelay = seconds("minDelay", 2);
  const maxDelay = seconds("maxDelay", 30);
  const notFoundGraceTime = seconds("notFoundGraceTime", 10, true);
  if (maxDelay < minDelay) {
    const shown = (name: "minDelay" | "maxDelay", value: number) => `${name} ${value} s${o[name] === undefined ? " (the default)" : ""}`;
    throw new RangeError(`${where}.maxDelay must be at least minDelay (got ${shown("maxDelay", maxDelay)}, ${shown("minDelay", minDelay)}; both are in seconds)`);
  }
  if (o.signal !== undefined && !looksLikeAbortSignal(o.signal)) throw new TypeError(`${where}.signal must be an AbortSignal (got ${describeValue(o.signal)})`);
  for (const name of ["onProgress", "random"] as const) {
    if (o[name] !== undefined && typeof o[name] !== "function") throw new TypeError(`${where}.${name} must be a function (got ${describeValue(o[name])})`);
  }
  return { maxWaitTime, minDelay, maxDelay, notFoundGraceTime };
}

/** Smithy's waiter backoff: a random delay between minDelay and minDelay·2^(attempt−1), then maxDelay. */
export function backoffDelay(attempt: number, minDelay: number, maxDelay: number, random: () => number): number {
  const ceiling = Math.log2(maxDelay / minDelay) + 1;
  if (attempt > ceiling) return maxDelay;
  const upper = Math.min(maxDelay, minDelay * 2 ** (attempt - 1));
  return minDelay + random() * (upper - minDelay);
}

function sleep(seconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, seconds * 1000);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

const retryable = (status: number) => status === 429 || status >= 500;

/** How a poll's answer ends the wait, or undefined to poll again. */
export type Verdict = { state: "SUCCESS" | "FAILURE"; reason: string };

/** What a generic wait ends with: its state, the last value read, and what it saw on the way. */
export type PollResult<T> = Pick<WaitResult, "state" | "polls" | "reason" | "observedResponses"> & { last?: T };

/**
 * Polls `read` until `judge` ends the wait, the deadline passes or the signal aborts: the loop every waiter of
 * this client shares (jobs, an image becoming active, an image going away). `how.method` names the caller in
 * the errors of its options.
 */
export async function pollUntil<T>(
  read: (signal?: AbortSignal) => Promise<T>,
  judge: (value: T) => Verdict | undefined,
  options: Omit<WaitOptions, "onProgress"> & { onProgress?: (value: T) => void },
  how: { method: string; what: string; kindOf?: (value: T) => string },
): Promise<PollResult<T>> {
  const { maxWaitTime, minDelay, maxDelay, notFoundGraceTime } = checkWaitOptions(how.method, options);
  const { signal, onProgress: onValue } = options;
  const random = options.random ?? Math.random;
  const started = Date.now();
  const elapsed = () => (Date.now() - started) / 1000;
  const observedResponses: Record<string, number> = {};
  const observe = (kind: string) => (observedResponses[kind] = (observedResponses[kind] ?? 0) + 1);
  let polls = 0;
  let last: T | undefined;
  /** Why the last read got no answer, if it did not: a wait that times out says so rather than only "not finished". */
  let lastFailure: string | undefined;
  const result = (state: WaitState, reason: string): PollResult<T> => ({ state, polls, reason, observedResponses, ...(last !== undefined && { last }) });

  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) return result("ABORTED", "the signal aborted the wait");
    /** A throttled answer's Retry-After, in seconds: the next poll waits at least that long (never past the deadline). */
    let retryAfter: number | undefined;
    try {
      last = await read(signal);
      lastFailure = undefined;
      polls++;
      onValue?.(last);
      const verdict = judge(last);
      observe(how.kindOf?.(last) ?? verdict?.state ?? "pending");
      if (verdict) return result(verdict.state, verdict.reason);
    } catch (error) {
      if (signal?.aborted) return result("ABORTED", "the signal aborted the wait");
      if (error instanceof ImsError) {
        polls++;
        observe(String(error.status));
        const waitingToAppear = error.status === 404 && elapsed() < notFoundGraceTime;
        if (!waitingToAppear && !retryable(error.status)) throw error;
        lastFailure = `${error.status} ${error.code}: ${error.message}`;
        if (error instanceof ImsThrottledError) retryAfter = error.retryAfter;
      } else if (error instanceof ImsNetworkError) {
        observe(error instanceof ImsConnectionResetError ? "connection-reset" : error instanceof ImsMalformedResponseError ? "malformed-body" : "network");
        lastFailure = error.message;
      } else {
        throw error;
      }
    }
    const delay = Math.max(backoffDelay(attempt, minDelay, maxDelay, random), retryAfter ?? 0);
    if (elapsed() + delay > maxWaitTime) {
      const throttled = retryAfter !== undefined && elapsed() + retryAfter > maxWaitTime ? `; throttled, with a Retry-After of ${retryAfter} s that ends past the deadline` : "";
      return result("TIMEOUT", `${how.what} within ${maxWaitTime} s${throttled}${lastFailure ? `; the last poll got no answer: ${lastFailure}` : ""}`);
    }
    await sleep(delay, signal);
  }
}

export async function waitForJob(read: (signal?: AbortSignal) => Promise<Job>, options: WaitOptions): Promise<WaitResult> {
  const judge = (job: Job): Verdict | undefined => {
    if (job.status === "SUCCESS") return { state: "SUCCESS", reason: "the job succeeded" };
    if (job.status === "FAIL") return { state: "FAILURE", reason: `the job failed with ${job.error_code}: ${job.fail_reason}` };
    return undefined;
  };
  const polled = await pollUntil(read, judge, options, { method: "waitForJob", what: "the job did not finish", kindOf: (job) => job.status });
  const { last: job, ...rest } = polled;
  return {
    ...rest,
    imageIds: job && rest.state === "SUCCESS" ? imageIdsOf(job) : [],
    ...(job && { job }),
    ...(rest.state === "FAILURE" && job?.error_code != null && { errorCode: job.error_code }),
    ...(rest.state === "FAILURE" && job?.fail_reason != null && { failReason: job.fail_reason }),
  };
}

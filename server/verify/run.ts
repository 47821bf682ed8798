// One verification run: the contract, the provider, the checks found so far, and the few moves every group of
// checks makes (send and hold the answer to a status and IMG code; follow a job to its end).
import type { Contract } from "./contract.js";
import { evidenceOf, type Check, type CheckGroup } from "./report.js";
import type { Exchange, Provider, RequestOptions } from "./provider.js";

export type RunSettings = {
  allowCreate: boolean;
  stub: boolean;
  jobTimeoutMs: number;
  seed: number;
  /** The sources a create names: they must exist at the provider (the contract's examples do at the stub). */
  sources: { instanceId: string; volumeId: string; imageUrl: string };
};

export type Expectation = { status: number | readonly number[]; code?: string | RegExp };

export type JobEnd = { job: Record<string, unknown>; status: string; polls: number } | { timedOut: true; last: Exchange | undefined; polls: number };

const JOB_STATES = ["INIT", "RUNNING", "SUCCESS", "FAIL"];
const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 10_000;

export class Run {
  readonly checks: Check[] = [];
  /** Set when the run is interrupted: checks still under way stop at their next request. */
  stopped = false;
  /** Set while what the run made is deleted: job polls go on even when the run was interrupted. */
  cleaningUp = false;

  constructor(
    readonly contract: Contract,
    readonly provider: Provider,
    readonly settings: RunSettings,
  ) {}

  record(check: Check): Check {
    this.checks.push(check);
    return check;
  }

  pass(group: CheckGroup, name: string, rule: string, operationId?: string): void {
    this.record({ group, name, rule, operationId, outcome: "passed" });
  }

  fail(group: CheckGroup, name: string, rule: string, message: string, exchange?: Exchange, operationId = exchange?.operationId): void {
    this.record({ group, name, rule, operationId, outcome: "failed", message, ...(exchange && { evidence: evidenceOf(exchange) }) });
  }

  skip(group: CheckGroup, name: string, rule: string, why: string, operationId?: string): void {
    this.record({ group, name, rule, operationId, outcome: "skipped", message: why });
  }

  /** Holds a condition: a passed check when it is true, a failed one with the message otherwise. */
  hold(group: CheckGroup, name: string, rule: string, ok: boolean, message: string, exchange?: Exchange): boolean {
    if (ok) this.pass(group, name, rule, exchange?.operationId);
    else this.fail(group, name, rule, message, exchange);
    return ok;
  }

  async send(method: string, target: string, options?: RequestOptions): Promise<Exchange> {
    if (this.stopped) throw new RunStopped();
    return this.provider.request(method, target, options);
  }

  /** Whether an answer has the expected status (and IMG code, in the IMS error body). */
  static matches(exchange: Exchange, expected: Expectation): boolean {
    const statuses = typeof expected.status === "number" ? [expected.status] : expected.status;
    if (!statuses.includes(exchange.status)) return false;
    if (expected.code === undefined) return true;
    const code = errorCode(exchange);
    return code !== undefined && (typeof expected.code === "string" ? code === expected.code : expected.code.test(code));
  }

  /** Sends a request and holds its answer to a status and code; the check's message says what came instead. */
  async expect(group: CheckGroup, name: string, rule: string, method: string, target: string, options: RequestOptions, expected: Expectation): Promise<Exchange> {
    const exchange = await this.send(method, target, options);
    const want = `${typeof expected.status === "number" ? expected.status : expected.status.join(" or ")}${expected.code ? ` ${typeof expected.code === "string" ? expected.code : "with an IMG code"}` : ""}`;
    this.hold(group, name, rule, Run.matches(exchange, expected), `expected ${want}, got ${exchange.failure ? `no answer (${exchange.failure})` : `${exchange.status}${errorCode(exchange) ? ` ${errorCode(exchange)}` : ""}`}`, exchange);
    return exchange;
  }

  /**
   * Polls a job until it ends or the deadline passes, with a growing delay (0.25 s doubling to 10 s: a real
   * image takes minutes, a stub's job a moment). Never relies on the stub's `Prefer`.
   */
  async followJob(jobId: string, deadlineMs = this.settings.jobTimeoutMs): Promise<JobEnd> {
    const until = Date.now() + deadlineMs;
    let delay = FIRST_POLL_MS;
    let polls = 0;
    let last: Exchange | undefined;
    let seen = 0;
    let failures = 0;
    for (;;) {
      if (this.stopped && !this.cleaningUp) throw new RunStopped();
      last = await this.provider.request("GET", `/v1/${this.provider.projectId}/jobs/${jobId}`);
      polls += 1;
      const job = last.json as Record<string, unknown> | undefined;
      const status = typeof job?.status === "string" ? job.status : undefined;
      // A job the provider cannot show (three answers in a row other than 200 or a throttling 429), or one in a
      // state the contract does not know, will not end: no use waiting for the deadline.
      failures = last.status === 200 || last.status === 429 ? 0 : failures + 1;
      if (failures >= 3 || (last.status === 200 && !JOB_STATES.includes(status ?? ""))) return { timedOut: true, last, polls };
      if (last.status === 200 && status) {
        const rank = JOB_STATES.indexOf(status);
        if (rank >= 0 && rank < seen) {
          this.fail("state", "a job's status never goes back", "ShowJob: INIT, RUNNING, then SUCCESS or FAIL", `job ${jobId} went from ${JOB_STATES[seen]} back to ${status}`, last);
        }
        seen = Math.max(seen, rank);
        if (status === "SUCCESS" || status === "FAIL") return { job: job!, status, polls };
      }
      if (Date.now() + delay > until) return { timedOut: true, last, polls };
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, MAX_POLL_MS);
    }
  }
}

export class RunStopped extends Error {
  constructor() {
    super("the run was interrupted");
  }
}

export function errorCode(exchange: Exchange): string | undefined {
  const body = exchange.json as { error?: { code?: unknown }; error_code?: unknown } | undefined;
  const code = body?.error?.code ?? body?.error_code;
  return typeof code === "string" ? code : undefined;
}

/** The image IDs a finished job names: its own image, or each sub-job's (data images). */
export function imagesOfJob(job: Record<string, unknown>): string[] {
  const entities = (job.entities ?? {}) as { image_id?: unknown; sub_jobs_result?: { entities?: { image_id?: unknown } }[] };
  const ids = [entities.image_id, ...(entities.sub_jobs_result ?? []).map((sub) => sub.entities?.image_id)];
  return [...new Set(ids.filter((id): id is string => typeof id === "string" && id.length > 0))];
}

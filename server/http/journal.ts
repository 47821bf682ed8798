// The request journal (`GET /_stub/requests`): what the stub received on the IMS API, for tests that ask "did my
// client poll at most 10 times, signed with this key?" and for the reason of each refusal. It is a ring of
// `--journal-size` slots: recording a request stores one small object of values already at hand (no
// serialisation, the time kept as a number), so that the journal costs next to nothing of what it records;
// entries are put in the control API's shape only when someone asks for them.
import type { Response } from "express";
import type { components } from "../../generated/control-openapi.js";
import type { StubRequest } from "./handler.js";

export type JournalEntry = components["schemas"]["JournalEntry"];

/** One request as recorded: the fields of a JournalEntry, unformatted. */
type Recorded = {
  at: number;
  requestId: string;
  method: string;
  path: string;
  query: string | undefined;
  operation: string | undefined;
  status: number | null;
  durationMs: number;
  auth: "token" | "aksk" | undefined;
  ak: string | undefined;
  projectId: string | undefined;
  jobId: string | undefined;
  imageId: string | undefined;
  prefer: string | undefined;
  fault: JournalEntry["fault"];
  delayMs: number | undefined;
  statusRule: boolean | undefined;
  faultRule: string | undefined;
  errorCode: string | undefined;
  reason: string | undefined;
};

export type JournalFilter = { operation?: string; status?: { exact: number } | { class: number }; since?: number };

/** The query string as sent, without its `?`; none when empty. */
function queryOf(url: string): string | undefined {
  const at = url.indexOf("?");
  return at === -1 || at === url.length - 1 ? undefined : url.slice(at + 1);
}

/** `SDK-HMAC-SHA256 Access=AK, ...`: the access key of a signature the stub refused (a caller it accepted has it already). */
const accessKeyOf = (authorization: string | undefined) => (authorization ? /\bAccess=([^,\s]+)/.exec(authorization)?.[1] : undefined);

export class RequestJournal {
  private readonly slots: (Recorded | undefined)[];
  /** Where the next entry goes; the oldest is `size` slots before it. */
  private next = 0;
  private size = 0;
  private droppedCount = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array(capacity);
  }

  get enabled(): boolean {
    return this.capacity > 0;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.next = 0;
    this.size = 0;
    this.droppedCount = 0;
  }

  /**
   * Records an answered (or abandoned) request, from what its steps left in `res.locals`: the operation and its
   * path parameters (fault step), the job a create started, the fault applied, the refusal's code and reason.
   */
  record(res: Response, path: string, durationMs: number): void {
    if (this.capacity === 0) return;
    const req = res.req as StubRequest;
    const locals = res.locals;
    const caller = req.caller;
    const params = locals.params as Record<string, string> | undefined;
    const entry: Recorded = {
      // When it started, on the wall clock, on which a client reads `since` and the time between its requests (not
      // the stub's `now`, which a test may stop). The monotonic clock durations are taken on stands apart from the
      // wall clock by a millisecond or more, and further as a process runs.
      at: Date.now() - durationMs,
      requestId: locals.requestId as string,
      method: req.method,
      path,
      query: queryOf(req.originalUrl),
      operation: locals.operationId as string | undefined,
      status: res.headersSent ? res.statusCode : null,
      durationMs,
      auth: caller?.scheme,
      ak: caller ? caller.ak : locals.errorCode === undefined ? undefined : accessKeyOf(req.headers.authorization),
      projectId: caller?.projectId,
      jobId: (locals.jobId as string | undefined) ?? params?.job_id,
      imageId: params?.image_id,
      prefer: req.headers.prefer as string | undefined,
      fault: locals.fault as JournalEntry["fault"],
      delayMs: locals.delayMs as number | undefined,
      statusRule: locals.statusRule as boolean | undefined,
      faultRule: locals.faultRule as string | undefined,
      errorCode: locals.errorCode as string | undefined,
      reason: locals.errorReason as string | undefined,
    };
    if (this.size === this.capacity) this.droppedCount++;
    else this.size++;
    this.slots[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  /** The recorded requests that pass the filter, oldest first. */
  list(filter: JournalFilter = {}): JournalEntry[] {
    const found: JournalEntry[] = [];
    for (let i = 0; i < this.size; i++) {
      const entry = this.slots[(this.next - this.size + i + this.capacity) % this.capacity]!;
      if (filter.operation !== undefined && entry.operation !== filter.operation) continue;
      if (filter.since !== undefined && entry.at < filter.since) continue;
      if (filter.status) {
        if ("exact" in filter.status ? entry.status !== filter.status.exact : entry.status === null || Math.floor(entry.status / 100) !== filter.status.class) continue;
      }
      found.push(shape(entry));
    }
    return found;
  }
}

function shape(entry: Recorded): JournalEntry {
  const shaped: JournalEntry = {
    time: new Date(Math.floor(entry.at)).toISOString(),
    request_id: entry.requestId,
    method: entry.method,
    path: entry.path,
    status: entry.status,
    duration_ms: Math.round(entry.durationMs * 1000) / 1000,
  };
  const optional: Omit<JournalEntry, "time" | "request_id" | "method" | "path" | "status" | "duration_ms"> = {
    query: entry.query,
    operation: entry.operation,
    auth: entry.auth,
    ak: entry.ak,
    project_id: entry.projectId,
    job_id: entry.jobId,
    image_id: entry.imageId,
    prefer: entry.prefer,
    fault: entry.fault,
    delay_ms: entry.delayMs,
    status_rule: entry.statusRule,
    fault_rule: entry.faultRule,
    error_code: entry.errorCode,
    reason: entry.reason,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) (shaped as Record<string, unknown>)[key] = value;
  return shaped;
}

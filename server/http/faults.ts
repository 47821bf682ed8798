// Faults and latency on demand, for client teams' retry and timeout code: per request with `Prefer: fault=...`
// or `delay=MS`, or by rule through the control API (`/_stub/faults`): an operation, optionally narrowed to a
// source or a job, for the next N requests or with a seeded probability. A fault spoils the answer, never the
// work: the operation runs (a faulted create starts its job, a faulted poll counts), and its answer is then
// lost (connection reset, closed empty), cut off (malformed body) or held back (delay), as when a connection
// drops on the way back. Applied to the IMS operations only. With no rule and no Prefer header, a request pays
// one check.
import { randomInt } from "node:crypto";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { components } from "../../generated/control-openapi.js";
import type { ResponseExamples } from "../contract/canned-responses.js";
import { cannedResponse } from "../contract/canned-responses.js";
import type { OpenApiDocument } from "../contract/spec.js";
import { ImsError } from "../ims/errors.js";
import { parsePrefer } from "../ims/prefer.js";
import { seededRandom } from "../seeded-random.js";

export type FaultRule = components["schemas"]["FaultRule"];
export type FaultRuleState = components["schemas"]["FaultRuleState"];
export type Fault = components["schemas"]["Fault"];

export const FAULTS: readonly Fault[] = ["connection-reset", "empty-response", "malformed-body"];
/** The longest delay asked for: two minutes, past the timeouts clients usually set, short of hanging a test run. */
export const MAX_DELAY_MS = 120_000;

/** What happens to one answer. */
type Spoil = { fault?: Fault; delayMs?: number; status?: number; ruleId?: string };

type StoredRule = FaultRule & { rule_id: string; applied: number; draw?: () => number };

/** What the rules need to know of each operation: whether it has a job in its path or a source in its body. */
type OperationFacts = { jobInPath: boolean; sourceInBody: boolean; errorStatuses: number[] };

const refuse = (detail: string) => new ImsError("IMG.0001", detail);

/** Whether a create's body names this server, volume or file (at the top or in a data disk item). */
function bodyNames(body: unknown, sourceId: string): boolean {
  if (typeof body !== "object" || body === null) return false;
  const record = body as Record<string, unknown>;
  if (record.instance_id === sourceId || record.volume_id === sourceId || record.image_url === sourceId) return true;
  const items = Array.isArray(record.data_images) ? (record.data_images as Record<string, unknown>[]) : [];
  return items.some((item) => typeof item === "object" && item !== null && (item.volume_id === sourceId || item.image_url === sourceId));
}

function operationFacts(spec: OpenApiDocument): Map<string, OperationFacts> {
  const facts = new Map<string, OperationFacts>();
  for (const [path, pathItem] of Object.entries(spec.paths)) {
    for (const operation of Object.values(pathItem)) {
      if (!operation?.operationId) continue;
      const body = JSON.stringify((operation as { requestBody?: unknown }).requestBody ?? {});
      facts.set(operation.operationId, {
        jobInPath: path.includes("{job_id}"),
        sourceInBody: body.includes("/CreateImageRequestBody"),
        errorStatuses: Object.keys(operation.responses ?? {})
          .map(Number)
          .filter((status) => status >= 400),
      });
    }
  }
  return facts;
}

/** A request's own `fault` and `delay` preferences, checked; undefined when it states neither. */
function preferredSpoil(preferHeader: string): Spoil | undefined {
  const preferences = parsePrefer(preferHeader);
  const fault = preferences.get("fault");
  const delay = preferences.get("delay");
  if (fault === undefined && delay === undefined) return undefined;
  if (fault !== undefined && !FAULTS.includes(fault as Fault)) {
    throw refuse(`Prefer: fault must be one of ${FAULTS.join(", ")} (got ${JSON.stringify(fault)}).`);
  }
  if (delay !== undefined && (!/^\d{1,9}$/.test(delay) || Number(delay) > MAX_DELAY_MS)) {
    throw refuse(`Prefer: delay must be a whole number of milliseconds from 0 to ${MAX_DELAY_MS} (the stub's cap, two minutes), not ${JSON.stringify(delay)}.`);
  }
  return { ...(fault !== undefined && { fault: fault as Fault }), ...(delay !== undefined && { delayMs: Number(delay) }) };
}

/** The answer as the fault leaves it: reset, closed without a byte, or a 200 whose JSON is cut off halfway. */
function breakAnswer(res: Response, fault: Fault, end: Response["end"], args: unknown[]): void {
  if (fault === "connection-reset") {
    res.socket?.resetAndDestroy();
    return;
  }
  if (fault === "empty-response") {
    res.socket?.destroy();
    return;
  }
  const [chunk] = args;
  const text = typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? chunk.toString("utf8") : "";
  const json = text.trimStart().startsWith("{") ? text : '{"error":';
  const cut = json.slice(0, Math.max(1, Math.floor(json.length / 2)));
  res.statusCode = 200;
  res.setHeader("Content-Type", "application/json");
  res.setHeader("Content-Length", Buffer.byteLength(cut));
  (end as (chunk: string) => Response).call(res, cut);
}

/**
 * Spoils this response's answer: whatever sends it (a handler, a canned answer, the error handler) ends in
 * `res.end`, which is replaced on this one response only. A delay's timer is cleared if the connection closes
 * first, so that a client that gave up leaves nothing behind.
 */
function spoil(res: Response, { fault, delayMs }: Spoil): void {
  const end = res.end;
  res.end = function (this: Response, ...args: unknown[]) {
    const deliver = () => (fault ? breakAnswer(this, fault, end, args) : (end as (...a: unknown[]) => Response).apply(this, args));
    if (!delayMs) {
      deliver();
      return this;
    }
    const timer = setTimeout(deliver, delayMs);
    this.once("close", () => clearTimeout(timer));
    return this;
  } as Response["end"];
}

export class FaultRules {
  private rules: StoredRule[] = [];
  private nextRuleId = 1;
  private readonly operations: Map<string, OperationFacts>;

  constructor(
    spec: OpenApiDocument,
    private readonly examples: ResponseExamples,
  ) {
    this.operations = operationFacts(spec);
  }

  /** Checks a rule against the contract (the schema has checked its types and ranges) and adds it. */
  add(rule: FaultRule): { rule_id: string; seed?: number } {
    const facts = this.operations.get(rule.operation);
    if (!facts) throw refuse(`operation ${JSON.stringify(rule.operation)} is not an IMS operation; the operations are ${[...this.operations.keys()].join(", ")}.`);
    if (rule.fault === undefined && rule.delay_ms === undefined && rule.status === undefined) {
      throw refuse(`a fault rule says what happens: fault (${FAULTS.join(", ")}), delay_ms (0 to ${MAX_DELAY_MS}), status, or a delay_ms with either.`);
    }
    if (rule.fault !== undefined && rule.status !== undefined) throw refuse("a fault rule has a fault or a status, not both: the fault spoils whatever the answer would be.");
    if (rule.status !== undefined && !facts.errorStatuses.includes(rule.status)) {
      throw refuse(`status ${rule.status} is not a documented error response of ${rule.operation}; its error statuses are ${facts.errorStatuses.join(", ")}.`);
    }
    if (rule.job_id !== undefined && !facts.jobInPath) {
      const jobOperations = [...this.operations].filter(([, f]) => f.jobInPath).map(([name]) => name);
      throw refuse(`job_id narrows the reads of a job (${jobOperations.join(", ")}); ${rule.operation} names no job.`);
    }
    if (rule.source_id !== undefined && !facts.sourceInBody) {
      const sourceOperations = [...this.operations].filter(([, f]) => f.sourceInBody).map(([name]) => name);
      throw refuse(`source_id narrows creates (${sourceOperations.join(", ")}); ${rule.operation} has no source in its body.`);
    }
    if (rule.seed !== undefined && rule.probability === undefined) throw refuse("seed goes with probability: without a probability, every matching request is spoiled and nothing is drawn.");
    const seed = rule.probability === undefined ? undefined : (rule.seed ?? randomInt(0, 2 ** 32));
    const ruleId = `fault-${this.nextRuleId++}`;
    this.rules.push({ ...rule, ...(seed !== undefined && { seed, draw: seededRandom(seed) }), rule_id: ruleId, applied: 0 });
    return { rule_id: ruleId, ...(seed !== undefined && { seed }) };
  }

  list(): FaultRuleState[] {
    return this.rules.map(({ draw: _draw, ...state }) => state);
  }

  clear(): void {
    this.rules = [];
  }

  /** The spoil of the first rule that matches the request and whose draw says so, if any. */
  private pick(operationId: string, req: Request): Spoil | undefined {
    for (const rule of this.rules) {
      if (rule.operation !== operationId) continue;
      if (rule.job_id !== undefined && req.params.job_id !== rule.job_id) continue;
      if (rule.source_id !== undefined && !bodyNames(req.body, rule.source_id)) continue;
      if (rule.draw && !(rule.draw() < rule.probability!)) continue;
      rule.applied++;
      if (rule.times !== undefined && --rule.times === 0) this.rules = this.rules.filter((r) => r !== rule);
      return { ...(rule.fault && { fault: rule.fault }), ...(rule.delay_ms !== undefined && { delayMs: rule.delay_ms }), ...(rule.status !== undefined && { status: rule.status }), ruleId: rule.rule_id };
    }
    return undefined;
  }

  /**
   * An operation's first step: notes the operation and its path parameters for the request's journal entry, and
   * spoils the answer when the request's Prefer header or a rule says so. A rule's status is answered here, in
   * front of the operation, as the gateway would.
   */
  step(operationId: string): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      res.locals.operationId = operationId;
      res.locals.params = req.params;
      // Node joins repeated headers of this kind into one string.
      const prefer = req.headers.prefer as string | undefined;
      if (prefer === undefined && this.rules.length === 0) return next();
      let chosen: Spoil | undefined;
      try {
        chosen = (prefer !== undefined ? preferredSpoil(prefer) : undefined) ?? this.pick(operationId, req);
      } catch (error) {
        return next(error);
      }
      if (!chosen) return next();
      res.locals.fault = chosen.fault;
      res.locals.delayMs = chosen.delayMs;
      res.locals.faultRule = chosen.ruleId;
      if (chosen.fault || chosen.delayMs) spoil(res, chosen);
      if (chosen.status === undefined) return next();
      const canned = cannedResponse(this.examples, operationId, new Map([["code", String(chosen.status)]]))!;
      const body = canned.body as { error?: { code?: string }; error_code?: string } | undefined;
      res.locals.statusRule = true;
      res.locals.errorCode = body?.error?.code ?? body?.error_code;
      res.locals.errorReason = `fault rule ${chosen.ruleId} answered ${chosen.status} in place of ${operationId}`;
      res.status(canned.status).set(canned.headers ?? {});
      if (canned.body === undefined) res.end();
      else res.type("application/json").send(JSON.stringify(canned.body));
    };
  }
}

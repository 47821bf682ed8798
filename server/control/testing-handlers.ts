// The control operations for client teams' tests: fault rules (`/_stub/faults`) and the request journal
// (`/_stub/requests`), and the reset that also forgets them and the rate limit's count.
import type { Handler } from "../http/handler.js";
import type { FaultRule, FaultRules } from "../http/faults.js";
import type { JournalFilter, RequestJournal } from "../http/journal.js";
import type { RateLimiter } from "../http/rate-limit.js";
import { ImsError } from "../ims/errors.js";
import type { ControlOperationId, TestingOperationId } from "./operation-ids.js";

export type TestingState = { journal: RequestJournal; faults: FaultRules; rateLimiter: RateLimiter | undefined; operationIds: readonly string[] };

/** The journal's filters from the query (its types and forms were checked against the control contract). */
function journalFilter(query: Record<string, unknown>, operationIds: readonly string[]): JournalFilter {
  const filter: JournalFilter = {};
  if (typeof query.operation === "string") {
    if (!operationIds.includes(query.operation)) {
      throw new ImsError("IMG.0001", `operation ${JSON.stringify(query.operation)} is not an IMS operation; the operations are ${operationIds.join(", ")}.`);
    }
    filter.operation = query.operation;
  }
  if (typeof query.status === "string") {
    filter.status = query.status.endsWith("xx") ? { class: Number(query.status[0]) } : { exact: Number(query.status) };
  }
  if (typeof query.since === "string") filter.since = Date.parse(query.since);
  return filter;
}

export function withTestingHandlers(
  base: Record<Exclude<ControlOperationId, TestingOperationId>, Handler>,
  { journal, faults, rateLimiter, operationIds }: TestingState,
): Record<ControlOperationId, Handler> {
  return {
    ...base,
    ResetState(req, res) {
      journal.clear();
      faults.clear();
      rateLimiter?.reset();
      return base.ResetState(req, res);
    },
    ListRequests(req, res) {
      const filter = journalFilter(req.query as Record<string, unknown>, operationIds);
      res.json({ requests: journal.list(filter), dropped: journal.dropped, capacity: journal.capacity });
    },
    AddFaultRule(req, res) {
      res.status(201).json(faults.add(req.body as FaultRule));
    },
    ListFaultRules(_req, res) {
      res.json({ rules: faults.list() });
    },
    ClearFaultRules(_req, res) {
      faults.clear();
      res.status(204).end();
    },
  };
}

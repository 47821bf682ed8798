// Every answer of the run, the workflows' too, against the response the contract documents for its operation and
// status: a documented status, the documented content type (none and no body for a 204), a body of the
// documented schema. One check per operation and status; a failure names the first answer that broke it.
import type { Run } from "../run.js";

const RULE = "each answer has a status the contract documents for its operation, with that response's content type and schema (a 204 has no body)";

export function checkProtocol(run: Run): void {
  const verdicts = new Map<string, { problems: Map<string, (typeof run.provider.exchanges)[number]>; operationId: string }>();
  for (const exchange of run.provider.exchanges) {
    if (!exchange.operationId || exchange.failure) continue;
    // The gateway answers 401 and 429 before the service: its own body shape, documented as such.
    const key = `${exchange.operationId} ${exchange.status}`;
    let verdict = verdicts.get(key);
    if (!verdict) {
      verdict = { problems: new Map(), operationId: exchange.operationId };
      verdicts.set(key, verdict);
    }
    for (const problem of run.contract.answerProblems(exchange.operationId, exchange.status, exchange.contentType, exchange.text, exchange.contentLength)) {
      if (!verdict.problems.has(problem)) verdict.problems.set(problem, exchange);
    }
  }
  for (const [key, { problems, operationId }] of verdicts) {
    if (problems.size === 0) run.pass("protocol", `${key}: documented status, content type and body`, RULE, operationId);
    for (const [problem, exchange] of problems) run.fail("protocol", `${key}: ${problem}`, RULE, problem, exchange, operationId);
  }
  const failures = run.provider.exchanges.filter((exchange) => exchange.failure);
  for (const exchange of failures.slice(0, 5)) run.fail("protocol", "every request gets an answer", "the provider answers every request (no reset, no time-out)", exchange.failure!, exchange);
}

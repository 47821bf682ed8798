// What a run found, in the forms people and CI read: a console summary, JUnit XML, JSON, and Markdown with a
// coverage table (operation × documented status: exercised or not, with the IMG codes seen), as Specmatic
// reports API coverage.
import type { Contract } from "./contract.js";
import type { Exchange } from "./provider.js";

export type CheckGroup = "workflow" | "auth" | "refusal" | "negative" | "state" | "protocol" | "isolation" | "stub-only" | "cleanup";

export type Check = {
  group: CheckGroup;
  /** What was checked, in a line. */
  name: string;
  /** The rule of the contract or of the IMS documentation it holds the provider to. */
  rule: string;
  operationId?: string | undefined;
  outcome: "passed" | "failed" | "skipped";
  /** Why it failed, or why it was skipped. */
  message?: string;
  /** The request and answer that broke the rule. */
  evidence?: { request: string; answer: string };
};

export type Report = {
  server: string;
  stub: boolean;
  allowCreate: boolean;
  seed: number;
  startedAt: string;
  seconds: number;
  checks: Check[];
  coverage: CoverageRow[];
  leftBehind: string[];
};

export type CoverageRow = { operationId: string; status: number; documented: boolean; exercised: number; codes: string[] };

const short = (text: string, max = 400) => (text.length > max ? `${text.slice(0, max)}…` : text);

export function describeRequest(exchange: Exchange): string {
  return `${exchange.method} ${exchange.target}${exchange.requestBody !== undefined ? ` ${short(exchange.requestBody, 300)}` : ""}`;
}

export function describeAnswer(exchange: Exchange): string {
  if (exchange.failure) return `no answer: ${exchange.failure}`;
  return `${exchange.status} ${exchange.contentType ?? "(no Content-Type)"} ${short(exchange.text, 300)}`.trim();
}

export const evidenceOf = (exchange: Exchange) => ({ request: describeRequest(exchange), answer: describeAnswer(exchange) });

/** Operation × status, documented or seen, with how often each was exercised and the IMG codes seen. */
export function coverage(contract: Contract, exchanges: readonly Exchange[]): CoverageRow[] {
  const rows = new Map<string, CoverageRow>();
  const key = (operationId: string, status: number) => `${operationId} ${status}`;
  for (const route of contract.routes) {
    for (const status of contract.documentedStatuses(route.operationId)) {
      rows.set(key(route.operationId, status), { operationId: route.operationId, status, documented: true, exercised: 0, codes: [] });
    }
  }
  for (const exchange of exchanges) {
    if (!exchange.operationId || exchange.failure) continue;
    let row = rows.get(key(exchange.operationId, exchange.status));
    if (!row) {
      row = { operationId: exchange.operationId, status: exchange.status, documented: false, exercised: 0, codes: [] };
      rows.set(key(exchange.operationId, exchange.status), row);
    }
    row.exercised += 1;
    const code = (exchange.json as { error?: { code?: unknown }; error_code?: unknown } | undefined)?.error?.code ?? (exchange.json as { error_code?: unknown } | undefined)?.error_code;
    if (typeof code === "string" && !row.codes.includes(code)) row.codes.push(code);
  }
  const order = contract.routes.map((route) => route.operationId);
  return [...rows.values()].sort((a, b) => order.indexOf(a.operationId) - order.indexOf(b.operationId) || a.status - b.status).map((row) => ({ ...row, codes: row.codes.sort() }));
}

export const failed = (report: Report) => report.checks.filter((check) => check.outcome === "failed");

const escapeXml = (text: string) => text.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);

/** One test suite per group, one test case per check; a failure carries the rule, the request and the answer. */
export function junit(report: Report): string {
  const groups = [...new Set(report.checks.map((check) => check.group))];
  const suites = groups.map((group) => {
    const checks = report.checks.filter((check) => check.group === group);
    const cases = checks.map((check) => {
      const name = `${check.operationId ? `${check.operationId}: ` : ""}${check.name}`;
      let inner = "";
      if (check.outcome === "failed") {
        const detail = [check.message, `rule: ${check.rule}`, check.evidence && `request: ${check.evidence.request}`, check.evidence && `answer: ${check.evidence.answer}`].filter(Boolean).join("\n");
        inner = `<failure message="${escapeXml(check.message ?? check.name)}">${escapeXml(detail)}</failure>`;
      } else if (check.outcome === "skipped") {
        inner = `<skipped message="${escapeXml(check.message ?? "")}"/>`;
      }
      return `    <testcase classname="ims-verify.${escapeXml(group)}" name="${escapeXml(name)}">${inner}</testcase>`;
    });
    const failures = checks.filter((check) => check.outcome === "failed").length;
    const skipped = checks.filter((check) => check.outcome === "skipped").length;
    return `  <testsuite name="${escapeXml(group)}" tests="${checks.length}" failures="${failures}" skipped="${skipped}">\n${cases.join("\n")}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ims-verify">\n${suites.join("\n")}\n</testsuites>\n`;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function markdown(report: Report): string {
  const count = (outcome: Check["outcome"]) => report.checks.filter((check) => check.outcome === outcome).length;
  const lines = [
    `# ims-verify: ${report.server}`,
    "",
    `${failed(report).length === 0 ? "**Passed**" : "**Failed**"}: ${count("passed")} checks passed, ${count("failed")} failed, ${count("skipped")} skipped, in ${report.seconds.toFixed(1)} s` +
      ` (${report.stub ? "the IMS stub" : "not the stub: the stub-only checks were skipped"}; ${report.allowCreate ? "with" : "without"} --allow-create; seed ${report.seed}).`,
    "",
  ];
  const failures = failed(report);
  if (failures.length > 0) {
    lines.push("## Failures", "");
    for (const check of failures) {
      lines.push(`- **${check.group}**${check.operationId ? ` ${check.operationId}` : ""}: ${check.name}`, `  - ${check.message ?? ""}`, `  - rule: ${check.rule}`);
      if (check.evidence) lines.push(`  - request: \`${check.evidence.request}\``, `  - answer: \`${check.evidence.answer}\``);
    }
    lines.push("");
  }
  lines.push("## Checks by group", "", "| group | passed | failed | skipped |", "|---|---|---|---|");
  for (const group of [...new Set(report.checks.map((check) => check.group))]) {
    const of = report.checks.filter((check) => check.group === group);
    lines.push(`| ${group} | ${of.filter((c) => c.outcome === "passed").length} | ${of.filter((c) => c.outcome === "failed").length} | ${of.filter((c) => c.outcome === "skipped").length} |`);
  }
  const skipped = report.checks.filter((check) => check.outcome === "skipped");
  if (skipped.length > 0) {
    lines.push("", "## Skipped", "");
    for (const check of skipped) lines.push(`- ${check.group}: ${check.name}: ${check.message ?? ""}`);
  }
  const documented = report.coverage.filter((row) => row.documented);
  const exercised = documented.filter((row) => row.exercised > 0).length;
  lines.push("", `## Coverage: ${exercised} of ${documented.length} documented responses exercised`, "", "| operation | status | documented | exercised | IMG codes seen |", "|---|---|---|---|---|");
  for (const row of report.coverage) lines.push(`| ${row.operationId} | ${row.status} | ${row.documented ? "yes" : "**no**"} | ${row.exercised} | ${cell(row.codes.join(", "))} |`);
  if (report.leftBehind.length > 0) lines.push("", "## Not cleaned up", "", ...report.leftBehind.map((line) => `- ${line}`));
  return `${lines.join("\n")}\n`;
}

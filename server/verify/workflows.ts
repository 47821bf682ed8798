// The contract's Arazzo workflows under Redocly's runner (`redocly respect`), the readable core of the checks:
// each step's success criteria, status, content type and schema. Run on a copy of the workflows made for this
// provider: polls that wait as long as --job-timeout allows, and, when the provider is not the stub, without the
// stub's `Prefer`. respect talks to a forwarder on loopback that authenticates each request as the caller (it
// cannot sign AK/SK itself) and records each exchange, so the report's coverage and the clean-up see them too.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import type { Run } from "./run.js";

export type Workflow = { workflowId: string; summary?: string; "x-creates-nothing"?: boolean; "x-stub-only"?: boolean; steps: Step[] };
type Step = { stepId: string; description?: string; operationId?: string; parameters?: { reference?: string }[]; requestBody?: { payload?: unknown }; successCriteria?: { condition: string }[] };
type ArazzoDocument = {
  sourceDescriptions: { name: string; url: string }[];
  workflows: Workflow[];
  components: { failureActions: Record<string, { retryAfter: number; retryLimit: number }> };
};
type RespectCheck = { name: string; passed: boolean; message: string };
type RespectStep = { stepId: string; request?: { method: string; url: string }; response?: { statusCode: number; body?: unknown }; checks: RespectCheck[] };
type RespectReport = { status: string; files: Record<string, { executedWorkflows: { workflowId: string; status: string; executedSteps: RespectStep[] }[] }> };

const here = dirname(fileURLToPath(import.meta.url));
/** The workflows: beside the bundled spec in the package, in spec/ in the repository. */
export const WORKFLOWS_FILE = [join(here, "../../generated/workflows/create-image.arazzo.yaml"), join(here, "../../spec/workflows/create-image.arazzo.yaml")].find((file) =>
  existsSync(file),
)!;
/** The token respect sends when the forwarder signs AK/SK in its place. */
const SIGN_HERE = "signed-by-ims-verify";
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host", "content-length", "accept-encoding"]);

export function loadWorkflows(): ArazzoDocument {
  return parse(readFileSync(WORKFLOWS_FILE, "utf8")) as ArazzoDocument;
}

export function respectBin(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("@redocly/cli/package.json")), "bin/cli.js");
  } catch {
    return undefined;
  }
}

/** The workflows as this provider needs them: absolute sources, polls that last the job timeout, `Prefer` for the stub only. */
function workflowsFor(document: ArazzoDocument, stub: boolean, jobTimeoutMs: number): ArazzoDocument {
  const copy = structuredClone(document);
  for (const source of copy.sourceDescriptions) source.url = resolve(dirname(WORKFLOWS_FILE), source.url);
  if (!stub) {
    // A poll a few seconds apart, as often as the job timeout allows: the real IMS takes minutes per image.
    const retryAfter = Math.min(Math.max(jobTimeoutMs / 1000 / 120, 0.5), 10);
    copy.components.failureActions.pollAgain = { ...copy.components.failureActions.pollAgain!, retryAfter, retryLimit: Math.ceil(jobTimeoutMs / 1000 / retryAfter) };
    for (const workflow of copy.workflows) {
      for (const step of workflow.steps) step.parameters = step.parameters?.filter((parameter) => parameter.reference !== "$components.parameters.perPoll");
    }
  }
  return copy;
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length > 0 ? Buffer.concat(chunks).toString("utf8") : undefined;
}

/** A forwarder on loopback: each request goes to the provider through the run's client (authenticated, recorded). */
async function startForwarder(run: Run): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name) && typeof value === "string") headers[name] = value;
    // A step with credentials gets the caller's (signed for AK/SK); a step without any is sent without any.
    const withCredentials = headers["x-auth-token"] !== undefined;
    if (headers["x-auth-token"] === SIGN_HERE || run.provider.usesAksk) delete headers["x-auth-token"];
    const answer = await run.provider.request(req.method!, req.url!, { ...(body !== undefined && { rawBody: body }), headers, auth: withCredentials ? "caller" : "none" });
    if (answer.failure) {
      res.destroy();
      return;
    }
    res.writeHead(answer.status, answer.contentType ? { "Content-Type": answer.contentType } : {}).end(answer.text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs the chosen workflows under respect and records one check per step; returns false when respect could not run. */
export async function runWorkflows(run: Run, chosen: readonly Workflow[], bin: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ims-verify-"));
  const forwarder = await startForwarder(run);
  try {
    const file = join(dir, "create-image.arazzo.yaml");
    writeFileSync(file, stringify(workflowsFor(loadWorkflows(), run.settings.stub, run.settings.jobTimeoutMs)));
    const reportFile = join(dir, "respect.json");
    const token = "token" in run.provider.credentials ? run.provider.credentials.token : SIGN_HERE;
    const args = [bin, "respect", file, "--server", `ims=${forwarder.url}`, "--input", `token=${token}`, "--input", `projectId=${run.provider.projectId}`, "-J", reportFile];
    for (const workflow of chosen) args.push("--workflow", workflow.workflowId);
    const output = await new Promise<string>((resolve) =>
      execFile(process.execPath, args, { env: { ...process.env, NO_COLOR: "1", REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" }, maxBuffer: 64 * 1024 * 1024 }, (_error, stdout, stderr) =>
        resolve(`${stdout}${stderr}`),
      ),
    );
    if (!existsSync(reportFile)) {
      run.fail("workflow", "the workflows ran", "redocly respect runs the contract's workflows", `redocly respect wrote no report: ${output.trim().split("\n").slice(-3).join(" / ")}`);
      return;
    }
    const report = JSON.parse(readFileSync(reportFile, "utf8")) as RespectReport;
    const executed = Object.values(report.files).flatMap((f) => f.executedWorkflows);
    for (const workflow of chosen) {
      const result = executed.find((w) => w.workflowId === workflow.workflowId);
      if (!result) {
        run.fail("workflow", workflow.workflowId, workflow.summary ?? workflow.workflowId, "respect did not run this workflow");
        continue;
      }
      // A step retried (a poll) appears once per attempt: its last attempt is its verdict.
      const steps = new Map(result.executedSteps.map((step) => [step.stepId, step]));
      for (const step of steps.values()) {
        const declared = workflow.steps.find((s) => s.stepId === step.stepId);
        const rule = declared?.description ?? declared?.successCriteria?.map((c) => c.condition).join(" and ") ?? workflow.summary ?? "";
        const broken = step.checks.filter((check) => !check.passed);
        const name = `${workflow.workflowId} › ${step.stepId}`;
        if (broken.length === 0) run.pass("workflow", name, rule, declared?.operationId);
        else
          run.record({
            group: "workflow",
            name,
            rule,
            operationId: declared?.operationId,
            outcome: "failed",
            message: [...new Set(broken.map((check) => `${check.name}: ${check.message.split("\n").filter(Boolean).slice(0, 3).join(" ")}`))].join("; "),
            ...(step.request && {
              // A step whose request could not be made has no URL: say so rather than fail on it.
              evidence: {
                request: `${step.request.method?.toUpperCase() ?? ""} ${URL.canParse(step.request.url) ? new URL(step.request.url).pathname : "(not sent)"}`,
                answer: `${step.response?.statusCode ?? "no answer"} ${JSON.stringify(step.response?.body ?? "").slice(0, 300)}`,
              },
            }),
          });
      }
    }
  } finally {
    await forwarder.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

#!/usr/bin/env node
// `ims-verify --server URL`: checks any provider of the IMS CreateImage API (the real IMS, another team's mock,
// this stub) against the contract, by running the contract's Arazzo workflows with Redocly's runner
// (`redocly respect`), which also checks every answer's status, content type and schema.
// Safe by default against a real cloud: without --allow-create it runs only the workflows marked
// `x-creates-nothing` (reads, and requests the contract says are refused), so it never creates, changes or deletes
// anything, and never a billable image.
// respect cannot sign SDK-HMAC-SHA256 requests, so with --ak/--sk it goes through a validating proxy on
// loopback that signs each request it accepted.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { describeNetworkFailure } from "../client/errors.js";
import { closestName } from "../client/suggest.js";
import { createApp } from "./app.js";
import { parseFlags, UsageError } from "./cli-args.js";
import { serve } from "./http/serve.js";

const HELP = `Usage: ims-verify --server URL (--token TOKEN | --ak AK --sk SK) --project-id ID [options]

Runs the IMS CreateImage contract's workflows against a provider with redocly respect and exits non-zero on
any failed check.

  --server URL        the provider's base URL, for example https://ims.cn-north-4.myhuaweicloud.com
  --token TOKEN       an X-Auth-Token
  --ak AK --sk SK     an AK/SK pair (requests are signed by a proxy on loopback)
  --project-id ID     the project the credentials belong to
  --allow-create      also run the workflows that create images (billable on a real cloud)
  --workflow ID       run only this workflow (repeatable)
  --junit FILE        write a JUnit XML report
  --help              this text`;

type Workflow = { workflowId: string; summary?: string; "x-creates-nothing"?: boolean; "x-stub-only"?: boolean };
type Check = { name: string; passed: boolean; message: string };
type RespectReport = { status: string; files: Record<string, { executedWorkflows: { workflowId: string; status: string; executedSteps: { stepId: string; checks: Check[] }[] }[] }> };

const here = dirname(fileURLToPath(import.meta.url));
/** The workflows: beside the bundled spec in the package, in spec/ in the repository. */
const WORKFLOWS = [join(here, "../generated/workflows/create-image.arazzo.yaml"), join(here, "../spec/workflows/create-image.arazzo.yaml")].find((file) => existsSync(file))!;

function respectBin(): string | undefined {
  try {
    const cliPackage = createRequire(import.meta.url).resolve("@redocly/cli/package.json");
    return join(dirname(cliPackage), "bin/cli.js");
  } catch {
    return undefined;
  }
}

const escapeXml = (text: string) => text.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);

/** One test suite per workflow, one test case per step (its last attempt), a failure per failed check. */
function junit(report: RespectReport): string {
  const suites = Object.values(report.files).flatMap((file) =>
    file.executedWorkflows.map((workflow) => {
      const steps = new Map(workflow.executedSteps.map((step) => [step.stepId, step]));
      const cases = [...steps.values()].map((step) => {
        const failed = step.checks.filter((check) => !check.passed);
        const failures = failed.map((check) => `<failure message="${escapeXml(check.name)}">${escapeXml(check.message)}</failure>`).join("");
        return `    <testcase classname="${escapeXml(workflow.workflowId)}" name="${escapeXml(step.stepId)}">${failures}</testcase>`;
      });
      const failures = [...steps.values()].filter((step) => step.checks.some((check) => !check.passed)).length;
      return `  <testsuite name="${escapeXml(workflow.workflowId)}" tests="${steps.size}" failures="${failures}">\n${cases.join("\n")}\n  </testsuite>`;
    }),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ims-verify">\n${suites.join("\n")}\n</testsuites>\n`;
}

/** Whether the provider is this stub; a UsageError when nothing answers there at all (slow is not nothing). */
async function isTheStub(server: string): Promise<boolean> {
  let res: Response;
  try {
    res = await fetch(new URL("/_stub/health", server), { signal: AbortSignal.timeout(3000) });
  } catch (error) {
    const failure = describeNetworkFailure(error);
    if (failure.kind === "timeout" || failure.kind === "network") return false;
    throw new UsageError(`cannot reach --server ${server}: ${failure.detail}`);
  }
  try {
    return res.ok && (await res.json()).status === "ok";
  } catch {
    return false;
  }
}

/** The command line, checked: every refusal names the flag and what it should be. */
function checkedFlags(values: Record<string, string | boolean | string[] | undefined>, workflows: readonly Workflow[]): void {
  const server = values.server as string | undefined;
  if (!server) throw new UsageError("--server is required: the provider's base URL, such as http://127.0.0.1:8080 or https://ims.cn-north-4.myhuaweicloud.com");
  if (!/^https?:\/\/[^/]/.test(server) || !URL.canParse(server)) {
    const withScheme = server.includes("://") ? "" : `; did you mean http://${server}?`;
    throw new UsageError(`--server must be an http:// or https:// URL, not ${JSON.stringify(server)}${withScheme}`);
  }
  if (!values["project-id"]) throw new UsageError("--project-id is required: the project the credentials belong to");
  const aksk = values.ak !== undefined || values.sk !== undefined;
  if (aksk && values.token !== undefined) throw new UsageError("give --token, or --ak with --sk, not both");
  if (aksk && !values.sk) throw new UsageError("--sk is required with --ak: an AK/SK pair needs both");
  if (aksk && !values.ak) throw new UsageError("--ak is required with --sk: an AK/SK pair needs both");
  if (!aksk && !values.token) throw new UsageError("credentials are required: give --token TOKEN, or --ak AK with --sk SK");
  const ids = workflows.map((w) => w.workflowId);
  for (const id of (values.workflow as string[] | undefined) ?? []) {
    if (ids.includes(id)) continue;
    const closest = closestName(id, ids);
    throw new UsageError(`--workflow ${id} is not a workflow of the contract${closest ? `; did you mean ${closest}?` : ""} (the workflows: ${ids.join(", ")})`);
  }
}

async function main(): Promise<number> {
  let values: Record<string, string | boolean | string[] | undefined>;
  const all = (parse(readFileSync(WORKFLOWS, "utf8")) as { workflows: Workflow[] }).workflows;
  let stub: boolean;
  try {
    values = parseFlags("ims-verify", process.argv.slice(2), {
      server: { type: "string" },
      token: { type: "string" },
      ak: { type: "string" },
      sk: { type: "string" },
      "project-id": { type: "string" },
      "allow-create": { type: "boolean", default: false },
      workflow: { type: "string", multiple: true },
      junit: { type: "string" },
      help: { type: "boolean" },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    checkedFlags(values, all);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`ims-verify: ${error.message}\n\n${HELP}`);
    return 2;
  }
  const server = values.server as string;
  const projectId = values["project-id"] as string;
  const aksk = values.ak !== undefined || values.sk !== undefined;
  const bin = respectBin();
  if (!bin) {
    console.error("ims-verify runs Redocly's workflow runner: npm install --save-dev @redocly/cli@2.77.0");
    return 2;
  }
  try {
    stub = await isTheStub(server);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`ims-verify: ${error.message}`);
    return 2;
  }

  const chosen = all.filter(
    (w) =>
      (values["allow-create"] || w["x-creates-nothing"]) && (stub || !w["x-stub-only"]) && (!values.workflow || (values.workflow as string[]).includes(w.workflowId)),
  );
  if (chosen.length === 0) {
    // respect runs every workflow of the file when it is given none: never let a filter that left none do that.
    const why = values["allow-create"] ? "they run only against the IMS stub" : "they create images: add --allow-create to run them";
    console.error(`ims-verify: none of the workflows asked for can run against ${server}: ${why}`);
    return 2;
  }
  const left = all.filter((w) => !chosen.includes(w)).map((w) => w.workflowId);
  console.log(`ims-verify: ${server}${stub ? " (the IMS stub)" : ""}: ${chosen.length} workflows${left.length ? `; not run: ${left.join(", ")}${values["allow-create"] ? "" : " (they create images: --allow-create)"}` : ""}`);

  // AK/SK: respect talks to a proxy on loopback that signs each request it accepted, and checks answers too.
  let target = server;
  let closeProxy = async () => {};
  if (aksk) {
    const proxy = createApp({ upstream: server, upstreamSignAs: { ak: values.ak as string, sk: values.sk as string, projectId }, log: false });
    const listening = await serve(proxy, 0, "127.0.0.1");
    target = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    closeProxy = () =>
      new Promise((resolve) => {
        listening.closeAllConnections();
        listening.close(() => resolve());
      });
  }

  const dir = mkdtempSync(join(tmpdir(), "ims-verify-"));
  try {
    const reportFile = join(dir, "respect.json");
    const args = [bin, "respect", WORKFLOWS, "--server", `ims=${target}`, "--input", `token=${values.token ?? "signed-by-ims-verify"}`, "--input", `projectId=${projectId}`, "-J", reportFile];
    for (const w of chosen) args.push("--workflow", w.workflowId);
    const output = await new Promise<string>((resolve) =>
      execFile(process.execPath, args, { env: { ...process.env, NO_COLOR: "1", REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" }, maxBuffer: 64 * 1024 * 1024 }, (_error, stdout, stderr) =>
        resolve(`${stdout}${stderr}`.replaceAll("\u00a0", " ")),
      ),
    );
    if (!existsSync(reportFile)) {
      console.error(output);
      console.error("ims-verify: redocly respect wrote no report");
      return 1;
    }
    const report = JSON.parse(readFileSync(reportFile, "utf8")) as RespectReport;
    const workflows = Object.values(report.files).flatMap((file) => file.executedWorkflows);
    for (const w of workflows) {
      const failed = w.executedSteps.flatMap((step) => step.checks.filter((check) => !check.passed).map((check) => `${step.stepId}: ${check.name}: ${check.message.split("\n", 1)[0]}`));
      console.log(`${w.status === "success" ? "PASS" : "FAIL"} ${w.workflowId}`);
      if (w.status !== "success") for (const line of [...new Set(failed)].slice(-5)) console.log(`     ${line}`);
    }
    const counts = /Checks: (\d+) passed(?:, (\d+) failed)?/.exec(output);
    console.log(`${workflows.filter((w) => w.status === "success").length} of ${workflows.length} workflows passed; checks: ${counts?.[1] ?? 0} passed, ${counts?.[2] ?? 0} failed`);
    if (values.junit) writeFileSync(values.junit as string, junit(report));
    return report.status === "success" && workflows.length === chosen.length && workflows.every((w) => w.status === "success") ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await closeProxy();
  }
}

process.exitCode = await main();

#!/usr/bin/env node
// `ims-verify --server URL`: checks any provider of the IMS API (the real IMS, another team's mock, this stub)
// against the contract, and exits 0 when it keeps it, 1 when it breaks it, 2 when it could not be verified.
// Safe by default against a real cloud: without --allow-create it sends only reads and requests the contract says
// are refused, so an honest provider creates, changes and deletes nothing. With it, every image the run made is
// deleted at the end, also after a failure or Ctrl-C. The checks live in verify/ (see its README).
import { randomInt } from "node:crypto";
import { writeFileSync } from "node:fs";
import { describeNetworkFailure } from "../client/errors.js";
import { closestName } from "../client/suggest.js";
import { parseFlags, UsageError } from "./cli-args.js";
import { cleanUp } from "./verify/cleanup.js";
import { Provider, withTimeout } from "./verify/provider.js";
import { failed, junit, markdown, type Report } from "./verify/report.js";
import { loadWorkflows, respectBin } from "./verify/workflows.js";
import { startVerification } from "./verify/verifier.js";

type Flag = { type: "string" | "boolean"; value?: string; help: string; default?: string; multiple?: boolean };

/** Every flag, once: the parser's options and the help text both come from here. */
const FLAGS: Record<string, Flag> = {
  server: { type: "string", value: "URL", help: "the provider's base URL, such as https://ims.cn-north-4.myhuaweicloud.com or http://127.0.0.1:8080" },
  token: { type: "string", value: "TOKEN", help: "an X-Auth-Token" },
  ak: { type: "string", value: "AK", help: "an access key (with --sk): each request is signed with SDK-HMAC-SHA256" },
  sk: { type: "string", value: "SK", help: "its secret key" },
  "project-id": { type: "string", value: "ID", help: "the project the credentials belong to" },
  "allow-create": { type: "boolean", help: "also check the image's life: creates images (billable on a real cloud), and deletes them at the end" },
  "job-timeout": { type: "string", value: "SECONDS", default: "1800", help: "how long a job may take before it counts as stuck (jobs are polled 0.25 s, then twice as long each time, up to 10 s)" },
  "request-timeout": { type: "string", value: "SECONDS", default: "60", help: "how long one request may take" },
  seed: { type: "string", value: "N", help: "the seed of the generated negative bodies (printed by every run; give it to replay one)" },
  negatives: { type: "string", value: "N", default: "12", help: "generated negative bodies per operation with a body" },
  "instance-id": { type: "string", value: "ID", default: "877a2cda-ba63-4e1e-b95f-e67e48b6129a", help: "a server the creates may image (the default is the stub's)" },
  "volume-id": { type: "string", value: "ID", default: "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30", help: "a data volume the creates may image" },
  "image-url": { type: "string", value: "BUCKET:FILE", default: "ims-image:centos70.qcow2", help: "an image file in OBS the creates may import" },
  workflow: { type: "string", value: "ID", multiple: true, help: "run only this workflow of the contract (repeatable), and none of the other checks" },
  junit: { type: "string", value: "FILE", help: "write a JUnit XML report (one test case per check)" },
  json: { type: "string", value: "FILE", help: "write the whole report as JSON (checks, coverage, what was left behind)" },
  markdown: { type: "string", value: "FILE", help: "write a Markdown summary with the coverage table, for a CI page" },
  help: { type: "boolean", help: "this text" },
};

const HELP = [
  "Usage: ims-verify --server URL (--token TOKEN | --ak AK --sk SK) --project-id ID [options]",
  "",
  "Checks a provider of the IMS image API against the contract: its workflows under redocly respect, every",
  "documented refusal, generated negative bodies, authentication and isolation, every answer's status, content",
  "type and schema, and with --allow-create the image's life as state. Exit 0: it keeps the contract; 1: it",
  "breaks it (each failure with its rule, request and answer); 2: it could not be verified.",
  "",
  ...Object.entries(FLAGS).map(([name, flag]) => {
    const left = `  --${name}${flag.value ? ` ${flag.value}` : ""}`;
    return `${left.padEnd(28)}${flag.help}${flag.default ? ` (default ${flag.default})` : ""}`;
  }),
].join("\n");

function positiveNumber(name: string, text: string, max: number): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new UsageError(`--${name} must be a number of ${name === "negatives" ? "bodies" : "seconds"} from 1 to ${max}, not ${JSON.stringify(text)}`);
  }
  return value;
}

type Values = Record<string, string | boolean | string[] | undefined>;

/** The command line, checked: every refusal names the flag and what it should be. */
function checkedFlags(values: Values): void {
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
  const ids = loadWorkflows().workflows.map((w) => w.workflowId);
  for (const id of (values.workflow as string[] | undefined) ?? []) {
    if (ids.includes(id)) continue;
    const closest = closestName(id, ids);
    throw new UsageError(`--workflow ${id} is not a workflow of the contract${closest ? `; did you mean ${closest}?` : ""} (the workflows: ${ids.join(", ")})`);
  }
  if (values.seed !== undefined && !/^\d{1,9}$/.test(values.seed as string)) throw new UsageError(`--seed must be a whole number of up to 9 digits, not ${JSON.stringify(values.seed)}`);
}

/** A run cannot start: the provider is out of reach, refuses the credentials, or is not an IMS API at all. */
async function preflight(server: string, headers: () => Promise<Headers>, timeoutMs: number): Promise<{ stub: boolean }> {
  let stub = false;
  try {
    // As long as any request may take: a loaded stub answering late must not be taken for another provider.
    stub = await withTimeout(timeoutMs, async (signal) => {
      const health = await fetch(new URL("/_stub/health", server), { signal });
      return health.ok && (((await health.json().catch(() => ({}))) as { status?: string }).status === "ok");
    });
  } catch (error) {
    const failure = describeNetworkFailure(error);
    if (failure.kind !== "timeout") throw new UsageError(`cannot reach --server ${server}: ${failure.detail}`);
  }
  const url = new URL("/v2/cloudimages?limit=1", server);
  let answer: Response;
  let text: string;
  try {
    const sent = await headers();
    [answer, text] = await withTimeout(timeoutMs, async (signal) => {
      const res = await fetch(url, { headers: sent, signal });
      return [res, await res.text()] as const;
    });
  } catch (error) {
    throw new UsageError(`cannot reach --server ${server}: ${describeNetworkFailure(error).detail}`);
  }
  const type = answer.headers.get("content-type") ?? "no Content-Type";
  if (answer.status === 401 || answer.status === 403) {
    throw new UsageError(`the provider refused the credentials: GET /v2/cloudimages answered ${answer.status} ${text.slice(0, 160)} (check --token, or --ak/--sk, and --project-id)`);
  }
  if (!type.includes("json")) throw new UsageError(`${server} does not answer as the IMS API: GET /v2/cloudimages answered ${answer.status} ${type} (${JSON.stringify(text.slice(0, 60))}); is --server the IMS endpoint?`);
  if (answer.status === 404) throw new UsageError(`${server} has no IMS image API: GET /v2/cloudimages answered 404 (is --server the IMS endpoint, without a path?)`);
  return { stub };
}

function printReport(report: Report): void {
  const groups = [...new Set(report.checks.map((check) => check.group))];
  for (const group of groups) {
    const of = report.checks.filter((check) => check.group === group);
    const count = (outcome: string) => of.filter((check) => check.outcome === outcome).length;
    console.log(`${count("failed") > 0 ? "FAIL" : "PASS"} ${group.padEnd(10)} ${count("passed")} passed, ${count("failed")} failed${count("skipped") ? `, ${count("skipped")} skipped` : ""}`);
  }
  for (const check of failed(report).slice(0, 40)) {
    console.log(`\n  ✗ ${check.group}${check.operationId ? ` ${check.operationId}` : ""}: ${check.name}\n    ${check.message ?? ""}\n    rule: ${check.rule}`);
    if (check.evidence) console.log(`    request: ${check.evidence.request}\n    answer:  ${check.evidence.answer}`);
  }
  if (failed(report).length > 40) console.log(`\n  … and ${failed(report).length - 40} more failures (--json or --markdown has them all)`);
  for (const check of report.checks.filter((c) => c.outcome === "skipped")) console.log(`  - skipped ${check.group}: ${check.name}: ${check.message}`);
  const documented = report.coverage.filter((row) => row.documented);
  const count = (outcome: string) => report.checks.filter((check) => check.outcome === outcome).length;
  console.log(
    `\n${count("passed")} checks passed, ${count("failed")} failed, ${count("skipped")} skipped; coverage: ${documented.filter((row) => row.exercised > 0).length} of ${documented.length} documented responses exercised; seed ${report.seed}; ${report.seconds.toFixed(1)} s`,
  );
  if (report.leftBehind.length > 0) console.log(`not cleaned up:\n${report.leftBehind.map((line) => `  ${line}`).join("\n")}`);
}

async function main(): Promise<number> {
  let values: Values;
  try {
    values = parseFlags(
      "ims-verify",
      process.argv.slice(2),
      Object.fromEntries(Object.entries(FLAGS).map(([name, flag]) => [name, { type: flag.type, ...(flag.multiple && { multiple: true }) }])),
    );
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    checkedFlags(values);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`ims-verify: ${error.message}\n\n${HELP}`);
    return 2;
  }
  const get = (name: string) => (values[name] as string | undefined) ?? FLAGS[name]!.default!;
  let jobTimeoutMs: number;
  let requestTimeoutMs: number;
  let negatives: number;
  try {
    jobTimeoutMs = positiveNumber("job-timeout", get("job-timeout"), 86_400) * 1000;
    requestTimeoutMs = positiveNumber("request-timeout", get("request-timeout"), 3600) * 1000;
    negatives = Math.round(positiveNumber("negatives", get("negatives"), 1000));
  } catch (error) {
    console.error(`ims-verify: ${(error as Error).message}`);
    return 2;
  }
  const bin = respectBin();
  if (!bin) {
    console.error("ims-verify: it runs the contract's workflows with Redocly's runner: npm install --save-dev @redocly/cli@2.77.0");
    return 2;
  }
  const server = values.server as string;
  const projectId = values["project-id"] as string;
  const credentials = values.token !== undefined ? { token: values.token as string } : { ak: values.ak as string, sk: values.sk as string };
  const seed = values.seed !== undefined ? Number(values.seed) : randomInt(1, 1_000_000_000);
  const allowCreate = values["allow-create"] === true;

  let stub: boolean;
  try {
    const signer = new Provider(new URL(server), credentials, projectId, requestTimeoutMs, () => undefined);
    ({ stub } = await preflight(server, async () => {
      const headers = new Headers();
      await signer.authenticate("GET", new URL("/v2/cloudimages?limit=1", server), headers, undefined, "caller");
      return headers;
    }, requestTimeoutMs));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`ims-verify: ${error.message}`);
    return 2;
  }

  const verification = startVerification({
    server,
    credentials,
    projectId,
    requestTimeoutMs,
    jobTimeoutMs,
    negativesPerOperation: negatives,
    allowCreate,
    stub,
    seed,
    sources: { instanceId: get("instance-id"), volumeId: get("volume-id"), imageUrl: get("image-url") },
    workflowIds: values.workflow as string[] | undefined,
    respectBin: bin,
    progress: (line) => console.log(`… ${line}`),
  });
  const { chosen, notRun } = verification.workflows;
  if (chosen.length === 0) {
    // respect runs every workflow of the file when it is given none: never let a filter that left none do that.
    console.error(`ims-verify: none of the workflows asked for can run against ${server}: ${notRun.map(({ workflow, why }) => `${workflow.workflowId} (${why})`).join(", ")}`);
    return 2;
  }
  console.log(
    `ims-verify: ${server} (${stub ? "the IMS stub" : "not the stub: the stub-only checks are skipped"}); ${allowCreate ? "with --allow-create" : "creates nothing (--allow-create checks the image's life)"}; job timeout ${jobTimeoutMs / 1000} s; seed ${seed}`,
  );
  if (notRun.length > 0) console.log(`workflows not run: ${notRun.map(({ workflow, why }) => `${workflow.workflowId} (${why})`).join(", ")}`);

  // Interrupted: stop the checks, delete what the run made, say what could not be; a second signal leaves at once.
  let interrupted = false;
  const onSignal = async (signal: NodeJS.Signals) => {
    if (interrupted) {
      console.error(`ims-verify: ${signal} again: leaving without cleaning up; jobs this run started: ${verification.run.provider.startedJobs.join(", ") || "none"}`);
      process.exit(130);
    }
    interrupted = true;
    verification.run.stopped = true;
    console.error(`ims-verify: ${signal}: deleting what this run made (${signal} again to leave it)`);
    const left = await cleanUp(verification.run, Math.min(jobTimeoutMs, 120_000));
    console.error(left.length === 0 ? "ims-verify: cleaned up; the run was not finished" : `ims-verify: not cleaned up:\n${left.map((line) => `  ${line}`).join("\n")}`);
    process.exit(2);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const report = await verification.report();
  printReport(report);
  const write = (flag: string, text: string) => {
    if (values[flag]) writeFileSync(values[flag] as string, text);
  };
  write("junit", junit(report));
  write("json", `${JSON.stringify(report, null, 2)}\n`);
  write("markdown", markdown(report));
  return failed(report).length === 0 ? 0 : 1;
}

process.exitCode = await main();

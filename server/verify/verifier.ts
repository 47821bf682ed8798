// One verification of a provider, start to end: the workflows under respect beside the checks that need no image,
// then (with --allow-create) the image's life, then every answer against the contract, then the clean-up of all
// the run made. Returns the report; the command (../verify.ts) prints and writes it.
import { Contract } from "./contract.js";
import { cleanUp } from "./cleanup.js";
import { checkAuthentication } from "./checks/auth.js";
import { checkListedImagesAreOwn, checkOthersPublicImage } from "./checks/isolation.js";
import { checkImageLife } from "./checks/lifecycle.js";
import { checkNegativeBodies, checkNegativeParameters } from "./checks/negative.js";
import { checkProtocol } from "./checks/protocol.js";
import { checkCreateRules, checkRefusedCalls, checkSafeModeRefusals } from "./checks/refusals.js";
import { unknownImageId, unknownJobId } from "./checks/samples.js";
import { Provider, type Credentials } from "./provider.js";
import { coverage, type Report } from "./report.js";
import { Run, RunStopped, type RunSettings } from "./run.js";
import { loadWorkflows, runWorkflows, type Workflow } from "./workflows.js";

export type VerifyOptions = RunSettings & {
  server: string;
  credentials: Credentials;
  projectId: string;
  requestTimeoutMs: number;
  negativesPerOperation: number;
  /** Only these workflows, and none of the TypeScript checks. */
  workflowIds?: readonly string[] | undefined;
  respectBin: string;
  /** Called with each step of the run, for a person watching. */
  progress?: (line: string) => void;
};

export type Verification = { run: Run; workflows: { chosen: Workflow[]; notRun: { workflow: Workflow; why: string }[] }; report: () => Promise<Report> };

/** The workflows this run may use: creating ones only with --allow-create, stub-only ones only at the stub. */
export function chooseWorkflows(all: readonly Workflow[], options: Pick<VerifyOptions, "allowCreate" | "stub" | "workflowIds">) {
  const chosen: Workflow[] = [];
  const notRun: { workflow: Workflow; why: string }[] = [];
  for (const workflow of all) {
    if (options.workflowIds && !options.workflowIds.includes(workflow.workflowId)) continue;
    if (!options.allowCreate && !workflow["x-creates-nothing"]) notRun.push({ workflow, why: "it creates images: --allow-create" });
    else if (!options.stub && workflow["x-stub-only"]) notRun.push({ workflow, why: "it needs the stub's Prefer to fail a job" });
    else chosen.push(workflow);
  }
  return { chosen, notRun };
}

export function startVerification(options: VerifyOptions): Verification {
  const contract = new Contract();
  const provider = new Provider(new URL(options.server), options.credentials, options.projectId, options.requestTimeoutMs, (method, path) => contract.operationOf(method, path));
  const run = new Run(contract, provider, options);
  const document = loadWorkflows();
  const workflows = chooseWorkflows(document.workflows, options);
  const say = options.progress ?? (() => {});
  const startedAt = new Date();

  const report = async (): Promise<Report> => {
    try {
      let listed: Awaited<ReturnType<typeof checkListedImagesAreOwn>> = [];
      const typescriptChecks = async () => {
        if (options.workflowIds) return;
        say("checks: authentication, isolation, refusals, generated negative bodies");
        await checkAuthentication(run);
        listed = await checkListedImagesAreOwn(run);
        await checkRefusedCalls(run, { imageId: unknownImageId(), jobId: unknownJobId() });
        await checkSafeModeRefusals(run, document.workflows);
        await checkCreateRules(run);
        await checkNegativeBodies(run, options.negativesPerOperation);
        await checkNegativeParameters(run);
      };
      say(`workflows: ${workflows.chosen.map((w) => w.workflowId).join(", ")}`);
      await Promise.all([runWorkflows(run, workflows.chosen, options.respectBin), typescriptChecks()]);
      if (!options.workflowIds) {
        if (options.allowCreate) {
          say("checks: the image's life (creates, jobs, reads, paging, quota, updates, tags, isolation, deletes)");
          await checkImageLife(run, options.negativesPerOperation);
          await checkOthersPublicImage(run, listed);
        } else {
          run.skip("state", "the image's life: creates, jobs, paging, quota, updates, tags, isolation, deletes", "the image's life as state", "it creates images: --allow-create");
        }
        if (!options.stub) {
          run.skip("stub-only", "a job that fails, with its error_code and fail_reason", "ShowJob: a FAIL names its error_code and fail_reason", "needs the stub's Prefer (the provider is not the stub)");
        }
      }
    } catch (error) {
      if (!(error instanceof RunStopped)) throw error;
    }
    checkProtocol(run);
    say(`clean-up: ${provider.startedJobs.length} jobs started by this run`);
    const leftBehind = await cleanUp(run, options.jobTimeoutMs);
    return {
      server: options.server,
      stub: options.stub,
      allowCreate: options.allowCreate,
      seed: options.seed,
      startedAt: startedAt.toISOString(),
      seconds: (Date.now() - startedAt.getTime()) / 1000,
      checks: run.checks,
      coverage: coverage(contract, provider.exchanges),
      leftBehind,
    };
  };
  return { run, workflows, report };
}

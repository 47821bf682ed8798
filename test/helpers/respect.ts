// Runs the Arazzo workflows with Redocly's own runner (`redocly respect`), the way a provider's CI would, and
// reads its JSON report.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../scripts/project-root.ts";
import { PROJECT_ID } from "./stub.ts";

export const WORKFLOWS = join(projectRoot, "spec/workflows/create-image.arazzo.yaml");

type Check = { name: string; passed: boolean; message: string };
type Step = { stepId: string; response?: { statusCode: number }; checks: Check[] };
export type RespectRun = {
  status: string;
  output: string;
  workflows: { workflowId: string; status: string; executedSteps: Step[] }[];
  /** The summary's counts, as respect printed them. */
  checks: { passed: number; failed: number };
};

export async function respect(serverUrl: string, workflowIds: string[] = []): Promise<RespectRun> {
  const dir = mkdtempSync(join(tmpdir(), "ims-respect-"));
  const report = join(dir, "report.json");
  try {
    const args = ["respect", WORKFLOWS, "--server", `ims=${serverUrl}`, "--input", "token=respect-token", "--input", `projectId=${PROJECT_ID}`, "-J", report];
    for (const id of workflowIds) args.push("--workflow", id);
    const output = await new Promise<string>((resolve) => {
      execFile(join(projectRoot, "node_modules/.bin/redocly"), args, { cwd: projectRoot, env: { ...process.env, NO_COLOR: "1", REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } }, (_error, stdout, stderr) =>
        resolve(`${stdout}${stderr}`.replaceAll("\u00a0", " ")),
      );
    });
    const json = JSON.parse(readFileSync(report, "utf8"));
    const file = Object.values(json.files)[0] as { executedWorkflows: RespectRun["workflows"] };
    const counts = /Checks: (\d+) passed(?:, (\d+) failed)?/.exec(output);
    return {
      status: json.status,
      output,
      workflows: file.executedWorkflows,
      checks: { passed: Number(counts?.[1] ?? 0), failed: Number(counts?.[2] ?? 0) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

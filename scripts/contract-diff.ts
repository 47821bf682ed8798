// `npm run contract:diff`: the breaking-change gate. Compares the contract (generated/openapi.json, which a test
// keeps equal to spec/) with the last released one (spec/released/openapi.json), with Redocly's `diff` and its
// diff-recommended rules, and fails when
// - a change needs a major version (a new required request field, a removed field, enum value or response...)
//   and the major version of `info.version` was not raised;
// - `info.version` went down, or differs from the package's version, or CHANGELOG.md has no section for it.
// A minor or patch change without a bump passes, with a note of the version the next release needs.
// `--release` then records the contract as the last released one.
import { execFileSync } from "node:child_process";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { projectRoot } from "./project-root.ts";

export const RELEASED_SPEC = join(projectRoot, "spec/released/openapi.json");
export const CURRENT_SPEC = join(projectRoot, "generated/openapi.json");

type Impact = "major" | "minor" | "patch";
type DiffReport = {
  infoVersions: { base: string; revision: string };
  summary: Record<Impact, number>;
  changes: { path: string; impact: Impact; verdicts: { ruleId: string; impact: Impact; message: string }[] }[];
};

export type GateInput = { base: string; revision: string; packageVersion: string; changelog: string };
export type GateResult = { ok: boolean; report: DiffReport; problems: string[]; notes: string[] };

const parseVersion = (version: string): [number, number, number] => {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(version);
  if (!m) throw new Error(`info.version ${JSON.stringify(version)} is not a semantic version`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
};

const compareVersions = (a: string, b: string) => {
  const [x, y] = [parseVersion(a), parseVersion(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
};

function nextVersion(version: string, bump: Impact): string {
  const [major, minor, patch] = parseVersion(version);
  if (bump === "major") return `${major + 1}.0.0`;
  if (bump === "minor") return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

function redoclyDiff(base: string, revision: string): DiffReport {
  const output = execFileSync(
    join(projectRoot, "node_modules/.bin/redocly"),
    ["diff", base, revision, "--config", join(projectRoot, "redocly.yaml"), "--fail-on", "none", "--format", "json"],
    { cwd: projectRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" } },
  );
  return JSON.parse(output) as DiffReport;
}

export function checkContractChange({ base, revision, packageVersion, changelog }: GateInput): GateResult {
  const report = redoclyDiff(base, revision);
  const { base: released, revision: current } = report.infoVersions;
  const bump: Impact | undefined = (["major", "minor", "patch"] as const).find((impact) => report.summary[impact] > 0);
  const problems: string[] = [];
  const notes: string[] = [];
  if (bump === "major" && parseVersion(current)[0] <= parseVersion(released)[0]) {
    problems.push(`these changes can break generated clients and need a major version: info.version is ${current}, the last release ${released}; raise it to ${nextVersion(released, "major")}`);
  } else if (bump && compareVersions(current, nextVersion(released, bump)) < 0) {
    notes.push(`the next release needs at least ${nextVersion(released, bump)} (a ${bump} change since ${released})`);
  }
  if (compareVersions(current, released) < 0) problems.push(`info.version ${current} is lower than the last release, ${released}`);
  if (packageVersion !== current) problems.push(`package.json's version ${packageVersion} is not the contract's info.version ${current}: keep them in step`);
  if (!new RegExp(`^## \\[?${current.replaceAll(".", "\\.")}\\]?( |$)`, "m").test(changelog)) problems.push(`CHANGELOG.md has no section "## ${current}"`);
  return { ok: problems.length === 0, report, problems, notes };
}

function summarize(result: GateResult): string {
  const { report } = result;
  const lines = [`contract ${report.infoVersions.revision} against the last release ${report.infoVersions.base}: ${report.summary.major} major, ${report.summary.minor} minor, ${report.summary.patch} patch`];
  for (const change of report.changes) {
    for (const verdict of change.verdicts) lines.push(`  ${verdict.impact.padEnd(5)} ${verdict.ruleId}: ${verdict.message}`);
  }
  for (const note of result.notes) lines.push(`note: ${note}`);
  for (const problem of result.problems) lines.push(`error: ${problem}`);
  lines.push(result.ok ? "contract:diff passed" : "contract:diff failed");
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { base: { type: "string", default: RELEASED_SPEC }, revision: { type: "string", default: CURRENT_SPEC }, release: { type: "boolean", default: false } } });
  const result = checkContractChange({
    base: values.base!,
    revision: values.revision!,
    packageVersion: JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")).version,
    changelog: readFileSync(join(projectRoot, "CHANGELOG.md"), "utf8"),
  });
  console.log(summarize(result));
  if (!result.ok) process.exit(1);
  if (values.release) {
    copyFileSync(values.revision!, RELEASED_SPEC);
    console.log(`recorded ${result.report.infoVersions.revision} as the last release (${RELEASED_SPEC.slice(projectRoot.length + 1)}): commit it with the release`);
  }
}

// The breaking-change gate (npm run contract:diff): a change that can break generated clients is refused unless
// the major version was raised; a compatible change passes; versions and the changelog stay in step.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkContractChange, CURRENT_SPEC, RELEASED_SPEC } from "../../scripts/contract-diff.ts";
import { projectRoot } from "../../scripts/project-root.ts";

const dir = mkdtempSync(join(tmpdir(), "ims-contract-diff-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const released = JSON.parse(readFileSync(RELEASED_SPEC, "utf8"));
const packageVersion = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")).version as string;
const changelog = readFileSync(join(projectRoot, "CHANGELOG.md"), "utf8");

/** The released contract with an edit and a version, as the revision to gate. */
function revision(name: string, version: string, edit: (spec: any) => void): string {
  const spec = structuredClone(released);
  edit(spec);
  spec.info.version = version;
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(spec, null, 2));
  return file;
}

const gate = (file: string, version: string) =>
  checkContractChange({ base: RELEASED_SPEC, revision: file, packageVersion: version, changelog: `${changelog}\n## ${version} - 2026-12-01\n` });

const addRequiredField = (spec: any) => spec.components.schemas.CreateSystemImageFromVolume.required.push("description");
const removeEnumValue = (spec: any) => {
  const type = spec.components.schemas.CreateImageFromFile.properties.type;
  type.enum = type.enum.filter((value: string) => value !== "IsoImage");
};
const addOptionalResponseField = (spec: any) => (spec.components.schemas.JobCreated.properties.request_id = { type: "string", description: "The request's ID." });
const { version: releasedVersion } = released.info;
const [major, minor] = releasedVersion.split(".").map(Number);

describe("the breaking-change gate", () => {
  it("passes on main: the contract, the package and the changelog agree with the last release", () => {
    const result = checkContractChange({ base: RELEASED_SPEC, revision: CURRENT_SPEC, packageVersion, changelog });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it.each([
    ["a new required request property", addRequiredField, "required-properties-added"],
    ["a removed enum value", removeEnumValue, "enum"],
  ])("refuses %s without a major version", (_name, edit, rule) => {
    const result = gate(revision(`breaking-${rule}`, `${major}.${minor! + 1}.0`, edit), `${major}.${minor! + 1}.0`);
    expect(result.ok).toBe(false);
    expect(result.report.summary.major).toBeGreaterThan(0);
    expect(JSON.stringify(result.report.changes)).toContain(rule);
    expect(result.problems.join("\n")).toContain(`raise it to ${major! + 1}.0.0`);
  });

  it("accepts the same breaking change with the major version raised", () => {
    expect(gate(revision("breaking-major", `${major! + 1}.0.0`, addRequiredField), `${major! + 1}.0.0`)).toMatchObject({ ok: true, problems: [] });
  });

  it("accepts a compatible change, and notes the minor version the next release needs", () => {
    const result = gate(revision("compatible", releasedVersion, addOptionalResponseField), releasedVersion);
    expect(result.report.summary).toMatchObject({ major: 0, minor: 1 });
    expect(result.ok).toBe(true);
    expect(result.notes.join("\n")).toContain(`at least ${major}.${minor! + 1}.0`);
  });

  it("refuses a package version out of step with the contract, and a version without a changelog section", () => {
    const file = revision("unchanged", releasedVersion, () => {});
    expect(checkContractChange({ base: RELEASED_SPEC, revision: file, packageVersion: "9.9.9", changelog }).problems.join("\n")).toContain("keep them in step");
    expect(checkContractChange({ base: RELEASED_SPEC, revision: file, packageVersion: releasedVersion, changelog: "# Changelog\n" }).problems.join("\n")).toContain(`no section "## ${releasedVersion}"`);
  });
});

// The Chinese docs come from spec/translations/zh-CN.overlay.yaml, which records a hash of the English each
// translation translates. These tests keep the two languages from drifting apart: a changed English text (stale), a
// translation whose target is gone (orphan) and an untranslated operation all fail, and each failure is shown here.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { resolveJsonPath } from "openapi-format";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../scripts/project-root.ts";
import { checkTranslations, englishHash, loadOverlay, missingTranslations, translate, translatableTexts } from "../../scripts/translations.ts";

const english = JSON.parse(readFileSync(join(projectRoot, "generated/openapi.json"), "utf8"));
const overlay = loadOverlay("zh-CN");
const CREATE = "$.paths['/v2/cloudimages/action'].post";

const dir = mkdtempSync(join(tmpdir(), "ims-translations-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm run docs:translations -- ARGS`, as a translator runs it. */
async function command(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", join(projectRoot, "scripts/docs-translations.ts"), ...args], { cwd: projectRoot });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

function contractWith(edit: (spec: any) => void): any {
  const spec = structuredClone(english);
  edit(spec);
  return spec;
}

describe("the Chinese translation", () => {
  it("is neither stale nor orphaned against the English contract", () => {
    expect(checkTranslations(english, overlay).map((problem) => problem.message)).toEqual([]);
  });

  it("translates every operation's summary and description (this fails for a new operation until it is translated)", () => {
    const untranslated = missingTranslations(english, overlay).filter((text) => text.operation);
    expect(
      untranslated.map((text) => `${text.target} ${text.field}`),
      "add them to spec/translations/zh-CN.overlay.yaml: `npm run docs:translations -- --missing` prints the actions to fill in",
    ).toEqual([]);
  });

  it("finds no untranslated text today, outside examples' data and code", () => {
    expect(translatableTexts(english).length).toBeGreaterThan(150);
    expect(missingTranslations(english, overlay).map((text) => `${text.target} ${text.field}`)).toEqual([]);
  });

  it("fails when the English a translation translates has changed (stale)", () => {
    const changed = contractWith((spec) => (spec.paths["/v2/cloudimages/action"].post.description += "\nA new sentence."));
    const problems = checkTranslations(changed, overlay);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: "stale", target: CREATE, field: "description" });
    // The message says what to translate and which hash to record once it is done.
    expect(problems[0]!.message).toContain("A new sentence.");
    expect(problems[0]!.message).toContain(englishHash(changed.paths["/v2/cloudimages/action"].post.description));
  });

  it("fails when a translation points at nothing (orphan): a renamed schema, a removed field", () => {
    const renamed = contractWith((spec) => {
      spec.components.schemas.ImageTitle = spec.components.schemas.ImageName;
      delete spec.components.schemas.ImageName;
      delete spec.servers[0].description;
    });
    const orphans = checkTranslations(renamed, overlay).filter((problem) => problem.kind === "orphan");
    expect(orphans.map((problem) => [problem.target, problem.field])).toEqual([
      ["$.servers[0]", "description"],
      ["$.components.schemas.ImageName", undefined],
    ]);
    // And the renamed schema's text is listed as missing.
    expect(missingTranslations(renamed, overlay).map((text) => `${text.target} ${text.field}`)).toEqual(["$.components.schemas.ImageTitle title", "$.components.schemas.ImageTitle description"]);
  });

  it("fails on a translation left in English, or without the hash of its English", () => {
    const sloppy = structuredClone(overlay);
    const action = sloppy.actions.find((candidate) => candidate.target === CREATE)!;
    action.update.summary = english.paths["/v2/cloudimages/action"].post.summary;
    delete action["x-english-sha256"].description;
    expect(checkTranslations(english, sloppy).map((problem) => [problem.kind, problem.field])).toEqual([
      ["untranslated", "summary"],
      ["unhashed", "description"],
    ]);
  });

  it("reports an untranslated new operation, with its JSON path", () => {
    const withMembers = contractWith((spec) => (spec.paths["/v1/cloudimages/{image_id}/members"] = { get: { operationId: "ListImageMembers", summary: "List members", description: "Lists an image's members.", responses: {} } }));
    expect(missingTranslations(withMembers, overlay).filter((text) => text.operation).map((text) => `${text.target} ${text.field}`)).toEqual([
      "$.paths['/v1/cloudimages/{image_id}/members'].get summary",
      "$.paths['/v1/cloudimages/{image_id}/members'].get description",
    ]);
  });

  it("makes a contract whose reader-facing text is Chinese, with everything else unchanged", async () => {
    const chinese: any = await translate(english, overlay);
    const create = chinese.paths["/v2/cloudimages/action"].post;
    expect(create.summary).toBe("制作镜像");
    expect(chinese.paths["/v1/{project_id}/jobs/{job_id}"].get.summary).toBe("异步任务查询");
    expect(chinese.info.description).toContain("## 异步流程");
    expect(chinese.info.description).toContain("| 400 | `IMG.0166` | ISO文件创建镜像必须包含os_version信息。");
    expect(chinese.tags.map((tag: any) => tag["x-displayName"])).toEqual(["镜像", "异步任务", "镜像标签", "配额"]);
    expect(chinese.components.examples.ServerSystemImageWithTags.summary).toBe("使用tags参数及云服务器制作系统盘镜像");
    // Only text changed: take every translated field back out and the English contract is what remains.
    const stripped = structuredClone(chinese);
    for (const text of translatableTexts(english)) {
      const node = (resolveJsonPath(stripped, text.target) as { value: Record<string, string> }[])[0]!.value;
      node[text.field] = text.english;
      if (text.field === "x-displayName") delete node[text.field];
    }
    expect(stripped).toEqual(english);
  });
});

describe("npm run docs:translations", () => {
  it("passes on the committed translation, and lists nothing as missing", async () => {
    const check = await command();
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/0 problems, 0 English texts untranslated/);
    expect((await command("--missing")).code).toBe(0);
  });

  it("-- --missing lists untranslated texts by JSON path and prints the actions to fill in, with their hashes", async () => {
    const file = join(dir, "with-members.json");
    const parameter = { name: "limit", in: "query", description: "At most this many.", schema: { type: "integer" } };
    writeFileSync(file, JSON.stringify(contractWith((spec) => (spec.paths["/v1/cloudimages/{image_id}/members"] = { get: { operationId: "ListImageMembers", summary: "List members", parameters: [parameter], responses: {} } }))));
    const { code, stdout } = await command("--missing", "--spec", file);
    expect(code).toBe(1);
    expect(stdout).toContain("$.paths['/v1/cloudimages/{image_id}/members'].get summary  (operation)");
    expect(stdout).toContain(`- target: $.paths['/v1/cloudimages/{image_id}/members'].get\n  update:\n    summary: List members\n  x-english-sha256:\n    summary: ${englishHash("List members")}`);
    // A parameter is named by name and location, so that reordering a path's parameters moves nothing.
    expect(stdout).toContain(`- target: $.paths['/v1/cloudimages/{image_id}/members'].get.parameters[?@.name=='limit' && @.in=='query']\n  update:\n    description: At most this many.`);
  });

  it("exits 1 on a stale translation and says what changed", async () => {
    const file = join(dir, "changed.json");
    writeFileSync(file, JSON.stringify(contractWith((spec) => (spec.components.parameters.JobId.description = "The job's ID."))));
    const { code, stdout } = await command("--spec", file);
    expect(code).toBe(1);
    expect(stdout).toContain("stale: $.components.parameters.JobId description: the English changed since it was translated");
    expect(stdout).toContain("The job's ID.");
  });
});

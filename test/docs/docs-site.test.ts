// Opens the docs site the stub serves in headless Chromium, as a reader would, and checks what they see: the English
// page's reference, then both pages (English at /docs, Chinese at /docs/zh-CN/): every operation, no serious
// accessibility violation (axe-core), the link to the other language, and a Chinese page that reads in Chinese.
// Needs Debian's chromium (.ci/run installs it); without it the test is skipped locally and fails in CI.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messagesFor } from "../../scripts/docs-site/console/messages.ts";
import { operationsOf, tagLabel } from "../../scripts/docs-site/console/openapi.ts";
import { projectRoot } from "../../scripts/project-root.ts";
import { loadOverlay, translate } from "../../scripts/translations.ts";
import { axeViolations, seriousOrCritical } from "../helpers/axe.ts";
import { keepOnTheMachine, launchChromium, skipWithoutChromium } from "../helpers/chromium.ts";
import { startStub, type RunningStub } from "../helpers/stub.ts";

const ARTIFACTS = "test-artifacts";

describe.skipIf(skipWithoutChromium)("the docs site in a real browser", () => {
  let stub: RunningStub;
  let browser: Browser;
  let page: Page;
  const leftTheMachine: string[] = [];
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];

  const open = async (hash: string) => {
    await page.goto(`${stub.url}/docs${hash}`, { waitUntil: "networkidle" });
  };
  const button = (text: string) => page.locator("button", { hasText: text }).first();
  const menuItem = (text: string) => page.locator("[role=menuitem]", { hasText: text }).first();
  const fieldShown = (hrefSuffix: string) => page.locator(`a[href$="${hrefSuffix}"]`).first().isVisible();

  beforeAll(async () => {
    stub = await startStub();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(15_000); // a busy machine running two files at once renders Redoc slowly
    page.on("console", (message) => void (message.type() === "error" && consoleErrors.push(message.text())));
    page.on("pageerror", (error) => void consoleErrors.push(error.message));
    page.on("response", (response) => void (response.status() >= 400 && failedRequests.push(`${response.status()} ${response.url()}`)));
    const origin = new URL(stub.url).origin;
    await keepOnTheMachine(page, [origin], leftTheMachine);
    await open("");
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stub?.close();
  });

  it("opens on the introduction: the async flow, both auth schemes and the error code table", async () => {
    const text = await page.textContent("main, body");
    expect(text).toContain("The asynchronous flow");
    expect(text).toContain("process_percent");
    expect(text).toContain("X-Auth-Token");
    expect(text).toContain("curl -s -X POST");
    expect(text).toContain("SDK-HMAC-SHA256");
    expect(text).toContain("IMG.0166");
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/docs-introduction.png` });
  });

  it.each([
    ["#/images/createimage", "Create an image (制作镜像)"],
    ["#/jobs/showjob", "Query a job (异步任务查询)"],
    ["#/jobs/showjobprogress", "Query a job's progress (异步任务进度查询)"],
  ])("shows %s", async (hash, title) => {
    await open(hash);
    await expect(page.getByRole("heading", { name: title }).first().isVisible()).resolves.toBe(true);
  });

  it("lets the reader select each request body and see its fields", async () => {
    await open("#/images/createimage");
    const choose = async (current: string, wanted: string) => {
      await button(current).click();
      await menuItem(wanted).click();
    };
    expect(await fieldShown("oneof=0&oneof=0/instance_id")).toBe(true);
    await choose("System disk image from a cloud server", "Data disk images from");
    expect(await fieldShown("oneof=0&oneof=1/data_images")).toBe(true);
    await choose("From a cloud server", "From an image file in an OBS bucket");
    expect(await fieldShown("oneof=1/image_url")).toBe(true);
    expect(await fieldShown("oneof=1/min_disk")).toBe(true);
    await choose("From an image file", "From a data volume");
    expect(await fieldShown("oneof=2/volume_id")).toBe(true);
    expect(await fieldShown("oneof=2/os_version")).toBe(true);
  });

  it("shows the seed's examples and the curl and TypeScript samples", async () => {
    await open("#/images/createimage");
    await expect(page.getByText("curl -s -X POST").first().isVisible()).resolves.toBe(true);
    await button("System disk image from a cloud server, with tags").click();
    await expect(menuItem("System disk image from a data volume, with image_tags").isVisible()).resolves.toBe(true);
    await page.keyboard.press("Escape");
    await button("curl").click();
    await menuItem("Node.js").click();
    await expect(page.getByText("createImsClient").first().isVisible()).resolves.toBe(true);
    await expect(page.getByText("TypeScript, with this project's client").first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/docs-create-image.png` });
  });

  it("shows a job's responses for each status", async () => {
    await open("#/jobs/showjob");
    await button("A job that has not started yet").click();
    for (const status of ["(INIT)", "(RUNNING)", "job (SUCCESS)", "sub-jobs (SUCCESS)", "(FAIL)"]) {
      await expect(menuItem(status).isVisible()).resolves.toBe(true);
    }
    await page.keyboard.press("Escape");
  });

  it("sent no request off the machine, had no request refused and logged no console error", () => {
    expect(leftTheMachine).toEqual([]);
    expect(failedRequests).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it("declares its icon inline, and the stub serves the same icon to its other pages", async () => {
    const icon = await page.locator('link[rel="icon"]').getAttribute("href");
    expect(icon).toMatch(/^data:image\/svg\+xml,/);
    const served = await page.request.get(`${stub.url}/favicon.ico`);
    expect(served.status()).toBe(200);
    expect(served.headers()["content-type"]).toContain("image/svg+xml");
    expect(decodeURIComponent(icon!.slice(icon!.indexOf(",") + 1))).toBe((await served.text()).trim());
  });
});

const englishContract = JSON.parse(readFileSync(join(projectRoot, "generated/openapi.json"), "utf8"));
const contracts = { en: englishContract, "zh-CN": await translate(englishContract, loadOverlay("zh-CN")) };

/**
 * Redoc 3 shows one operation at a time, at `#<tag>/<operationid>`, the tag being Redoc's own slug of its name
 * (`Image Tags (x)` → `/image-tags-()`): read from the sidebar, which links every tag under its label.
 */
async function operationHashes(page: Page, url: string, contract: any): Promise<Map<string, string>> {
  await page.goto(url, { waitUntil: "networkidle" });
  const sections: [string, string][] = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLAnchorElement>("a[href^='/']")]
      .map((link) => [link.textContent!.trim(), link.getAttribute("href")!] as [string, string])
      .filter(([, href]) => /^\/[^/]+$/.test(href) && !href.startsWith("/section")),
  );
  const byLabel = new Map(sections);
  return new Map(
    operationsOf(contract).map((operation) => {
      const section = byLabel.get(tagLabel(contract, operation.tag));
      if (!section) throw new Error(`no section for the tag ${operation.tag} on ${url}: ${JSON.stringify(sections)}`);
      return [operation.id, `#${section}/${operation.id.toLowerCase()}`];
    }),
  );
}

/** The prose of the rendered reference: the contract's own text (paragraphs, lists, tables, headings), without code. */
const prose = (page: Page) =>
  page.evaluate(() => {
    let text = "";
    for (const block of document.querySelectorAll("#redoc p, #redoc li, #redoc td, #redoc th, #redoc h1, #redoc h2, #redoc h3")) {
      if (block.closest("pre, [data-testid=right-panel]")) continue;
      const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement!;
        if (!parent.closest("code, pre") && parent.closest("p, li, td, th, h1, h2, h3") === block) text += node.nodeValue;
      }
    }
    return text;
  });

describe.skipIf(skipWithoutChromium).each([
  ["en", "/docs", "zh-CN", "/docs/zh-CN/"],
  ["zh-CN", "/docs/zh-CN/", "en", "/docs/"],
] as const)("the %s page at %s", (language, path, otherLanguage, otherPath) => {
  let stub: RunningStub;
  let browser: Browser;
  let page: Page;
  const contract = contracts[language];
  const operations = operationsOf(contract);
  const pageErrors: string[] = [];
  const leftTheMachine: string[] = [];
  let hashes: Map<string, string>;
  const operationHash = (operation: { id: string }) => hashes.get(operation.id)!;

  const show = async (hash: string) => {
    await page.goto(`${stub.url}${path}${hash}`, { waitUntil: "networkidle" });
  };

  beforeAll(async () => {
    stub = await startStub();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (error) => void pageErrors.push(error.message));
    page.on("console", (message) => void (message.type() === "error" && pageErrors.push(message.text())));
    const origin = new URL(stub.url).origin;
    await keepOnTheMachine(page, [origin], leftTheMachine);
    hashes = await operationHashes(page, `${stub.url}${path}`, contract);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stub?.close();
  });

  it(`is in ${language}, titled in it, and shows every operation of the contract under its own summary`, async () => {
    await show("");
    expect(await page.getAttribute("html", "lang")).toBe(language);
    expect(await page.getByRole("heading", { level: 1 }).first().textContent()).toContain(contract.info.title);
    expect(operations.length).toBeGreaterThanOrEqual(3);
    for (const operation of operations) {
      await show(operationHash(operation));
      const section = page.locator(`[data-section-id$="/${operation.id.toLowerCase()}"]`);
      expect((await section.locator("h2").first().textContent())?.trim(), operation.id).toBe(operation.summary);
      await expect(section.getByRole("button", { name: messagesFor(language).tryOperation(operation.summary), exact: true }).count()).resolves.toBe(1);
    }
  });

  it("has no serious or critical axe-core violation: the introduction, each operation, the console open, dark mode", async () => {
    const found: string[] = [];
    const check = async (where: string) => found.push(...seriousOrCritical(await axeViolations(page)).map((line) => `${where}: ${line}`));
    await show("");
    await check("introduction");
    for (const operation of operations) {
      await show(operationHash(operation));
      await check(operation.id);
    }
    await page.locator(".ims-toggle").click();
    await check("console open");
    await page.keyboard.press("Escape");
    const dark = await browser.newPage({ viewport: { width: 1400, height: 1000 }, colorScheme: "dark" });
    await dark.goto(`${stub.url}${path}${operationHash(operations[0]!)}`, { waitUntil: "networkidle" });
    expect(await dark.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(true);
    found.push(...seriousOrCritical(await axeViolations(dark)).map((line) => `dark: ${line}`));
    await dark.close();
    expect(found).toEqual([]);
  }, 300_000); // axe-core over the whole page at each stop: about a minute alone, more beside another file

  it(`links to the ${otherLanguage} page, at the same operation`, async () => {
    const create = operations.find((operation) => operation.id === "CreateImage")!;
    await show(operationHash(create));
    const link = page.locator(`a.ims-language[hreflang="${otherLanguage}"]`);
    await link.click();
    await page.waitForURL((url) => url.pathname === otherPath);
    expect(new URL(page.url()).hash).toBe(operationHash(create));
    expect(await page.getAttribute("html", "lang")).toBe(otherLanguage);
    const other = contracts[otherLanguage];
    await page.locator('[data-section-id$="/createimage"] h2').first().waitFor();
    expect((await page.locator('[data-section-id$="/createimage"] h2').first().textContent())?.trim()).toBe(operationsOf(other).find((operation) => operation.id === "CreateImage")!.summary);
  });

  it("sent no request off the machine and raised no error", () => {
    expect(leftTheMachine).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

describe.skipIf(skipWithoutChromium)("the Chinese page", () => {
  let stub: RunningStub;
  let browser: Browser;

  beforeAll(async () => {
    stub = await startStub();
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stub?.close();
  });

  it("reads in Chinese, not as an English page with a Chinese title: the introduction, the error table and each operation", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const hashes = await operationHashes(page, `${stub.url}/docs/zh-CN/`, contracts["zh-CN"]);
    const pages: [string, string][] = [];
    for (const hash of ["", ...hashes.values()]) {
      await page.goto(`${stub.url}/docs/zh-CN/${hash}`, { waitUntil: "networkidle" });
      pages.push([hash || "introduction", await prose(page)]);
    }
    // The measure tells the languages apart: the English introduction fails it.
    await page.goto(`${stub.url}/docs`, { waitUntil: "networkidle" });
    const english = await prose(page);
    expect(english.match(/[\u3400-\u9fff]/g)?.length ?? 0).toBeLessThan((english.match(/[A-Za-z]/g)?.length ?? 0) / 10);
    await page.goto(`${stub.url}/docs/zh-CN/#/section/错误码`, { waitUntil: "networkidle" });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/docs-zh-CN-errors.png` });
    await page.close();
    for (const [where, text] of pages) {
      const chinese = text.match(/[\u3400-\u9fff]/g)?.length ?? 0;
      const latin = text.match(/[A-Za-z]/g)?.length ?? 0;
      // The prose names fields and operations in Latin letters; the rest of it is Chinese (about 4 to 1 today).
      expect(chinese, `${where}: ${chinese} Chinese characters, ${latin} Latin letters`).toBeGreaterThan(2 * latin);
      for (const english of ["The asynchronous flow", "Creates a private image", "Query a job", "The request was accepted", "Image name"]) expect(text, where).not.toContain(english);
    }
    expect(pages[0]![1]).toContain("异步流程");
    expect(pages[0]![1]).toContain("请求消息格式非法。");
  }, 60_000);
});

// Opens the docs site the stub serves in headless Chromium, as a reader would, and checks what they see.
// Needs Debian's chromium (.ci/run installs it); without it the test is skipped locally and fails in CI.
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, skipWithoutChromium } from "../helpers/chromium.ts";
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
    page.setDefaultTimeout(5000);
    page.on("console", (message) => void (message.type() === "error" && consoleErrors.push(message.text())));
    page.on("pageerror", (error) => void consoleErrors.push(error.message));
    page.on("response", (response) => void (response.status() >= 400 && failedRequests.push(`${response.status()} ${response.url()}`)));
    const origin = new URL(stub.url).origin;
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
      leftTheMachine.push(url);
      return route.abort();
    });
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

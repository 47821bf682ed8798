// The docs' "Try it" console, driven in headless Chromium as a reader drives it, in both languages: the seed's ECS
// example sent with a token and with AK/SK to the stub that serves the page, the job followed to SUCCESS, a refusal
// shown with its IMG code, bad input answered in the page, the keyboard alone, and the SK kept in the page.
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messagesFor } from "../../scripts/docs-site/console/messages.ts";
import { keepOnTheMachine, launchChromium, skipWithoutChromium } from "../helpers/chromium.ts";
import { AK, getJson, PROJECT_ID, SK, startStub, type RunningStub } from "../helpers/stub.ts";

const ARTIFACTS = "test-artifacts";
const SEED_ECS_EXAMPLE = { en: "System disk image from a cloud server, with tags", "zh-CN": "使用tags参数及云服务器制作系统盘镜像" };
const CREATE_SUMMARY = { en: "Create an image (制作镜像)", "zh-CN": "制作镜像" };
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/**
 * A server that does not answer: it takes each connection and hangs up at once. (A closed port would do as well,
 * but another test's server could be given that port meanwhile.)
 */
async function hangUpServer(): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

describe.skipIf(skipWithoutChromium)("the docs' Try it console", () => {
  let stub: RunningStub;
  let browser: Browser;
  let silent: Server;
  let deadServer: string;
  const leftTheMachine: string[] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const consoleLines: string[] = [];
  const sentRequests: { url: string; headers: Record<string, string>; body: string | null }[] = [];

  beforeAll(async () => {
    stub = await startStub({ progression: "per-poll" });
    browser = await launchChromium();
    silent = await hangUpServer();
    deadServer = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stub?.close();
    await new Promise((resolve) => silent?.close(resolve));
  });

  async function openPage(path: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (error) => void pageErrors.push(error.message));
    page.on("console", (message) => {
      consoleLines.push(message.text());
      // Chromium itself logs every answer of 400 or more and every connection without an answer ("Failed to load
      // resource"): those of the refusal and of the silent server are expected here. Any other error is the page's.
      const url = message.location().url;
      const expected = message.text().startsWith("Failed to load resource") && (url === `${stub.url}/v2/cloudimages/action` || url.startsWith(deadServer));
      if (message.type() === "error" && !expected) consoleErrors.push(`${message.text()} (${url})`);
    });
    page.on("request", (request) => void sentRequests.push({ url: request.url(), headers: request.headers(), body: request.postData() }));
    const allowed = [new URL(stub.url).origin, new URL(deadServer).origin];
    await keepOnTheMachine(page, allowed, leftTheMachine);
    await page.goto(`${stub.url}${path}`, { waitUntil: "networkidle" });
    return page;
  }

  describe.each([
    ["en", "/docs"],
    ["zh-CN", "/docs/zh-CN/"],
  ] as const)("in %s (%s)", (language, path) => {
    const t = messagesFor(language);
    let page: Page;
    const panel = () => page.locator("#ims-console");
    const status = () => panel().locator(".ims-result [role=status]");

    beforeAll(async () => {
      page = await openPage(`${path}#/images/createimage`);
    }, 30_000);
    afterAll(() => page?.close());

    /** Follows the job the last answer started and returns the image ID the console shows. */
    async function followToSuccess(operation: string): Promise<string> {
      await panel().getByRole("button", { name: t.follow(operation) }).click();
      const jobStatus = panel().locator(".ims-job > [role=status]");
      await jobStatus.filter({ hasText: UUID }).waitFor({ timeout: 20_000 });
      const polls = await panel().locator(".ims-polls li").allTextContents();
      expect(polls[0]).toMatch(/^INIT/);
      expect(polls.some((poll) => poll.startsWith("RUNNING"))).toBe(true);
      expect(polls.at(-1)).toMatch(/^SUCCESS · 100 %/);
      const imageId = UUID.exec((await jobStatus.textContent())!)![0];
      expect(await jobStatus.textContent()).toBe(t.jobSucceeded(imageId));
      return imageId;
    }

    it("opens from the Try it button beside the operation, on the stub that serves the page", async () => {
      await page.getByRole("button", { name: t.tryOperation(CREATE_SUMMARY[language]) }).click();
      await expect(panel().isVisible()).resolves.toBe(true);
      await page.waitForFunction(() => document.querySelector<HTMLInputElement>("#ims-console input[name=server]")?.value !== "");
      expect(await panel().getByLabel(t.serverLabel).inputValue()).toBe(stub.url);
      expect(await panel().locator(".ims-hint", { hasText: "--cors-origin" }).textContent()).toContain(t.serverStub);
      expect(await panel().getByLabel(t.operationLabel).inputValue()).toBe("CreateImage");
    });

    it("sends the seed's ECS example with a token, shows status, X-Request-Id and body, and follows the job to SUCCESS", async () => {
      await panel().getByLabel(t.exampleLabel).selectOption({ label: SEED_ECS_EXAMPLE[language] });
      expect(JSON.parse(await panel().locator("textarea").inputValue())).toMatchObject({ name: "ims_test", instance_id: "877a2cda-ba63-4e1e-b95f-e67e48b6129a" });
      await panel().getByLabel(t.authToken).check();
      await panel().getByLabel(t.tokenLabel, { exact: true }).fill("docs-reader-token");
      await panel().getByRole("button", { name: t.send }).click();
      await status().waitFor();
      expect(await status().textContent()).toMatch(/^200 OK · \d+/);
      const requestId = /[0-9a-f]{32}/.exec((await panel().locator(".ims-request-id").textContent())!)![0];
      expect(await panel().locator(".ims-headers").textContent()).toContain(requestId);
      const jobId = JSON.parse((await panel().locator(".ims-result pre[aria-label]").textContent())!).job_id;
      expect(jobId).toMatch(/^[0-9a-f]{32}$/);
      // Without a project ID the console follows the job with ShowJobProgress, whose path needs none.
      const imageId = await followToSuccess("ShowJobProgress");
      const job = await getJson(stub.url, `/v1/cloudimages/job/${jobId}`);
      expect(job.body.entities.image_id).toBe(imageId);
      // Then it opens the image with the contract's image query, ListImages `?id=`.
      const image = panel().locator(".ims-image");
      await image.locator("pre").waitFor();
      expect(await image.textContent()).toContain(t.imageOpened(`GET /v2/cloudimages?id=${imageId}`));
      expect(JSON.parse((await image.locator("pre").textContent())!).images[0]).toMatchObject({ id: imageId, status: "active" });
      await image.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ARTIFACTS}/docs-console-${language}-token.png` });
    });

    it("sends it signed with AK/SK in the page, and follows the job with ShowJob in the caller's project", async () => {
      await panel().getByLabel(t.authAksk).check();
      await panel().getByLabel(t.akLabel).fill(AK);
      await panel().getByLabel(t.skLabel).fill(SK);
      await panel().getByLabel(t.projectLabel).fill(PROJECT_ID);
      await panel().getByRole("button", { name: t.send }).click();
      await panel().getByRole("button", { name: t.follow("ShowJob") }).waitFor();
      expect(await status().textContent()).toMatch(/^200 OK/);
      expect(await panel().locator("details pre").textContent()).toMatch(/^authorization: SDK-HMAC-SHA256 Access=EXAMPLEAK1234567890, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$/m);
      await followToSuccess("ShowJob");
      await panel().locator(".ims-result").scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ARTIFACTS}/docs-console-${language}-aksk.png` });
      // Nothing the reader typed is kept: no storage, no cookie.
      const stored = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookies: document.cookie }));
      expect(stored).not.toContain(SK);
      expect(stored).not.toContain(AK);
    });

    it("shows a refusal as IMS sends it: a body mixing two sources gets its IMG code", async () => {
      const body = panel().locator("textarea");
      const mixed = { ...JSON.parse(await body.inputValue()), image_url: "ims-image:centos70.qcow2" };
      await body.fill(JSON.stringify(mixed, null, 2));
      await panel().getByRole("button", { name: t.send }).click();
      await status().filter({ hasText: "400" }).waitFor();
      const direct = await fetch(`${stub.url}/v2/cloudimages/action`, { method: "POST", headers: { "X-Auth-Token": "t", "Content-Type": "application/json" }, body: JSON.stringify(mixed) });
      const { error } = (await direct.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe("IMG.0001");
      expect(await panel().locator(".ims-error").textContent()).toBe(t.imsError(error.code, error.message));
      expect(await panel().getByRole("button", { name: t.follow("ShowJob") }).count()).toBe(0);
      await page.screenshot({ path: `${ARTIFACTS}/docs-console-${language}-refusal.png` });
    });

    it("answers bad input in the page and sends nothing: a body that is not JSON, a missing credential, a server that does not answer", async () => {
      const problems = panel().locator(".ims-problems");
      const sentBefore = sentRequests.length;
      const body = panel().locator("textarea");
      const example = await body.inputValue();
      await body.fill('{"name": "ims_test",');
      await panel().getByRole("button", { name: t.send }).click();
      expect(await problems.textContent()).toContain(t.problemBodyNotJson("").trim());
      await body.fill(example);
      await panel().getByLabel(t.skLabel).fill("");
      await panel().getByRole("button", { name: t.send }).click();
      expect(await problems.textContent()).toContain(t.problemNoSk);
      await panel().getByLabel(t.authToken).check();
      await panel().getByLabel(t.tokenLabel, { exact: true }).fill("");
      await panel().getByRole("button", { name: t.send }).click();
      expect(await problems.textContent()).toContain(t.problemNoToken);
      await panel().getByLabel(t.serverLabel).fill("");
      await panel().getByRole("button", { name: t.send }).click();
      expect(await problems.textContent()).toContain(t.problemNoServer);
      expect(sentRequests.length).toBe(sentBefore);

      await panel().getByLabel(t.serverLabel).fill(deadServer);
      await panel().getByLabel(t.tokenLabel, { exact: true }).fill("docs-reader-token");
      await panel().getByRole("button", { name: t.send }).click();
      await status().filter({ hasText: deadServer }).waitFor();
      expect(await status().textContent()).toBe(t.networkFailed(deadServer, new URL(stub.url).origin));
      expect(await problems.textContent()).toBe("");
      await panel().getByLabel(t.serverLabel).fill(stub.url);
    });

    it("closes with Escape and gives the focus back", async () => {
      await panel().getByLabel(t.serverLabel).focus();
      await page.keyboard.press("Escape");
      expect(await panel().isHidden()).toBe(true);
      expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe(t.tryOperation(CREATE_SUMMARY[language]));
    });
  });

  it("can be used from the keyboard alone: open, fill, send, follow, close", async () => {
    const t = messagesFor("en");
    const page = await openPage("/docs");
    const focused = () => page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      const label = element?.id ? document.querySelector(`label[for="${element.id}"]`)?.textContent : undefined;
      return label ?? element?.getAttribute("aria-label") ?? element?.textContent ?? "";
    });
    /** Presses Tab until the focused control is named `name` (at most 40 times). */
    const tabTo = async (name: string) => {
      for (let step = 0; step < 40; step++) {
        await page.keyboard.press("Tab");
        if ((await focused()).trim() === name) return;
      }
      throw new Error(`Tab never reached ${name}`);
    };
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>("#ims-console input[name=server]")?.value !== "");
    await tabTo(t.toggle);
    await page.keyboard.press("Enter");
    expect(await focused()).toBe(t.title);
    await tabTo(t.tokenLabel);
    await page.keyboard.type("keyboard-token");
    await tabTo(t.send);
    await page.keyboard.press("Enter");
    await page.locator("#ims-console .ims-result [role=status]").waitFor();
    expect(await page.locator("#ims-console .ims-result [role=status]").textContent()).toMatch(/^200 OK/);
    await tabTo(t.follow("ShowJobProgress"));
    await page.keyboard.press("Enter");
    await page.locator("#ims-console .ims-job [role=status]").filter({ hasText: UUID }).waitFor({ timeout: 20_000 });
    await page.keyboard.press("Escape");
    expect(await page.locator("#ims-console").isHidden()).toBe(true);
    expect(await focused()).toBe(t.toggle);
    await page.close();
  });

  it("sends any operation the contract has: PATCH with a JSON-patch content type, DELETE without a body, a query", async () => {
    const t = messagesFor("en");
    const page = await openPage("/docs");
    const panel = page.locator("#ims-console");
    const status = panel.locator(".ims-result [role=status]");
    await page.locator(".ims-toggle").click();
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>("#ims-console input[name=server]")?.value !== "");
    await panel.getByLabel(t.tokenLabel, { exact: true }).fill("t");
    await panel.getByRole("button", { name: t.send }).click();
    await panel.getByRole("button", { name: t.follow("ShowJobProgress") }).click();
    await panel.locator(".ims-job > [role=status]").filter({ hasText: UUID }).waitFor({ timeout: 20_000 });
    const imageId = UUID.exec((await panel.locator(".ims-job > [role=status]").textContent())!)![0];

    // UpdateImage: the image ID the job gave is offered; the JSON-patch content type takes the examples of the body.
    await panel.getByLabel(t.operationLabel).selectOption("UpdateImage");
    expect(await panel.getByLabel("image_id (path)").inputValue()).toBe(imageId);
    await panel.getByLabel(t.contentTypeLabel).selectOption("application/openstack-images-v2.1-json-patch");
    await panel.getByLabel(t.exampleLabel).selectOption("rename");
    const patch = JSON.parse(await panel.locator("textarea").inputValue());
    await panel.getByRole("button", { name: t.send }).click();
    await status.filter({ hasText: "200" }).waitFor();
    expect(await panel.locator("details pre").textContent()).toMatch(/^PATCH .*\/v2\/cloudimages\/[0-9a-f-]{36}\n(.*\n)*content-type: application\/openstack-images-v2\.1-json-patch$/m);
    const renamed = patch.find((operation: { path: string }) => operation.path === "/name").value;
    expect(JSON.parse((await panel.locator(".ims-result pre[aria-label]").textContent())!).name).toBe(renamed);

    // ListImages with a query parameter.
    await panel.getByLabel(t.operationLabel).selectOption("ListImages");
    await panel.getByLabel("name (query)").fill(renamed);
    await panel.getByRole("button", { name: t.send }).click();
    await status.filter({ hasText: "200" }).waitFor();
    expect(await panel.locator("details pre").textContent()).toContain(`GET ${stub.url}/v2/cloudimages?name=`);
    expect(JSON.parse((await panel.locator(".ims-result pre[aria-label]").textContent())!).images.map((image: { id: string }) => image.id)).toEqual([imageId]);

    // GlanceDeleteImage: its body is optional and starts empty, so none is sent; 204 and no body.
    await panel.getByLabel(t.operationLabel).selectOption("GlanceDeleteImage");
    expect(await panel.locator("textarea").inputValue()).toBe("");
    await panel.getByRole("button", { name: t.send }).click();
    await status.filter({ hasText: "204" }).waitFor();
    expect(await panel.locator(".ims-result pre[aria-label]").textContent()).toBe(t.emptyBody);
    expect((await getJson(stub.url, `/v2/cloudimages?id=${imageId}`)).body.images).toEqual([]);
    await page.close();
  });

  it("shows the image ID when the page's contract has no image query", async () => {
    const t = messagesFor("en");
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on("pageerror", (error) => void pageErrors.push(error.message));
    // The page as an older contract would build it: its embedded contract without GET /v2/cloudimages.
    await page.route((url) => url.pathname === "/docs", async (route) => {
      if (route.request().method() !== "GET") return route.continue();
      const response = await route.fetch();
      const html = await response.text();
      const withoutListImages = html.replace(/(<script type="application\/json" id="ims-docs-data">)(.*?)(<\/script>)/s, (_whole, open: string, json: string, close: string) => {
        const data = JSON.parse(json);
        delete data.spec.paths["/v2/cloudimages"];
        return `${open}${JSON.stringify(data).replace(/</g, "\\u003c")}${close}`;
      });
      const headers = Object.fromEntries(Object.entries(response.headers()).filter(([name]) => name !== "content-length"));
      await route.fulfill({ status: 200, headers, body: withoutListImages });
    });
    await page.goto(`${stub.url}/docs`, { waitUntil: "networkidle" });
    await page.locator(".ims-toggle").click();
    // The page's contract is not the one the stub serves, so the console does not take the stub for granted.
    expect(await page.getByLabel(t.serverLabel).inputValue()).toBe("");
    await page.getByLabel(t.serverLabel).fill(stub.url);
    await page.getByLabel(t.tokenLabel, { exact: true }).fill("t");
    await page.getByRole("button", { name: t.send }).click();
    await page.getByRole("button", { name: t.follow("ShowJobProgress") }).click();
    const status = page.locator("#ims-console .ims-job > [role=status]");
    await status.filter({ hasText: UUID }).waitFor({ timeout: 20_000 });
    const imageId = UUID.exec((await status.textContent())!)![0];
    expect(await page.locator("#ims-console .ims-image").textContent()).toContain(t.imageNoOperation);
    expect(await status.textContent()).toBe(t.jobSucceeded(imageId));
    await page.close();
  });

  it("sent no request off the machine and logged no error; the SK was never sent or logged", () => {
    expect(leftTheMachine).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    const signed = sentRequests.filter((request) => request.headers.authorization?.startsWith("SDK-HMAC-SHA256"));
    expect(signed.length).toBeGreaterThan(4);
    for (const request of sentRequests) expect(JSON.stringify(request)).not.toContain(SK);
    for (const line of consoleLines) expect(line).not.toContain(SK);
  });
});

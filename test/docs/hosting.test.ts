// The built docs are static files a team can publish on any web server, or open from disk. There the console does
// not assume a server: it asks for one, explains CORS, and then works across origins.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import express from "express";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messagesFor } from "../../scripts/docs-site/console/messages.ts";
import { projectRoot } from "../../scripts/project-root.ts";
import { keepOnTheMachine, launchChromium, skipWithoutChromium } from "../helpers/chromium.ts";
import { startStub, type RunningStub } from "../helpers/stub.ts";

const DOCS = join(projectRoot, "generated/docs");
const t = messagesFor("en");

describe.skipIf(skipWithoutChromium)("the docs hosted as static files", () => {
  let webServer: Server;
  let site: string;
  let stub: RunningStub;
  let strictStub: RunningStub;
  let browser: Browser;
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const leftTheMachine: string[] = [];

  beforeAll(async () => {
    // Any web server will do; this one is express.static over generated/docs, with no knowledge of the API.
    const app = express();
    app.use(express.static(DOCS));
    webServer = await new Promise<Server>((resolve) => {
      const server = app.listen(0, "127.0.0.1", () => resolve(server));
    });
    site = `http://127.0.0.1:${(webServer.address() as AddressInfo).port}`;
    stub = await startStub({ progression: "per-poll" });
    strictStub = await startStub({ corsOrigin: "https://docs.example.com" });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stub?.close();
    await strictStub?.close();
    await new Promise((resolve) => webServer?.close(resolve));
  });

  async function open(url: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (error) => void pageErrors.push(error.message));
    page.on("console", (message) => {
      // The stub that allows only https://docs.example.com is refused by the browser, which says so itself.
      const refusedByCors = message.text().includes(strictStub.url) || message.location().url.startsWith(strictStub.url);
      if (message.type() === "error" && !refusedByCors) consoleErrors.push(message.text());
    });
    await keepOnTheMachine(page, ["http://127.0.0.1:", "file:"], leftTheMachine);
    await page.goto(url, { waitUntil: "networkidle" });
    await page.locator(".ims-toggle").click();
    return page;
  }

  it("asks for the server, explains CORS, and sends nothing until it has one", async () => {
    const page = await open(`${site}/`);
    expect(await page.getByLabel(t.serverLabel).inputValue()).toBe("");
    const hint = await page.locator("#ims-console .ims-hint", { hasText: "CORS" }).textContent();
    expect(hint).toBe(`${t.serverAsk} ${t.serverCors(site)}`);
    await page.getByLabel(t.tokenLabel, { exact: true }).fill("t");
    await page.getByRole("button", { name: t.send }).click();
    expect(await page.locator("#ims-console .ims-problems").textContent()).toContain(t.problemNoServer);
    await page.close();
  });

  it("then sends across origins, reads X-Request-Id (the stub exposes it) and follows the job", async () => {
    const page = await open(`${site}/#/images/createimage`);
    await page.getByLabel(t.serverLabel).fill(stub.url);
    await page.getByLabel(t.tokenLabel, { exact: true }).fill("t");
    await page.getByRole("button", { name: t.send }).click();
    const status = page.locator("#ims-console .ims-result [role=status]");
    await status.waitFor();
    expect(await status.textContent()).toMatch(/^200 OK/);
    expect(await page.locator("#ims-console .ims-request-id").textContent()).toMatch(/[0-9a-f]{32}$/);
    await page.getByRole("button", { name: t.follow("ShowJobProgress") }).click();
    await page.locator("#ims-console .ims-job > [role=status]").filter({ hasText: /succeeded/ }).waitFor({ timeout: 20_000 });
    await page.close();
  });

  it("says why when the server does not allow the page's origin", async () => {
    const page = await open(`${site}/`);
    await page.getByLabel(t.serverLabel).fill(strictStub.url);
    await page.getByLabel(t.tokenLabel, { exact: true }).fill("t");
    await page.getByRole("button", { name: t.send }).click();
    const status = page.locator("#ims-console .ims-result [role=status]");
    await status.waitFor();
    expect(await status.textContent()).toBe(t.networkFailed(strictStub.url, site));
    await page.close();
  });

  it("links each page to the other on the web server", async () => {
    const page = await open(`${site}/`);
    await page.keyboard.press("Escape");
    await page.locator("a.ims-language").click();
    await page.waitForURL(`${site}/zh-CN/`);
    expect(await page.getAttribute("html", "lang")).toBe("zh-CN");
    await page.locator("a.ims-language").click();
    await page.waitForURL(`${site}/`);
    expect(await page.getAttribute("html", "lang")).toBe("en");
    await page.close();
  });

  it("works opened from disk too: the language link names the file, and a signed request goes out", async () => {
    const page = await open(pathToFileURL(join(DOCS, "index.html")).href);
    expect(await page.locator("a.ims-language").getAttribute("href")).toBe(pathToFileURL(join(DOCS, "zh-CN/index.html")).href);
    expect(await page.locator("#ims-console .ims-hint", { hasText: "CORS" }).textContent()).toContain("null (file://)");
    await page.getByLabel(t.serverLabel).fill(stub.url);
    await page.getByLabel(t.authAksk).check();
    await page.getByRole("button", { name: t.useExamplePair }).click();
    await page.getByRole("button", { name: t.send }).click();
    const status = page.locator("#ims-console .ims-result [role=status]");
    await status.waitFor();
    expect(await status.textContent()).toMatch(/^200 OK/);
    await page.close();
  });

  it("sent no request off the machine and raised no error", () => {
    expect(leftTheMachine).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

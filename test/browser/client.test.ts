// The client in a real browser: bundled with esbuild, loaded into a page of one stub, calling another stub
// across origins (CORS preflight included), with both auth schemes. Web Crypto signs; nothing else is needed.
import { build } from "esbuild";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../scripts/project-root.ts";
import { launchChromium, skipWithoutChromium } from "../helpers/chromium.ts";
import { AK, PROJECT_ID, SK, startStub, type RunningStub } from "../helpers/stub.ts";

describe.skipIf(skipWithoutChromium)("the client in a browser", () => {
  let page: RunningStub;
  let api: RunningStub;
  let browser: Browser;
  let tab: Page;

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [`${projectRoot}/client/index.ts`],
      bundle: true,
      write: false,
      format: "iife",
      globalName: "ImsClient",
      platform: "browser",
      target: "es2022",
    });
    page = await startStub();
    api = await startStub({ progression: "per-poll" });
    browser = await launchChromium();
    tab = await browser.newPage();
    // A page of the stub's own origin is a secure context (127.0.0.1), as Web Crypto requires.
    await tab.goto(`${page.url}/openapi.json`);
    await tab.addScriptTag({ content: bundle.outputFiles[0]!.text });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await page?.close();
    await api?.close();
  });

  it.each([
    ["X-Auth-Token", { token: "browser-token", projectId: PROJECT_ID }],
    ["AK/SK", { ak: AK, sk: SK, projectId: PROJECT_ID }],
  ])("creates an image and waits for it with %s, across origins", async (_scheme, auth) => {
    const result = await tab.evaluate(
      async ({ endpoint, auth }) => {
        const { createImsClient } = (window as unknown as { ImsClient: typeof import("../../client/index.ts") }).ImsClient;
        const ims = createImsClient({ endpoint, auth });
        const done = await ims.createImageAndWait(
          { name: "browser", instance_id: "877a2cda-ba63-4e1e-b95f-e67e48b6129a" },
          { maxWaitTime: 10, minDelay: 0.01, maxDelay: 0.02 },
        );
        return { origin: location.origin, status: done.job.status, imageIds: done.imageIds, polls: done.polls };
      },
      { endpoint: api.url, auth },
    );
    expect(result.origin).not.toBe(new URL(api.url).origin);
    expect(result).toMatchObject({ status: "SUCCESS", polls: 4 });
    expect(result.imageIds[0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("surfaces an API error as ImsError in the browser too", async () => {
    const error = await tab.evaluate(async (endpoint) => {
      const { createImsClient, ImsError } = (window as unknown as { ImsClient: typeof import("../../client/index.ts") }).ImsClient;
      const ims = createImsClient({ endpoint, auth: { token: "t" } });
      try {
        await ims.createImage({ name: " bad", instance_id: "877a2cda-ba63-4e1e-b95f-e67e48b6129a" });
        return "no error";
      } catch (e) {
        return e instanceof ImsError ? { status: e.status, code: e.code, requestId: e.requestId } : String(e);
      }
    }, api.url);
    expect(error).toMatchObject({ status: 400, code: "IMG.0003", requestId: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it("says, for a stub that is not running, that the browser gives no reason, and where to look", async () => {
    // A stub's port once it has closed: nothing listens there any more.
    const down = await startStub();
    await down.close();
    const error = await tab.evaluate(async (endpoint) => {
      const { createImsClient, ImsNetworkError } = (window as unknown as { ImsClient: typeof import("../../client/index.ts") }).ImsClient;
      try {
        await createImsClient({ endpoint, auth: { token: "t" } }).showJobProgress("j");
        return "no error";
      } catch (e) {
        return e instanceof ImsNetworkError ? { kind: e.kind, message: e.message } : String(e);
      }
    }, down.url);
    expect(error).toEqual({
      kind: "network",
      message: `IMS request GET ${down.url}/v1/cloudimages/job/j got no answer: the browser does not say why (Failed to fetch): the server may be down or unreachable, or it refused the CORS preflight (see the browser's console)`,
    });
  });
});

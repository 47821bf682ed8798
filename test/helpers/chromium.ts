// Headless Debian Chromium through playwright-core, for the tests that look at what a browser does.
// Without Chromium those tests are skipped locally; in CI (CI=true) they fail instead, since .ci/run installs it.
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => existsSync(path));
export const skipWithoutChromium = !CHROMIUM && process.env.CI !== "true";

export function launchChromium(): Promise<Browser> {
  if (!CHROMIUM) throw new Error("Chromium is not installed: apt-get install chromium");
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/**
 * Lets a page reach only the given URL prefixes (and its own data: and blob: URLs); every other request is
 * aborted and recorded, so a test can assert that nothing left the machine. Returns the record.
 */
export async function keepOnTheMachine(page: Page, allowedPrefixes: readonly string[], leftTheMachine: string[] = []): Promise<string[]> {
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if ([...allowedPrefixes, "data:", "blob:"].some((prefix) => url.startsWith(prefix))) return route.continue();
    leftTheMachine.push(url);
    return route.abort();
  });
  return leftTheMachine;
}

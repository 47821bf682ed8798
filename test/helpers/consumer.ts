// What the package tests share: the packed tarball (made once per run by test/global-setup.ts), npm installs
// from npm's cache, the guides' code blocks, and a consumer's script that runs the whole flow.
import type { ChildProcess } from "node:child_process";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { expect, inject } from "vitest";
import { projectRoot } from "../../scripts/project-root.ts";

/** The tarball `npm pack` made for this run (test/global-setup.ts). */
export const packedTarball = (): string => inject("packedTarball");

/** The guides that show a consumer's files, each run here as written. */
export const TESTING_GUIDE = join(projectRoot, "spec/guides/testing-against-failures.md");
export const CI_GUIDE = join(projectRoot, "spec/guides/stub-in-ci.md");
export const PACKAGE_GUIDE = join(projectRoot, "spec/guides/package.md");

/** The code block after `<!-- marker -->` in a guide. */
export function guideBlock(marker: string, guide = TESTING_GUIDE): string {
  const block = new RegExp(`<!-- ${marker} -->\\s*\`\`\`\\w+\\n([\\s\\S]*?)\`\`\``).exec(readFileSync(guide, "utf8"))?.[1];
  expect(block, `${guide} has a ${marker} block`).toBeDefined();
  return block!;
}

export const ownPackage = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8"));
export const PACKAGE = ownPackage.name as string;
export const devVersion = (name: string) => `${name}@${ownPackage.devDependencies[name]}`;

/** `npm install` from npm's cache into `cwd`, under the Node.js found first on PATH; returns npm's warnings. */
export function npmInstall(cwd: string, packages: string[], path = process.env.PATH): string[] {
  const result = spawnSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", ...packages], { cwd, encoding: "utf8", env: { ...process.env, PATH: path } });
  if (result.status !== 0) throw new Error(`npm install failed (${result.status}): ${result.stderr}`);
  return result.stderr.split("\n").filter((line) => line.startsWith("npm warn"));
}

/** npm's install-script notices that name this package (npm 11 lists each package whose scripts await approval). */
export const installScriptNotices = (warnings: string[]) => warnings.filter((line) => line.includes("install-scripts") && line.includes(PACKAGE));

/** A free loopback port, for commands that take a fixed one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once("error", reject);
  });
}

/** The same wait the CI guide's recipe does, for the stub this test starts itself. */
export async function untilHealthy(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`ims-stub exited with ${child.exitCode}`);
    if (await fetch(`${url}/_stub/health`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("ims-stub did not become healthy in 30 s");
}

// A consumer's script that runs the whole flow against IMS_ENDPOINT, from the create to the clean-up: what other
// teams' tests do.
export const FLOW_SCRIPT = `import { createImsClient } from "${PACKAGE}/client";
const ims = createImsClient({ endpoint: process.env.IMS_ENDPOINT, auth: { token: "ci-token", projectId: "0123456789abcdef0123456789abcdef" } });
const { jobId, imageIds } = await ims.createImageAndWait(
  { name: "ci-image", instance_id: "877a2cda-ba63-4e1e-b95f-e67e48b6129a" },
  { maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.2 },
);
if (!/^[0-9a-f]{32}$/.test(jobId) || imageIds.length !== 1) throw new Error("unexpected result " + JSON.stringify({ jobId, imageIds }));
// The image exists afterwards, and goes when deleted: create, use, clean up.
const image = await ims.findImage(imageIds[0]);
if (image?.status !== "active" || typeof image.max_ram !== "undefined" || typeof image.__image_size !== "string") throw new Error("unexpected image " + JSON.stringify(image));
await ims.deleteImage(image.id);
const gone = await ims.waitForImageDeleted(image.id, { maxWaitTime: 10, minDelay: 0.05 });
if (gone.state !== "SUCCESS") throw new Error("the image was not deleted: " + gone.reason);
console.log("created image " + imageIds[0]);
`;


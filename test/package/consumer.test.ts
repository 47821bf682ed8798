// The package as another team meets it: `npm pack`, the tarball installed into an empty project, and there the
// client from plain ESM and from CommonJS, a TypeScript consumer under `nodenext` and under `bundler`, a browser
// bundle of the client, `npx ims-stub` with `createImageAndWait` against it, and the CI guide's recipe run as
// written. Installs come from npm's cache (npm ci filled it), so this needs no network.
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../scripts/project-root.ts";

/** The guides that show a consumer's files, each run here as written. */
const TESTING_GUIDE = join(projectRoot, "spec/guides/testing-against-failures.md");
const CI_GUIDE = join(projectRoot, "spec/guides/stub-in-ci.md");
const PACKAGE_GUIDE = join(projectRoot, "spec/guides/package.md");

/** The code block after `<!-- marker -->` in a guide. */
function guideBlock(marker: string, guide = TESTING_GUIDE): string {
  const block = new RegExp(`<!-- ${marker} -->\\s*\`\`\`\\w+\\n([\\s\\S]*?)\`\`\``).exec(readFileSync(guide, "utf8"))?.[1];
  expect(block, `${guide} has a ${marker} block`).toBeDefined();
  return block!;
}

const ownPackage = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8"));
const PACKAGE = ownPackage.name as string;
const devVersion = (name: string) => `${name}@${ownPackage.devDependencies[name]}`;

let consumer: string;
let tarball: string;
/** What npm warned about while installing the tarball into the consumer's project. */
let installWarnings: string[];

/** `npm install` from npm's cache into `cwd`, under the Node.js found first on PATH; returns npm's warnings. */
function npmInstall(cwd: string, packages: string[], path = process.env.PATH): string[] {
  const result = spawnSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", ...packages], { cwd, encoding: "utf8", env: { ...process.env, PATH: path } });
  if (result.status !== 0) throw new Error(`npm install failed (${result.status}): ${result.stderr}`);
  return result.stderr.split("\n").filter((line) => line.startsWith("npm warn"));
}

/** npm's install-script notices that name this package (npm 11 lists each package whose scripts await approval). */
const installScriptNotices = (warnings: string[]) => warnings.filter((line) => line.includes("install-scripts") && line.includes(PACKAGE));

const run = (command: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  execFileSync(command, args, { cwd: consumer, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });

const write = (file: string, text: string) => writeFileSync(join(consumer, file), text);

/** A free loopback port, for commands that take a fixed one. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once("error", reject);
  });
}

/** The same wait the CI guide's recipe does, for the stub this test starts itself. */
async function untilHealthy(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`ims-stub exited with ${child.exitCode}`);
    if (await fetch(`${url}/_stub/health`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("ims-stub did not become healthy in 30 s");
}

// A consumer's script that runs the whole flow against IMS_ENDPOINT, from the create to the clean-up: what other
// teams' tests do.
const FLOW_SCRIPT = `import { createImsClient } from "${PACKAGE}/client";
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

beforeAll(() => {
  consumer = mkdtempSync(join(tmpdir(), "ims-consumer-"));
  // npm pack runs the prepare step (the build) first, whose output comes before pack's JSON.
  const packOutput = execFileSync("npm", ["pack", "--json", "--pack-destination", consumer], { cwd: projectRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const packed = JSON.parse(packOutput.slice(packOutput.indexOf("[\n")));
  tarball = join(consumer, packed[0].filename);
  write("package.json", JSON.stringify({ name: "consumer", version: "1.0.0", private: true, scripts: { test: "node flow.mjs" } }, null, 2));
  installWarnings = npmInstall(consumer, [tarball, devVersion("typescript"), devVersion("@types/node"), devVersion("openapi-typescript")]);
}, 240_000);

afterAll(() => {
  if (consumer) rmSync(consumer, { recursive: true, force: true });
});

describe("the packed tarball", () => {
  it("holds the compiled package, its types, the specs and the docs, and no sources, tests or scripts", () => {
    const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n").filter(Boolean).map((f) => f.replace(/^package\//, ""));
    for (const file of ["package.json", "README.md", "CHANGELOG.md", "dist/server/verify.js", "dist/generated/workflows/create-image.arazzo.yaml", "dist/client/index.js", "dist/client/index.d.ts", "dist/server/main.js", "dist/server/testing.js", "dist/server/testing.d.ts", "dist/server/index.d.ts", "dist/generated/openapi.json", "dist/generated/openapi.yaml", "dist/generated/openapi.d.ts", "dist/generated/docs/index.html", "dist/generated/docs/zh-CN/index.html"]) {
      expect(files).toContain(file);
    }
    expect(files.filter((f) => /^(test|scripts|spec|client|server|generated)\//.test(f) || f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  });

  it("carries no script: npm asks a consumer to approve nothing of this package", () => {
    const manifest = JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }));
    expect(manifest.scripts).toBeUndefined();
    expect(manifest.allowScripts).toBeUndefined();
    expect(manifest).toMatchObject({ name: PACKAGE, version: ownPackage.version, exports: ownPackage.exports, engines: ownPackage.engines });
    expect(installScriptNotices(installWarnings)).toEqual([]);
    // And the repository's own package.json is whole again after the pack.
    expect(JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")).scripts.prepare).toBeDefined();
  });

  it("installs no build tool for the consumer: no tsx, no esbuild, no vitest", () => {
    const installed = JSON.parse(run("npm", ["ls", "--all", "--json"]));
    const names = new Set<string>();
    const walk = (deps: Record<string, { dependencies?: object }> = {}) => {
      for (const [name, dep] of Object.entries(deps)) {
        names.add(name);
        walk(dep.dependencies as Record<string, { dependencies?: object }>);
      }
    };
    walk(installed.dependencies[PACKAGE].dependencies);
    expect(names.size).toBeGreaterThan(5);
    expect(names.has("typescript")).toBe(false);
    // @redocly/cli is an optional peer (ims-verify asks for it): named in the tree, never installed.
    for (const tool of ["tsx", "esbuild", "vitest", "@redocly/cli"]) expect(existsSync(join(consumer, "node_modules", tool)), tool).toBe(false);
  });
});

describe("the client, imported as consumers import it", () => {
  it("works from plain ESM", () => {
    write(
      "esm.mjs",
      `import { createImsClient, ImsError, JobWaitError, aksk } from "${PACKAGE}/client";
import spec from "${PACKAGE}/openapi.json" with { type: "json" };
const client = createImsClient({ endpoint: "http://127.0.0.1:1", auth: { token: "t" } });
const error = new ImsError(400, "IMG.0001", "bad", undefined, {});
let mistake;
try {
  createImsClient({ baseUrl: "http://127.0.0.1:8080", auth: { token: "t" } });
} catch (thrown) {
  mistake = \`\${thrown.name}: \${thrown.message}\`;
}
console.log(JSON.stringify({ create: typeof client.createImageAndWait, isError: error instanceof Error, code: error.code, wait: typeof JobWaitError, sign: typeof aksk.signRequest, version: spec.info.version, mistake }));
`,
    );
    expect(JSON.parse(run("node", ["esm.mjs"]))).toEqual({
      create: "function",
      isError: true,
      code: "IMG.0001",
      wait: "function",
      sign: "function",
      version: ownPackage.version,
      // openapi-fetch's option name, typed by habit, from JavaScript: named, with the fix.
      mistake: expect.stringMatching(/^TypeError: createImsClient: options\.endpoint is required.*\(got baseUrl; did you mean endpoint\?\)$/),
    });
  });

  it("works from CommonJS require()", () => {
    write(
      "cjs.cjs",
      `const { createImsClient, ImsError } = require("${PACKAGE}/client");
const spec = require("${PACKAGE}/openapi.json");
const client = createImsClient({ endpoint: "http://127.0.0.1:1", auth: { token: "t" } });
console.log(JSON.stringify({ create: typeof client.createImage, error: typeof ImsError, title: spec.info.title }));
`,
    );
    expect(JSON.parse(run("node", ["cjs.cjs"]))).toEqual({ create: "function", error: "function", title: expect.stringContaining("IMS") });
  });

  it.each([
    ["nodenext", { module: "nodenext", moduleResolution: "nodenext" }],
    ["bundler", { module: "esnext", moduleResolution: "bundler" }],
  ])("type-checks in a TypeScript project under %s, and refuses a mixed body", (_name, resolution) => {
    write(
      "consumer.mts",
      `import { createImsClient, ImsError, type CreateImageBody } from "${PACKAGE}/client";
import type { paths, components } from "${PACKAGE}/types";
import { createApp, serve, type StubApp } from "${PACKAGE}/server";
import { startStub, type TestStub } from "${PACKAGE}/testing";

const body: CreateImageBody = { name: "img", instance_id: "877a2cda-ba63-4e1e-b95f-e67e48b6129a", tags: ["a.b"] };
// @ts-expect-error a body that mixes a server and a volume is not a CreateImageBody
const mixed: CreateImageBody = { name: "img", instance_id: "877a2cda-ba63-4e1e-b95f-e67e48b6129a", volume_id: "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30" };
const job: components["schemas"]["Job"]["status"] = "SUCCESS";
type CreatePath = paths["/v2/cloudimages/action"]["post"];
export async function flow(): Promise<string> {
  const app: StubApp = createApp({ progression: "immediate" });
  const server = await serve(app, 0, "127.0.0.1");
  server.close();
  const stub: TestStub = await startStub({ rateLimit: 5, auth: { token: "t" } });
  const { data } = await stub.control.GET("/_stub/requests", { params: { query: { operation: "ShowJob", status: "4xx" } } });
  // @ts-expect-error the journal's entries are typed: no such field
  const wrong: string = data!.requests[0]!.nonexistent;
  await stub.close();
  const ims = createImsClient({ endpoint: "http://127.0.0.1:8080", auth: { ak: "AK", sk: "SK", projectId: "p" } });
  try {
    const { jobId } = await ims.createImageAndWait(body, { maxWaitTime: 60 });
    return jobId + job + String(mixed) + (null as unknown as CreatePath) + wrong;
  } catch (error) {
    return error instanceof ImsError ? error.code : "other";
  }
}
`,
    );
    write(
      `tsconfig.${_name}.json`,
      JSON.stringify({ compilerOptions: { ...resolution, target: "es2022", lib: ["es2023", "dom"], types: ["node"], strict: true, noEmit: true, skipLibCheck: false }, files: ["consumer.mts"] }),
    );
    expect(() => run(join(consumer, "node_modules/.bin/tsc"), ["-p", `tsconfig.${_name}.json`])).not.toThrow();
    // tsc checks the package's declarations and Express's without skipLibCheck: seconds on a quiet machine, more
    // on a busy one.
  }, 90_000);

  it("bundles for the browser with openapi-fetch, leven and the client only, no server code", async () => {
    write("browser.mjs", `export { createImsClient, ImsError } from "${PACKAGE}/client";\n`);
    const result = await build({ entryPoints: [join(consumer, "browser.mjs")], absWorkingDir: consumer, bundle: true, minify: true, write: false, metafile: true, format: "esm", platform: "browser", target: "es2022" });
    const inputs = Object.keys(result.metafile.inputs);
    const packages = new Set(inputs.map((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input));
    expect([...packages].sort()).toEqual([PACKAGE, "browser.mjs", "leven", "openapi-fetch"].sort());
    expect(inputs.filter((input) => input.includes(`${PACKAGE}/`) && !input.includes(`${PACKAGE}/dist/client/`))).toEqual([]);
    // The package guide states the size; keep it within 10 % of what a bundler makes.
    const bytes = result.outputFiles[0]!.contents.byteLength;
    const stated = /client's minified bundle is about ([\d.]+) kB/.exec(readFileSync(PACKAGE_GUIDE, "utf8"));
    expect(stated, "the package guide states the client's bundle size").not.toBeNull();
    expect(Math.abs(Number(stated![1]) * 1000 - bytes) / bytes).toBeLessThan(0.1);
  });
});

describe("startStub() in another team's tests, as the testing guide writes them", () => {
  // A project of its own: the one above must stay free of test frameworks.
  let tests: string;
  const runIn = (command: string, args: string[]) =>
    execFileSync(command, args, { cwd: tests, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_OPTIONS: "", NO_COLOR: "1", FORCE_COLOR: "0" } });

  beforeAll(() => {
    tests = mkdtempSync(join(tmpdir(), "ims-tests-"));
    writeFileSync(join(tests, "package.json"), JSON.stringify({ name: "tests", version: "1.0.0", private: true, type: "module" }, null, 2));
    npmInstall(tests, [tarball, devVersion("vitest")]);
  }, 240_000);
  afterAll(() => {
    if (tests) rmSync(tests, { recursive: true, force: true });
  });

  it("the testing guide's vitest file passes under vitest", () => {
    writeFileSync(join(tests, "ims-failures.test.ts"), guideBlock("testing-vitest"));
    const output = runIn(join(tests, "node_modules/.bin/vitest"), ["run", "--reporter=verbose", "ims-failures.test.ts"]);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes, should any get through
    expect(output.replace(/\x1b\[[0-9;]*m/g, "")).toMatch(/Tests\s+7 passed \(7\)/);
  }, 120_000);

  it("the testing guide's node:test file passes under node --test", () => {
    writeFileSync(join(tests, "ims-failures.test.mjs"), guideBlock("testing-node-test"));
    const output = runIn("node", ["--test", "ims-failures.test.mjs"]);
    // The summary is TAP's (`# pass 2`) on Node 20 and 22 when the output is not a terminal, the spec reporter's
    // (`ℹ pass 2`) on Node 24 and later.
    expect(output).toMatch(/^(# |ℹ )pass 2$/m);
    expect(output).toMatch(/^(# |ℹ )fail 0$/m);
  }, 120_000);
});

describe("the ims-stub command, as installed", () => {
  it("npx ims-stub serves, and createImageAndWait runs against it", async () => {
    write("flow.mjs", FLOW_SCRIPT);
    const child = spawn("npx", ["ims-stub", "--port", "0", "--progression", "per-poll"], { cwd: consumer, stdio: ["ignore", "pipe", "pipe"], detached: true });
    try {
      let stdout = "";
      child.stdout!.on("data", (chunk) => (stdout += chunk));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on("data", () => {
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (m) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`ims-stub exited with ${code}: ${stdout}`)));
      });
      await untilHealthy(url, child);
      expect(run("node", ["flow.mjs"], { IMS_ENDPOINT: url })).toMatch(/^created image [0-9a-f-]{36}/);
      const docs = await fetch(`${url}/docs`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain("Create Image");
      const chineseDocs = await fetch(`${url}/docs/zh-CN/`);
      expect(chineseDocs.status).toBe(200);
      expect(await chineseDocs.text()).toContain('<html lang="zh-CN">');
    } finally {
      process.kill(-child.pid!, "SIGTERM");
    }
  }, 60_000);

  it("npx ims-verify is there, and asks for Redocly's runner rather than install it for everyone", async () => {
    expect(run("npx", ["ims-verify", "--help"])).toContain("Usage: ims-verify");
    const missing = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn("npx", ["ims-verify", "--server", "http://127.0.0.1:1", "--token", "t", "--project-id", "p"], { cwd: consumer });
      let stderr = "";
      child.stderr.on("data", (chunk) => (stderr += chunk));
      child.once("exit", (code) => resolve({ code, stderr }));
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("npm install --save-dev @redocly/cli@");
  }, 60_000);

  // With a control token in the pipeline's environment the recipe runs unchanged: the wait asks health, which needs none.
  it.each<[string, NodeJS.ProcessEnv, string]>([
    ["", {}, "control API: open, no token"],
    [" with IMS_STUB_CONTROL_TOKEN set", { IMS_STUB_CONTROL_TOKEN: "ci-secret-control-token-0123456789" }, "control API: needs its Bearer token"],
  ])("the CI guide's recipe runs as written%s: start, wait, test, stop; and a client generated from the spec", async (_name, env, controlApi) => {
    const recipe = guideBlock("ci-recipe", CI_GUIDE);
    write("flow.mjs", FLOW_SCRIPT);
    // The recipe's port is 4010; a free one here, so that nothing on this machine can stand in for the stub.
    const port = await freePort();
    const script = recipe!.replaceAll("4010", String(port));
    mkdirSync(join(consumer, "src"), { recursive: true });
    const output = run("bash", ["-euo", "pipefail", "-c", script], env);
    expect(output).toMatch(/created image [0-9a-f-]{36}/);
    const log = readFileSync(join(consumer, "ims-stub.log"), "utf8");
    expect(log).toMatch(/"operation":"CreateImage"/);
    expect(log).toContain(controlApi);
    // Stopped: the PID file is gone and nothing answers on the port any more.
    await expect.poll(() => existsSync(join(consumer, "ims-stub.pid")), { timeout: 5000 }).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/_stub/health`)).rejects.toThrow();
    const generated = readFileSync(join(consumer, "src/ims.d.ts"), "utf8");
    expect(generated).toContain('"/v2/cloudimages/action"');
    expect(generated).toContain("CreateImageRequestBody");
  }, 90_000);
});

// The suite runs on one Node.js line (24 in CI); the tarball is installed and used under the others it supports
// too: each binary named in IMS_TEST_OTHER_NODES (colon-separated; .ci/run gives Node 22's).
const otherNodes = (process.env.IMS_TEST_OTHER_NODES ?? "").split(":").filter(Boolean);
const major = (node: string) => Number(execFileSync(node, ["-p", "process.versions.node.split('.')[0]"], { encoding: "utf8" }));

it.runIf(process.env.CI === "true")("is installed under Node 22 and 24 in CI", () => {
  const majors = new Set([Number(process.versions.node.split(".")[0]), ...otherNodes.map(major)]);
  expect([...majors]).toEqual(expect.arrayContaining([22, 24]));
});

describe.each(otherNodes.map((node) => [major(node), node] as const))("under Node %i too", (_major, node) => {
  let project: string;
  let warnings: string[];
  const path = `${dirname(node)}:${process.env.PATH}`;
  const runHere = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    execFileSync(node, args, { cwd: project, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PATH: path, NODE_OPTIONS: "", ...env } });

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), "ims-node-"));
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }, null, 2));
    warnings = npmInstall(project, [tarball], path);
  }, 240_000);
  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it("installs with nothing to approve, and the client loads from ESM and CommonJS", () => {
    expect(installScriptNotices(warnings)).toEqual([]);
    writeFileSync(join(project, "check.mjs"), `import { createImsClient } from "${PACKAGE}/client";\nconsole.log(process.versions.node.split(".")[0], typeof createImsClient);\n`);
    writeFileSync(join(project, "check.cjs"), `const { createImsClient } = require("${PACKAGE}/client");\nconsole.log(typeof createImsClient);\n`);
    expect(runHere(["check.mjs"]).trim()).toBe(`${_major} function`);
    expect(runHere(["check.cjs"]).trim()).toBe("function");
  });

  it("ims-stub serves there, and a client's whole flow runs against it", async () => {
    writeFileSync(join(project, "flow.mjs"), FLOW_SCRIPT);
    const child = spawn(node, [join(project, "node_modules", PACKAGE, "dist/server/main.js"), "--port", "0", "--log", "off"], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
    try {
      let stdout = "";
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on("data", (chunk) => {
          stdout += chunk;
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (m) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`ims-stub exited with ${code}: ${stdout}`)));
      });
      expect(runHere(["flow.mjs"], { IMS_ENDPOINT: url })).toMatch(/^created image [0-9a-f-]{36}/);
    } finally {
      child.kill("SIGTERM");
    }
  }, 60_000);

  it("the node:test file of the testing guide passes under its node --test", () => {
    writeFileSync(join(project, "ims-failures.test.mjs"), guideBlock("testing-node-test"));
    const output = runHere(["--test", "ims-failures.test.mjs"], { NO_COLOR: "1", FORCE_COLOR: "0" });
    expect(output).toMatch(/^(# |ℹ )pass 2$/m);
    expect(output).toMatch(/^(# |ℹ )fail 0$/m);
  }, 120_000);
});

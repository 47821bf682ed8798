// The package as another team meets it: the packed tarball installed into an empty project, and there its
// manifest, the client from plain ESM and from CommonJS, a browser bundle of the client, `npx ims-stub` with
// `createImageAndWait` against it, and the CI guide's recipe run as written. Installs come from npm's cache (npm ci
// filled it), so this needs no network. TypeScript consumers, the testing guide's files and the other Node.js
// lines have files of their own beside this one, so that they run at the same time.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../scripts/project-root.ts";
import {
  CI_GUIDE,
  devVersion,
  FLOW_SCRIPT,
  freePort,
  guideBlock,
  installScriptNotices,
  npmInstall,
  ownPackage,
  PACKAGE,
  PACKAGE_GUIDE,
  packedTarball,
  untilHealthy,
} from "../helpers/consumer.ts";

let consumer: string;
let tarball: string;
/** What npm warned about while installing the tarball into the consumer's project. */
let installWarnings: string[];

const run = (command: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  execFileSync(command, args, { cwd: consumer, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });

const write = (file: string, text: string) => writeFileSync(join(consumer, file), text);

beforeAll(() => {
  consumer = mkdtempSync(join(tmpdir(), "ims-consumer-"));
  tarball = packedTarball();
  write("package.json", JSON.stringify({ name: "consumer", version: "1.0.0", private: true, scripts: { test: "node flow.mjs" } }, null, 2));
  installWarnings = npmInstall(consumer, [tarball, devVersion("openapi-typescript")]);
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


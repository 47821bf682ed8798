// Huawei's own SDKs for IMS (Go, Java, Python), installed from their registries as their users install them and
// signed with AK/SK, run against the stub: every body kind through CreateImage (and CreateImageInSafeMode where the
// SDK has it), ShowJob to SUCCESS, ListImages, GlanceShowImage, UpdateImage, the tag calls, ShowImageQuota,
// GlanceDeleteImage and the 404 after it, a refused body whose IMG code the SDK's own exception carries, and the
// stub's rate limit as the SDK's retry meets it. Each program checks what its SDK returned; this file checks what
// the stub's journal recorded of it.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AK, PROJECT_ID, SK, startStub, type RunningStub } from "../../helpers/stub.ts";
import { cacheDir, consumerEnv, journal, printSlowest, projectRoot, recordTime, requireTools, run, steps, type Tool } from "./consumers.ts";

const here = join(projectRoot, "test", "polyglot", "sdks");
const BUILD_TIMEOUT_MS = 15 * 60_000;
const RUN_TIMEOUT_MS = 3 * 60_000;

type Sdk = {
  name: string;
  tools: Tool[];
  /** Builds (or installs) the SDK program; returns the command that runs it. */
  build: () => Promise<{ command: string; args: string[]; seconds: number }>;
  safeMode: boolean;
  /** How the SDK's exception names a throttled request: the gateway's code, or what the SDK makes of it. */
  throttledCode: string;
};

const sdks: Sdk[] = [
  {
    name: "go-sdk",
    tools: [{ command: "go", args: ["version"], what: "Go" }],
    safeMode: true,
    throttledCode: "APIG.0308",
    async build() {
      const binary = join(cacheDir, "bin", "huawei-go-sdk-flow");
      const built = await run("go", ["build", "-trimpath", "-o", binary, "."], { cwd: join(here, "go"), timeoutMs: BUILD_TIMEOUT_MS });
      return { command: binary, args: [], seconds: built.seconds };
    },
  },
  {
    name: "java-sdk",
    tools: [
      { command: "java", args: ["-version"], what: "a Java runtime" },
      { command: "mvn", args: ["-v"], what: "Maven" },
    ],
    // huaweicloud-sdk-ims 3.1.143, the newest on Maven Central, has no CreateImageInSafeMode.
    safeMode: false,
    throttledCode: "APIG.0308",
    async build() {
      const buildDir = join(cacheDir, "java-sdk-flow");
      const classpathFile = join(buildDir, "classpath.txt");
      const built = await run(
        "mvn",
        ["-q", "-B", `-Dims.build.dir=${buildDir}`, "compile", "dependency:build-classpath", `-Dmdep.outputFile=${classpathFile}`],
        { cwd: join(here, "java"), timeoutMs: BUILD_TIMEOUT_MS },
      );
      const classpath = `${join(buildDir, "classes")}:${readFileSync(classpathFile, "utf8").trim()}`;
      return { command: "java", args: ["-cp", classpath, "ImsSdkFlow"], seconds: built.seconds };
    },
  },
  {
    name: "python-sdk",
    tools: [{ command: "python3", args: ["--version"], what: "Python 3" }],
    safeMode: true,
    // urllib3 under the SDK turns a 429 into a RetryError, and the SDK raises it with error_code "429".
    throttledCode: "429",
    async build() {
      const venv = join(cacheDir, "venv-huawei-sdks");
      const python = join(venv, "bin", "python");
      let seconds = 0;
      if (spawnOk(python, ["--version"]) === false) seconds += (await run("python3", ["-m", "venv", venv], { timeoutMs: BUILD_TIMEOUT_MS })).seconds;
      const installed = await run(python, ["-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", join(here, "python", "requirements.txt")], {
        timeoutMs: BUILD_TIMEOUT_MS,
      });
      return { command: python, args: [join(here, "python", "ims_sdk_flow.py")], seconds: seconds + installed.seconds };
    },
  },
];

const spawnOk = (command: string, args: string[]) => spawnSync(command, args, { stdio: "ignore" }).status === 0;

let stub: RunningStub;
let throttling: RunningStub;
beforeAll(async () => {
  mkdirSync(cacheDir, { recursive: true });
  // The real clock: the SDKs sign with it, and a build can take minutes.
  stub = await startStub({ progression: "immediate", now: Date.now });
  throttling = await startStub({ progression: "immediate", now: Date.now, rateLimit: 1 });
});
afterAll(async () => {
  await stub?.close();
  await throttling?.close();
  printSlowest();
});

describe.each(sdks)("$name", (sdk) => {
  let program: { command: string; args: string[] } | undefined;

  it("builds from its registry, every version pinned", async ({ skip }) => {
    requireTools(skip, sdk.tools);
    const built = await sdk.build();
    recordTime(sdk.name, "build", built.seconds);
    program = built;
  });

  it("creates each body kind, waits for SUCCESS, lists, shows, updates, tags, reads the quota, deletes; a refusal carries its IMG code", async ({ skip }) => {
    if (!program) return skip("its build did not finish (see the test before)");
    await control("POST", "/reset");
    const ran = await run(program.command, program.args, { env: { ...consumerEnv(stub, AK, SK, PROJECT_ID), IMS_SCENARIO: "lifecycle" }, timeoutMs: RUN_TIMEOUT_MS, stub });
    recordTime(sdk.name, "run", ran.seconds);
    const printed = steps(ran.stdout);
    const creates = printed.filter((step) => step.step === "create");
    expect(creates.map((step) => [step.kind, step.safe_mode])).toEqual(
      ["server-system", "server-data", "file", "volume"].flatMap((kind) => (sdk.safeMode ? [[kind, false], [kind, true]] : [[kind, false]])),
    );
    const deleted = printed.find((step) => step.step === "deleted");
    expect(deleted).toMatchObject({ count: creates.length, then_status: 404, then_code: "IMG.0121" });
    const refused = printed.find((step) => step.step === "refused");

    const requests = await journal(stub);
    // Every call signed with the published key pair, none the stub could not place.
    expect(requests.every((entry) => entry.auth === "aksk" && entry.ak === AK && entry.project_id === PROJECT_ID)).toBe(true);
    expect(requests.filter((entry) => entry.operation === undefined)).toEqual([]);
    const count = (operation: string, status?: number) => requests.filter((entry) => entry.operation === operation && (status === undefined || entry.status === status)).length;
    expect(count("CreateImage", 200)).toBe(4);
    expect(count("CreateImageInSafeMode", 200)).toBe(sdk.safeMode ? 4 : 0);
    expect(count("ShowJob", 200)).toBeGreaterThanOrEqual(creates.length);
    expect(count("ListImages", 200)).toBe(1);
    expect(count("UpdateImage", 200)).toBe(1);
    expect(count("BatchAddOrDeleteTags", 204)).toBe(2);
    expect(count("ListImageTags", 200)).toBe(2);
    expect(count("ShowImageQuota", 200)).toBe(1);
    expect(count("GlanceDeleteImage", 204)).toBe(creates.length);
    expect(count("GlanceShowImage", 200)).toBe(1);
    expect(count("GlanceShowImage", 404)).toBe(1);
    // The refusal the SDK raised is the one the stub answered.
    const refusal = requests.find((entry) => entry.operation === "CreateImage" && entry.status === 400);
    expect(refusal).toMatchObject({ error_code: "IMG.0055", request_id: refused?.request_id });
    expect(refused).toMatchObject({ status: 400, code: "IMG.0055" });
    expect(refused?.message).toContain("min_disk");
  });

  it("meets the stub's rate limit (1 a second) with its retry: each throttled call passes after 429 APIG.0308", async ({ skip }) => {
    if (!program) return skip("its build did not finish (see the test before)");
    await fetch(`${throttling.url}/_stub/reset`, { method: "POST" });
    const ran = await run(program.command, program.args, {
      env: { ...consumerEnv(throttling, AK, SK, PROJECT_ID), IMS_SCENARIO: "throttle" },
      timeoutMs: RUN_TIMEOUT_MS,
      stub: throttling,
    });
    recordTime(sdk.name, "run", ran.seconds);
    const throttled = steps(ran.stdout).find((step) => step.step === "throttle");
    expect(throttled?.throttled_codes.length).toBeGreaterThan(0);
    expect(new Set(throttled?.throttled_codes)).toEqual(new Set([sdk.throttledCode]));
    const requests = await journal(throttling);
    const refused = requests.filter((entry) => entry.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(throttled!.throttled_codes.length);
    expect(refused.every((entry) => entry.error_code === "APIG.0308")).toBe(true);
    // Every call the program made ended in a 200 after its 429s.
    expect(requests.filter((entry) => entry.status === 200).length).toBeGreaterThanOrEqual(3);
  });
});

function control(method: string, path: string) {
  return fetch(`${stub.url}/_stub${path}`, { method });
}

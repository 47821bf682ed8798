// One settings schema for every door: the command line, the environment and the options of createApp() and
// startStub() are checked by the same code, with the same words, each naming the setting as its door spells it;
// --help and the README's settings table are written from it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createApp } from "../../server/app.ts";
import { ConfigError, helpText, readSettings, SETTINGS, settingsTable } from "../../server/config.ts";
import { startStub } from "../../server/testing.ts";

const root = join(import.meta.dirname, "../..");

/** The refusal startStub() gives these options (it must refuse them before anything listens). */
async function startStubRefusal(options: Record<string, unknown>): Promise<ConfigError> {
  try {
    const stub = await startStub(options as never);
    await stub.close();
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error(`startStub accepted ${JSON.stringify(options)}`);
}

function cliRefusal(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    readSettings(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`readSettings accepted ${JSON.stringify(argv)} ${JSON.stringify(env)}`);
}

describe("startStub() and createApp() check every option, as the command line does", () => {
  it.each<[string, Record<string, unknown>, string]>([
    ["a progression it does not know", { progression: "bogus" }, 'startStub(): progression must be timed, immediate or per-poll, not "bogus"'],
    ["a negative duration", { jobDurationMs: -5 }, "startStub(): jobDurationMs must be a whole number from 0 to 86400000, not -5"],
    ["a number given as text", { imageQuota: "10" }, 'startStub(): imageQuota must be a whole number from 0 to 10000000, not "10"'],
    ["NaN", { rateLimit: Number.NaN }, "startStub(): rateLimit must be a whole number from 0 to 1000000, not NaN"],
    ["a fraction", { journalSize: 1.5 }, "startStub(): journalSize must be a whole number from 0 to 1000000, not 1.5"],
    ["a value nearly right", { progression: "perpoll" }, 'startStub(): progression must be timed, immediate or per-poll, not "perpoll"; did you mean per-poll?'],
    ["a boolean given as text", { log: "json" }, 'startStub(): log must be true or false, not "json"'],
    ["a CORS origin with a line break", { corsOrigin: "https://a.example\r\nX: y" }, "startStub(): corsOrigin must be *, an origin such as https://app.example.com, or false"],
    ["a project ID that is a path", { projectId: "a/b" }, 'startStub(): projectId must be a project ID of 1 to 64 letters'],
    ["credentials as text", { credentials: "AK:SK:P" }, "startStub(): credentials must be a Map of AK to { sk, projectId }"],
    ["an upstream without its scheme", { upstream: "ims.example.com" }, 'startStub(): upstream must be an http:// or https:// URL, not "ims.example.com"; did you mean https://ims.example.com?'],
    ["a world with a misspelt key", { world: { server: [] } }, "startStub(): world: server is not a field of a world: did you mean servers?"],
    ["a short control token", { controlToken: "short" }, "startStub(): the control token is 5 characters long"],
    ["a clock that is not a function", { now: 5 }, "startStub(): now must be a function, not 5"],
  ])("%s: refused, the option named", async (_label, options, message) => {
    const error = await startStubRefusal(options);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message.startsWith(message)).toBe(true);
  });

  it("a misspelt option: refused with the nearest name", async () => {
    expect((await startStubRefusal({ progresion: "per-poll" })).message).toMatch(/^startStub\(\): unknown option progresion; did you mean progression\?/);
    expect((await startStubRefusal({ jobDuration: 5 })).message).toMatch(/^startStub\(\): unknown option jobDuration; did you mean jobDurationMs\?/);
    expect(() => createApp({ imageQuta: 5 } as never)).toThrow(/^createApp\(\): unknown option imageQuta; did you mean imageQuota\?/);
  });

  it("where it listens is startStub()'s own choice", async () => {
    expect((await startStubRefusal({ port: 8080 })).message).toMatch(/^startStub\(\): port is not an option of startStub\(\): it listens on a free loopback port/);
  });

  it("createApp() refuses what startStub() refuses, in the same words", () => {
    expect(() => createApp({ jobDurationMs: -5 })).toThrow("createApp(): jobDurationMs must be a whole number from 0 to 86400000, not -5");
    expect(() => createApp({ progression: "bogus" as never })).toThrow('createApp(): progression must be timed, immediate or per-poll, not "bogus"');
  });

  it("the command line, the environment and the options say the same of the same mistake", async () => {
    const rule = "must be a whole number from 0 to 86400000, not";
    expect(cliRefusal(["--job-duration-ms", "-5"])).toBe(`--job-duration-ms ${rule} "-5"`);
    expect(cliRefusal([], { IMS_STUB_JOB_DURATION_MS: "-5" })).toBe(`IMS_STUB_JOB_DURATION_MS (from the environment) ${rule} "-5"`);
    expect((await startStubRefusal({ jobDurationMs: -5 })).message).toBe(`startStub(): jobDurationMs ${rule} -5`);
    expect(cliRefusal(["--progression", "bogus"])).toBe('--progression must be timed, immediate or per-poll, not "bogus"');
    expect(cliRefusal(["--cors-origin", "https://a.example/path"])).toMatch(/^--cors-origin must be \*, an origin such as https:\/\/app\.example\.com, or off/);
  });

  it("a misspelt variable of the stub's own is refused with the nearest; a pipeline's own variables are left alone", () => {
    expect(cliRefusal([], { IMS_STUB_PROGRESION: "per-poll" })).toMatch(/^unknown environment variable IMS_STUB_PROGRESION; did you mean IMS_STUB_PROGRESSION\?/);
    expect(readSettings([], { IMS_STUB_URL: "http://127.0.0.1:8080" })).toMatchObject({ progression: "timed" });
  });

  it("a switch from the environment is true or false, never a silent false", () => {
    expect(readSettings([], { IMS_STUB_UPSTREAM_STRICT: "true" })).toMatchObject({ upstreamStrict: true });
    expect(readSettings([], { IMS_STUB_UPSTREAM_STRICT: "0" })).toMatchObject({ upstreamStrict: false });
    expect(cliRefusal([], { IMS_STUB_UPSTREAM_STRICT: "maybe" })).toBe('IMS_STUB_UPSTREAM_STRICT (from the environment) must be true or false, not "maybe"');
  });

  it("every value at the edge of its range starts a stub that answers", async () => {
    const stub = await startStub({ jobDurationMs: 0, maxJobs: 1, imageQuota: 0, bodyLimitBytes: 1, rateLimit: 1_000_000, journalSize: 0, corsOrigin: false });
    try {
      const created = await fetch(`${stub.url}/v2/cloudimages/action`, { method: "POST", headers: { "X-Auth-Token": "t", "Content-Type": "application/json" }, body: "{}" });
      expect(created.status).toBe(413);
      const jobs = await stub.control.GET("/_stub/jobs");
      expect(jobs.response.status).toBe(200);
    } finally {
      await stub.close();
    }
  });
});

describe("--help and the README come from the schema", () => {
  it("--help names every setting's flag and variable", () => {
    const help = helpText();
    for (const setting of Object.values(SETTINGS)) {
      expect(help).toContain(`--${setting.flag}`);
      expect(help).toContain(setting.env);
    }
  });

  it("the settings table in the documentation is the schema's, row for row", () => {
    // Wherever the table lives (the README, the server's README or a guide), it is the one the schema writes.
    const guides = join(root, "spec/guides");
    const candidates = ["README.md", "server/README.md", ...safeList(guides).map((name) => `spec/guides/${name}`)];
    const documents = candidates.map((path) => ({ path, text: readOptional(join(root, path)) })).filter(({ text }) => text.includes("| flag | environment | default | meaning |"));
    expect(documents.map(({ path }) => path)).not.toHaveLength(0);
    for (const { text } of documents) expect(text).toContain(settingsTable());
  });
});

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => name.endsWith(".md"));
  } catch {
    return [];
  }
}

function readOptional(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

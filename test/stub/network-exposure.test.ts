// Safe defaults off loopback, as the settings are read: the defaults serve loopback only; anywhere else the stub
// needs a control token and its own AK/SK pairs, or the explicit opt-out. (The command itself, exit code and
// message, is in process.test.ts; this covers every combination without starting a process.)
import { describe, expect, it } from "vitest";
import { parseCredentials } from "../../server/http/auth.ts";
import { ConfigError, DEFAULT_CREDENTIALS, readSettings, type StubSettings } from "../../server/config.ts";
import { accessSummary, isLoopbackHost } from "../../server/network-exposure.ts";
import { SK } from "../helpers/stub.ts";

const TOKEN = "a-control-token-of-some-length";
const OWN_CREDENTIALS = "PIPELINEAK1:pipeline-secret-1:11111111111111111111111111111111,PIPELINEAK2:pipeline-secret-2:22222222222222222222222222222222";

const settings = (argv: string[], env: NodeJS.ProcessEnv = {}) => readSettings(argv, env) as StubSettings;
const refusal = (argv: string[], env: NodeJS.ProcessEnv = {}): ConfigError => {
  try {
    readSettings(argv, env);
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error(`readSettings accepted ${JSON.stringify(argv)} ${JSON.stringify(env)}`);
};

describe("what counts as loopback", () => {
  it.each(["127.0.0.1", "127.0.0.2", "127.255.255.254", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "localhost", "LocalHost"])("%s is loopback", (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });
  it.each(["0.0.0.0", "::", "", "10.0.0.5", "128.0.0.1", "::ffff:10.0.0.5", "::2", "example.internal", "localhost.example.com", "[::1]"])("%j is not", (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe("readSettings off loopback", () => {
  it("the defaults bind loopback and need nothing", () => {
    expect(settings([])).toMatchObject({ host: "127.0.0.1", controlToken: undefined, allowOpenNetwork: false });
    expect(settings(["--host", "::1"]).host).toBe("::1");
    expect(settings([], { HOST: "localhost" }).host).toBe("localhost");
  });

  it.each(["0.0.0.0", "::", "10.0.0.5", "example.internal", ""])("host %j with the defaults is refused, naming both fixes and the opt-out", (host) => {
    const error = refusal(["--host", host]);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.showHelp).toBe(false);
    expect(error.message).not.toContain("\n");
    expect(error.message).toMatch(/^refusing to listen on .*not a loopback address/);
    expect(error.message).toContain("the control API needs no token");
    expect(error.message).toContain("the published example AK/SK pair EXAMPLEAK1234567890 is accepted");
    expect(error.message).toContain("Set --control-token (IMS_STUB_CONTROL_TOKEN, 16+ characters) and --credentials (IMS_STUB_CREDENTIALS");
    expect(error.message).toContain("--allow-open-network");
    expect(error.message).not.toContain(SK);
  });

  it("with a token but the published pair, names only --credentials", () => {
    const { message } = refusal(["--host", "0.0.0.0", "--control-token", TOKEN]);
    expect(message).not.toContain("needs no token");
    expect(message).toMatch(/Set --credentials \(IMS_STUB_CREDENTIALS[^)]*\), or pass --allow-open-network/);
  });

  it("with own credentials but no token, names only --control-token", () => {
    const { message } = refusal(["--host", "0.0.0.0", "--credentials", OWN_CREDENTIALS]);
    expect(message).not.toContain("published");
    expect(message).toMatch(/Set --control-token \(IMS_STUB_CONTROL_TOKEN, 16\+ characters\), or pass/);
  });

  it("the published pair among one's own is still the published pair; the published AK with another SK is not", () => {
    expect(refusal(["--host", "0.0.0.0", "--control-token", TOKEN, "--credentials", `${OWN_CREDENTIALS},${DEFAULT_CREDENTIALS}`]).message).toContain("EXAMPLEAK1234567890");
    const ownSecret = `EXAMPLEAK1234567890:not-the-published-secret:${"3".repeat(32)}`;
    expect(settings(["--host", "0.0.0.0", "--control-token", TOKEN, "--credentials", ownSecret]).credentials.has("EXAMPLEAK1234567890")).toBe(true);
  });

  it("with a token and own credentials, from flags or the environment, it may listen anywhere", () => {
    expect(settings(["--host", "0.0.0.0", "--control-token", TOKEN, "--credentials", OWN_CREDENTIALS])).toMatchObject({ host: "0.0.0.0", controlToken: TOKEN });
    expect(settings([], { HOST: "::", IMS_STUB_CONTROL_TOKEN: TOKEN, IMS_STUB_CREDENTIALS: OWN_CREDENTIALS })).toMatchObject({ host: "::", controlToken: TOKEN });
  });

  it("--allow-open-network (or IMS_STUB_ALLOW_OPEN_NETWORK=true) opts out, in so many words", () => {
    expect(settings(["--host", "0.0.0.0", "--allow-open-network"])).toMatchObject({ host: "0.0.0.0", controlToken: undefined, allowOpenNetwork: true });
    expect(settings(["--host", "0.0.0.0"], { IMS_STUB_ALLOW_OPEN_NETWORK: "true" }).allowOpenNetwork).toBe(true);
    expect(refusal(["--host", "0.0.0.0"], { IMS_STUB_ALLOW_OPEN_NETWORK: "no" })).toBeInstanceOf(ConfigError);
  });
});

describe("readSettings and the control token", () => {
  it("the flag wins over the environment", () => {
    expect(settings(["--control-token", TOKEN], { IMS_STUB_CONTROL_TOKEN: "another-token-0123456789" }).controlToken).toBe(TOKEN);
    expect(settings([], { IMS_STUB_CONTROL_TOKEN: TOKEN }).controlToken).toBe(TOKEN);
  });

  it.each<[string, string[], NodeJS.ProcessEnv, RegExp]>([
    ["an empty flag", ["--control-token", ""], {}, /^the control token is empty/],
    ["an empty environment variable (a CI secret that did not arrive)", [], { IMS_STUB_CONTROL_TOKEN: "" }, /^the control token is empty/],
    ["a short token", ["--control-token", "0123456789abcde"], {}, /^the control token is 15 characters long: .*needs at least 16/],
    ["a token with a space", ["--control-token", "0123456789 abcdef"], {}, /printable ASCII without spaces/],
  ])("%s is refused with the reason and the fix, never taken as no token", (_name, argv, env, message) => {
    const error = refusal(argv, env);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(message);
    expect(error.message).toContain("--control-token");
  });
});

describe("the start-up summary", () => {
  const published = parseCredentials(DEFAULT_CREDENTIALS);

  it("on the defaults: loopback, any token, the published pair by its AK, an open control API", () => {
    const line = accessSummary(settings([]), "127.0.0.1", published);
    expect(line).toBe(
      "bound to 127.0.0.1 (loopback only); IMS API: any X-Auth-Token (project 0123456789abcdef0123456789abcdef), AK/SK of EXAMPLEAK1234567890 (project 0123456789abcdef0123456789abcdef, the published example pair); control API: open, no token",
    );
    expect(line).not.toContain(SK);
  });

  it("configured for a network: every AK with its project, no secret, the token required", () => {
    const configured = settings(["--host", "0.0.0.0", "--control-token", TOKEN, "--credentials", OWN_CREDENTIALS]);
    const line = accessSummary(configured, "0.0.0.0", published);
    expect(line).toContain("bound to 0.0.0.0 (every interface), reachable from the network");
    expect(line).toContain(`AK/SK of PIPELINEAK1 (project ${"1".repeat(32)}), PIPELINEAK2 (project ${"2".repeat(32)})`);
    expect(line).toContain("control API: needs its Bearer token (health open)");
    for (const secret of [TOKEN, "pipeline-secret-1", "pipeline-secret-2"]) expect(line).not.toContain(secret);
  });
});

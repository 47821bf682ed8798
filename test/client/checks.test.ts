// A newcomer's first mistakes with the client, as JavaScript (or options built at run time) makes them: each is
// a TypeError (or a RangeError for a number out of range) that names the option, what it expected, what it got
// and, where one is close, the name that was meant; and none of them sends a request.
import { describe, expect, it } from "vitest";
import { createImsClient, type ImsClientOptions } from "../../client/index.ts";
import { closestName } from "../../client/suggest.ts";

const token = { token: "t" };
/** A fetch that records what it was asked to send, and answers nothing: a check that lets a request through fails. */
function recordingFetch() {
  const sent: string[] = [];
  const fetchFn: typeof fetch = async (input) => {
    sent.push(input instanceof Request ? `${input.method} ${input.url}` : String(input));
    return new Response(JSON.stringify({ job_id: "0".repeat(32) }), { headers: { "Content-Type": "application/json" } });
  };
  return { sent, fetchFn };
}
const make = (options: unknown) => () => createImsClient(options as ImsClientOptions);

describe("createImsClient's options", () => {
  it.each<[string, unknown, RegExp]>([
    ["openapi-fetch's baseUrl", { baseUrl: "http://127.0.0.1:8080", auth: token }, /^createImsClient: options\.endpoint is required.* \(got baseUrl; did you mean endpoint\?\)$/],
    ["a misspelt endpoint", { endpiont: "http://127.0.0.1:8080", auth: token }, /options\.endpoint is required.*\(got endpiont; did you mean endpoint\?\)/],
    ["no options", undefined, /^createImsClient: options must be an object such as \{ endpoint: .*, auth: .* \(got undefined\)$/],
    ["no endpoint at all", { auth: token }, /options\.endpoint is required: the service root, such as "http:\/\/127\.0\.0\.1:8080" \(got an object with auth\)/],
    ["an endpoint without its scheme", { endpoint: "127.0.0.1:8080", auth: token }, /options\.endpoint must be an http:\/\/ or https:\/\/ URL .*\(got "127\.0\.0\.1:8080"; did you mean "http:\/\/127\.0\.0\.1:8080"\?\)/],
    ["an endpoint that is not a string", { endpoint: 8080, auth: token }, /options\.endpoint must be the service root as a string.*\(got 8080\)/],
    ["an endpoint with the API path", { endpoint: "http://127.0.0.1:8080/v2/cloudimages/action", auth: token }, /without an API path .*did you mean "http:\/\/127\.0\.0\.1:8080"\?/],
    ["the token beside auth", { endpoint: "http://127.0.0.1:8080", token: "t" }, /options\.auth is required: \{ token \} or \{ ak, sk, projectId \} \(got token; did you mean auth: \{ token \}\?\)/],
    ["auth as a bare token", { endpoint: "http://127.0.0.1:8080", auth: "secret-token" }, /options\.auth must be \{ token \} or .*\(got a string of 12 characters; did you mean auth: \{ token: … \}\?\)/],
    ["project_id for projectId", { endpoint: "http://127.0.0.1:8080", auth: { token: "t", project_id: "p" } }, /options\.auth\.project_id is not an option .*; did you mean projectId\?$/],
    ["accessKey/secretKey for ak/sk", { endpoint: "http://127.0.0.1:8080", auth: { accessKey: "a", secretKey: "s" } }, /options\.auth\.accessKey is not an option .*; did you mean ak\?$/],
    ["AK/SK without the project", { endpoint: "http://127.0.0.1:8080", auth: { ak: "a", sk: "s" } }, /options\.auth\.projectId is required with AK\/SK/],
    ["an AK without its SK", { endpoint: "http://127.0.0.1:8080", auth: { ak: "a", projectId: "p" } }, /options\.auth\.sk is required with AK\/SK/],
    ["a token and a key pair", { endpoint: "http://127.0.0.1:8080", auth: { token: "t", ak: "a", sk: "s", projectId: "p" } }, /options\.auth must be .*, not both/],
    ["an empty token", { endpoint: "http://127.0.0.1:8080", auth: { token: "" } }, /options\.auth\.token must be a non-empty string \(got a string of 0 characters\)/],
    ["an unknown option", { endpoint: "http://127.0.0.1:8080", auth: token, timeout: 5000 }, /options\.timeout is not an option \(the options are endpoint, auth, fetch, retry\)/],
    ["fetch that is not a function", { endpoint: "http://127.0.0.1:8080", auth: token, fetch: "node-fetch" }, /options\.fetch must be a fetch function \(got "node-fetch"\)/],
  ])("%s", (_label, options, message) => {
    expect(make(options)).toThrow(TypeError);
    expect(make(options)).toThrow(message);
  });

  it("never shows a secret in a message, only its length", () => {
    expect(make({ endpoint: "http://127.0.0.1:8080", auth: "my-secret-token" })).not.toThrow(/my-secret-token/);
    expect(make({ endpoint: "http://127.0.0.1:8080", auth: { ak: "AKVALUE", sk: "", projectId: "p" } })).not.toThrow(/AKVALUE/);
  });

  it("takes a URL object as the endpoint, and a trailing slash", async () => {
    const { sent, fetchFn } = recordingFetch();
    await createImsClient({ endpoint: new URL("http://127.0.0.1:8080/"), auth: token, fetch: fetchFn }).showJobProgress("j");
    expect(sent).toEqual(["GET http://127.0.0.1:8080/v1/cloudimages/job/j"]);
  });
});

describe("the methods' arguments", () => {
  const { sent, fetchFn } = recordingFetch();
  const ims = createImsClient({ endpoint: "http://127.0.0.1:8080", auth: token, fetch: fetchFn });

  it.each<[string, () => Promise<unknown>, RegExp]>([
    ["the created job itself for its ID", () => ims.showJobProgress({ job_id: "a".repeat(32) } as never), /^showJobProgress: jobId must be a non-empty string.*\(got an object with job_id; did you mean its job_id\?\)$/],
    ["no job ID", () => ims.waitForJob(undefined as never, { maxWaitTime: 1 }), /^waitForJob: jobId must be a non-empty string.*\(got undefined\)$/],
    ["JSON text for the body", () => ims.createImage('{"name":"x"}' as never), /^createImage: body must be an object .*pass the object itself, not JSON text\)$/],
    ["a timeout option", () => ims.showJobProgress("j", { timeout: 5000 } as never), /options\.timeout is not an option \(the options are signal\); did you mean signal: AbortSignal\.timeout\(ms\)\?/],
    ["a signal that is not one", () => ims.createImage({ name: "x", instance_id: "i" } as never, { signal: true } as never), /options\.signal must be an AbortSignal \(got true\)/],
    ["no wait options", () => ims.waitForJob("j", undefined as never), /^waitForJob: options must be an object with at least maxWaitTime, in seconds.*\(got undefined\)$/],
    ["timeout for maxWaitTime", () => ims.waitForJob("j", { timeout: 600 } as never), /^waitForJob: options\.maxWaitTime is required.*\(got timeout; did you mean maxWaitTime\?\)$/],
    ["interval beside maxWaitTime", () => ims.waitForJob("j", { maxWaitTime: 60, interval: 5 } as never), /options\.interval is not an option .*; did you mean minDelay\?$/],
    ["maxWaitTime as text", () => ims.waitForJob("j", { maxWaitTime: "600" } as never), /options\.maxWaitTime must be a number of seconds \(got "600"\)/],
    ["onProgress that is not a function", () => ims.waitForJob("j", { maxWaitTime: 60, onProgress: "log" } as never), /options\.onProgress must be a function \(got "log"\)/],
    ["the image itself for its ID", () => ims.showImage({ id: "3f7185de-b59a-4bb8-aa1d-7a513528b0e9" } as never), /^showImage: imageId must be a non-empty string.*\(got an object with id; did you mean its id\?\)$/],
    ["no image ID to delete", () => ims.deleteImage("" as never), /^deleteImage: imageId must be a non-empty string/],
    ["a changes object instead of a list", () => ims.updateImage("i", { op: "add", path: "/name", value: "x" } as never), /^updateImage: changes must be an array of \{ op, path, value \}/],
    ["an unknown tag action", () => ims.changeImageTags("i", "add" as never, []), /^changeImageTags: action must be "create" or "delete" \(got "add"\)/],
    ["safe_mode for safeMode", () => ims.createImage({ name: "x", instance_id: "i" } as never, { safe_mode: true } as never), /options\.safe_mode is not an option .*did you mean safeMode\?/],
    ["no wait options for an image", () => ims.waitForImageDeleted("i", undefined as never), /^waitForImageDeleted: options must be an object with at least maxWaitTime/],
  ])("%s is a TypeError that names it, and sends nothing", async (_label, call, message) => {
    const before = sent.length;
    const error = await call().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
    expect(sent.length).toBe(before);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ["maxWaitTime 0", { maxWaitTime: 0 }, /options\.maxWaitTime must be above 0 seconds \(got 0\)/],
    ["a negative minDelay", { maxWaitTime: 1, minDelay: -1 }, /options\.minDelay must be above 0 seconds \(got -1\)/],
    ["delays in milliseconds", { maxWaitTime: 600, minDelay: 2000 }, /options\.maxDelay must be at least minDelay \(got maxDelay 30 s \(the default\), minDelay 2000 s; both are in seconds\)/],
  ])("%s is a RangeError that names it, and sends nothing", async (_label, options, message) => {
    const before = sent.length;
    await expect(ims.waitForJob("j", options as never)).rejects.toThrow(RangeError);
    await expect(ims.waitForJob("j", options as never)).rejects.toThrow(message);
    expect(sent.length).toBe(before);
  });

  it("createImageAndWait checks its wait options before it creates anything", async () => {
    const before = sent.length;
    await expect(ims.createImageAndWait({ name: "x", instance_id: "i" } as never, { maxWait: 600 } as never)).rejects.toThrow(
      /^createImageAndWait: options\.maxWaitTime is required.*\(got maxWait; did you mean maxWaitTime\?\)$/,
    );
    expect(sent.length).toBe(before);
  });
});

describe("closestName", () => {
  it.each<[string, string[], string | undefined]>([
    ["instanceId", ["name", "instance_id", "volume_id"], "instance_id"],
    ["INSTANCE-ID", ["instance_id"], "instance_id"],
    ["prot", ["port", "host", "log"], "port"],
    ["descripton", ["description", "name"], "description"],
    ["job-duration", ["job-duration-ms", "max-jobs"], "job-duration-ms"],
    ["baseUrl", ["endpoint", "auth", "fetch"], undefined],
    ["x", ["port", "host"], undefined],
    ["sevrer", [], undefined],
  ])("%s among %j → %s", (name, known, expected) => {
    expect(closestName(name, known)).toBe(expected);
  });
});

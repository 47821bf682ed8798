// A request that gets no answer says why, over real sockets where this machine can make the failure (a closed
// port, a dropped connection, something that is not HTTP, TLS to a plain server, a port fetch refuses), and
// from the errors Node's fetch and browsers throw where it cannot (DNS, timeouts, certificates).
import { createServer as createHttpServer } from "node:http";
import { createServer, type AddressInfo, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createImsClient, describeNetworkFailure, ImsNetworkError } from "../../client/index.ts";

const servers: { close(): unknown }[] = [];
afterAll(() => {
  for (const server of servers) server.close();
});

async function listening<T extends Server>(server: T): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port nothing listens on: bound, then let go. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `127.0.0.1:${port}`;
}

const failureOf = async (endpoint: string) => {
  const error = await createImsClient({ endpoint, auth: { token: "t" } })
    .showJobProgress("some-job")
    .catch((thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(ImsNetworkError);
  return error as ImsNetworkError;
};

let addresses: Record<"refused" | "dropped" | "notHttp" | "plainHttp" | "notJson", string>;
beforeAll(async () => {
  addresses = {
    refused: await closedPort(),
    dropped: await listening(createServer((socket) => socket.on("data", () => socket.destroy()))),
    notHttp: await listening(createServer((socket) => socket.on("data", () => socket.end("SSH-2.0-OpenSSH_9.6\r\n\r\n")))),
    plainHttp: await listening(createHttpServer((_req, res) => res.end("{}"))),
    notJson: await listening(createHttpServer((_req, res) => res.writeHead(200, { "Content-Type": "application/json" }).end("<html>proxy login</html>"))),
  };
});

describe("ImsNetworkError over real sockets", () => {
  it("a stub that is not running: connection refused, with the method, the URL and the address", async () => {
    const error = await failureOf(`http://${addresses.refused}`);
    expect(error).toMatchObject({ kind: "connection-refused", code: "ECONNREFUSED", method: "GET", url: `http://${addresses.refused}/v1/cloudimages/job/some-job` });
    expect(error.message).toBe(
      `IMS request GET http://${addresses.refused}/v1/cloudimages/job/some-job got no answer: connection refused (ECONNREFUSED ${addresses.refused}): nothing is listening there; is the server running, and is the endpoint's port right?`,
    );
    // The original error stays the cause, as Node's fetch threw it.
    expect(error.cause).toBeInstanceOf(TypeError);
    expect((error.cause as Error & { cause: { code: string } }).cause.code).toBe("ECONNREFUSED");
  });

  it("a connection closed before the answer: connection-reset", async () => {
    const error = await failureOf(`http://${addresses.dropped}`);
    expect(error.kind).toBe("connection-reset");
    expect(error.message).toMatch(/the connection was closed before an answer came \((UND_ERR_SOCKET|ECONNRESET)/);
  });

  it("something that is not HTTP on the port: not-http", async () => {
    const error = await failureOf(`http://${addresses.notHttp}`);
    expect(error.kind).toBe("not-http");
    // Node 20 and 22 name the parser's error code (HPE_INVALID_CONSTANT); Node 24 only the error's name.
    expect(error.message).toMatch(/the answer was not HTTP \((HPE_[A-Z_]+|HTTPParserError): Response does not match the HTTP\/1\.1 protocol/);
  });

  it("https:// to a plain HTTP server: tls, and the hint that it is an http:// endpoint", async () => {
    const error = await failureOf(`https://${addresses.plainHttp}`);
    expect(error.kind).toBe("tls");
    expect(error.message).toMatch(/the TLS handshake failed \(ERR_SSL_WRONG_VERSION_NUMBER.*is it an http:\/\/ endpoint\?$/);
  });

  it("a port fetch refuses to use: blocked-port, before any socket", async () => {
    const error = await failureOf("http://127.0.0.1:6000");
    expect(error.kind).toBe("blocked-port");
    expect(error.message).toMatch(/fetch refuses to connect to this port .*serve on another port/);
  });

  it("an answer whose body is not JSON: invalid-response", async () => {
    const error = await failureOf(`http://${addresses.notJson}`);
    expect(error.kind).toBe("invalid-response");
    expect(error.message).toMatch(/^IMS request GET \/v1\/cloudimages\/job\/\{job_id\} got no usable answer: its body is not JSON/);
  });

  it("an abort the caller asked for stays an AbortError", async () => {
    const controller = new AbortController();
    controller.abort();
    const client = createImsClient({ endpoint: `http://${addresses.plainHttp}`, auth: { token: "t" } });
    await expect(client.showJobProgress("j", { signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
  });

  it("a wait that times out against a server that is down says so, not only that the job did not finish", async () => {
    const client = createImsClient({ endpoint: `http://${addresses.refused}`, auth: { token: "t" } });
    const result = await client.waitForJob("j", { maxWaitTime: 0.05, minDelay: 0.01, maxDelay: 0.01 });
    expect(result.state).toBe("TIMEOUT");
    expect(result.reason).toMatch(/^the job did not finish within 0\.05 s; the last poll got no answer: IMS request GET .* connection refused \(ECONNREFUSED/);
    expect(result.observedResponses.network).toBeGreaterThan(0);
  });
});

/** What Node's fetch (undici) throws: `TypeError: fetch failed`, with the system error as its cause. */
const undiciFailure = (cause: object) => Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(String((cause as { message?: string }).message ?? "")), cause) });

describe("describeNetworkFailure, for failures this machine cannot make", () => {
  it.each<[string, unknown, string, RegExp]>([
    ["DNS", undiciFailure({ code: "ENOTFOUND", hostname: "ims.example.invalid", message: "getaddrinfo ENOTFOUND ims.example.invalid" }), "host-not-found", /^the host ims\.example\.invalid was not found \(ENOTFOUND\): check the endpoint's host name$/],
    ["DNS down", undiciFailure({ code: "EAI_AGAIN", hostname: "ims.example", message: "getaddrinfo EAI_AGAIN ims.example" }), "host-not-found", /could not be looked up just now \(EAI_AGAIN\)/],
    ["a connect timeout", undiciFailure({ code: "UND_ERR_CONNECT_TIMEOUT", message: "Connect Timeout Error" }), "timeout", /^timed out \(UND_ERR_CONNECT_TIMEOUT\): no connection could be made in time/],
    ["a headers timeout", undiciFailure({ code: "UND_ERR_HEADERS_TIMEOUT", message: "Headers Timeout Error" }), "timeout", /the server took the request but did not answer in time/],
    ["an expired certificate", undiciFailure({ code: "CERT_HAS_EXPIRED", message: "certificate has expired" }), "tls", /the TLS handshake failed \(CERT_HAS_EXPIRED: certificate has expired\): the server's certificate is not trusted here/],
    ["a self-signed certificate", undiciFailure({ code: "DEPTH_ZERO_SELF_SIGNED_CERT", message: "self-signed certificate" }), "tls", /NODE_EXTRA_CA_CERTS/],
    ["a certificate for another host", undiciFailure({ code: "ERR_TLS_CERT_ALTNAME_INVALID", message: "Hostname/IP does not match" }), "tls", /for another host name/],
    ["no route", undiciFailure({ code: "EHOSTUNREACH", address: "10.0.0.1", port: 443, message: "connect EHOSTUNREACH 10.0.0.1:443" }), "unreachable", /\(EHOSTUNREACH 10\.0\.0\.1:443\)/],
    [
      "Happy Eyeballs: every address refused",
      Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new AggregateError([Object.assign(new Error("connect ECONNREFUSED ::1:8080"), { code: "ECONNREFUSED", address: "::1", port: 8080 })]), {}) }),
      "connection-refused",
      /\(ECONNREFUSED \[::1\]:8080\)/,
    ],
    ["a browser (Chromium)", new TypeError("Failed to fetch"), "network", /^the browser does not say why \(Failed to fetch\): .*CORS preflight/],
    ["a browser (Firefox)", new TypeError("NetworkError when attempting to fetch resource."), "network", /the browser does not say why/],
    ["a browser (Safari)", new TypeError("Load failed"), "network", /the browser does not say why/],
    ["a signal's timeout", new DOMException("The operation was aborted due to timeout", "TimeoutError"), "timeout", /the request's signal timed out/],
  ])("%s → %s", (_label, error, kind, detail) => {
    const failure = describeNetworkFailure(error);
    expect(failure.kind).toBe(kind);
    expect(failure.detail).toMatch(detail);
  });

  it("a client whose fetch fails says so for that request, with the cause kept", async () => {
    const cause = undiciFailure({ code: "ENOTFOUND", hostname: "ims.example.invalid", message: "getaddrinfo ENOTFOUND ims.example.invalid" });
    const client = createImsClient({ endpoint: "https://ims.example.invalid", auth: { token: "t" }, fetch: () => Promise.reject(cause) });
    const error = await client.createImage({ name: "x", instance_id: "877a2cda-ba63-4e1e-b95f-e67e48b6129a" }).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ name: "ImsNetworkError", kind: "host-not-found", code: "ENOTFOUND", method: "POST", cause });
    expect((error as Error).message).toBe(
      "IMS request POST https://ims.example.invalid/v2/cloudimages/action got no answer: the host ims.example.invalid was not found (ENOTFOUND): check the endpoint's host name",
    );
  });
});

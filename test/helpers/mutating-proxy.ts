// A provider in front of an honest stub, for measuring `ims-verify` by mutation: it forwards each request to the
// stub and lets one mutant (a provider bug, test/helpers/mutants.ts) rewrite the request, answer it alone, or
// spoil the answer. Two settings: `stub` is the stub as `ims-stub` serves it (its `/_stub/*` control API passes
// through, so a verifier knows it is the stub); `foreign` is a provider that is not the stub: the `Prefer` header
// is dropped and `/_stub/*` is a plain 404, as on the real IMS or another team's mock, and jobs take seconds.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { loadSpec } from "../../server/contract/spec.ts";
import { PROJECT_ID, startStub, type RunningStub } from "./stub.ts";

export type Setting = "stub" | "foreign";

/** A request as the provider received it (or as a mutant rewrote it before forwarding). */
export type Exchange = {
  method: string;
  /** The path without its query. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** The contract's operation this method and path name, if any. */
  operationId: string | undefined;
  /** Its path parameters. */
  params: Record<string, string>;
};

/** An answer. `rawBody` sends the bytes even where HTTP forbids a body (a 204), straight to the socket. */
export type Answer = { status: number; headers: Record<string, string>; body: string; rawBody?: boolean };

export type ProviderContext = {
  setting: Setting;
  /** The caller's project (the stub's, for every X-Auth-Token). */
  projectId: string;
  /** Sends a request on to the honest stub and returns its answer. */
  forward(exchange: Exchange): Promise<Answer>;
  /** A call of the provider's own, to the stub, as the project's caller (a token): for mutants that keep state. */
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; answer: Answer }>;
};

/** What a mutant does to one exchange. Either hook may return nothing to leave things as they are. */
export type Behaviour = {
  request?(exchange: Exchange, context: ProviderContext): Promise<Exchange | Answer | undefined> | Exchange | Answer | undefined;
  response?(exchange: Exchange, answer: Answer, context: ProviderContext): Promise<Answer | undefined> | Answer | undefined;
  /** Stops what the mutant runs in the background. */
  close?(): void;
};

type Route = { method: string; operationId: string; pattern: RegExp; names: string[]; literal: number };

/** Every operation of the contract as a method and a path pattern; literal paths first (`/v2/cloudimages/action` before `{image_id}`). */
const ROUTES: Route[] = Object.entries(loadSpec("openapi").paths as unknown as Record<string, Record<string, { operationId?: string }>>)
  .flatMap(([template, item]) =>
    Object.entries(item)
      .filter(([, operation]) => typeof operation === "object" && operation !== null && "operationId" in operation)
      .map(([method, operation]) => {
        const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
        const pattern = new RegExp(`^${template.replace(/[.]/g, "\\.").replace(/\{[^}]+\}/g, "([^/]+)")}$`);
        return { method: method.toUpperCase(), operationId: operation.operationId!, pattern, names, literal: names.length };
      }),
  )
  .sort((a, b) => a.literal - b.literal);

export function operationOf(method: string, path: string): { operationId: string; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return { operationId: route.operationId, params: Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)])) };
  }
  return undefined;
}

export const isAnswer = (value: Exchange | Answer | undefined): value is Answer => value !== undefined && "status" in value;

/** The answer's body as JSON, or undefined. */
export function jsonOf(answer: Answer): any {
  try {
    return JSON.parse(answer.body);
  } catch {
    return undefined;
  }
}

/** The same answer with a JSON body (and a JSON Content-Type unless it has one). */
export function withJson(answer: Answer, body: unknown, status = answer.status): Answer {
  return { ...answer, status, headers: { ...answer.headers, "content-type": answer.headers["content-type"] ?? "application/json" }, body: JSON.stringify(body) };
}

/** An answer of the provider's own, in the JSON shape. */
export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { "content-type": "application/json", ...headers }, body: body === undefined ? "" : JSON.stringify(body) };
}

/** An IMS refusal `{"error": {code, message}}`. */
export const imsError = (status: number, code: string, message: string): Answer => jsonAnswer(status, { error: { code, message } });

/** Hop-by-hop headers and those fetch sets itself. */
const NOT_FORWARDED = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive", "expect"]);

async function forwardTo(upstream: string, exchange: Exchange): Promise<Answer> {
  const headers = Object.fromEntries(Object.entries(exchange.headers).filter(([name]) => !NOT_FORWARDED.has(name)));
  const query = exchange.query.toString();
  const response = await fetch(`${upstream}${exchange.path}${query ? `?${query}` : ""}`, {
    method: exchange.method,
    headers,
    ...(exchange.body?.length && { body: new Uint8Array(exchange.body) }),
  });
  const answerHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!NOT_FORWARDED.has(name) && name !== "content-encoding") answerHeaders[name] = value;
  });
  return { status: response.status, headers: answerHeaders, body: await response.text() };
}

function exchangeOf(req: IncomingMessage, body: Buffer): Exchange {
  const url = new URL(req.url ?? "/", "http://provider");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  const method = req.method ?? "GET";
  const operation = operationOf(method, url.pathname);
  return { method, path: url.pathname, query: url.searchParams, headers, body: body.length ? body : undefined, operationId: operation?.operationId, params: operation?.params ?? {} };
}

const STATUS_TEXT: Record<number, string> = { 200: "OK", 204: "No Content", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed" };

function send(res: ServerResponse, answer: Answer): void {
  if (answer.rawBody) {
    // Node's server never sends a body with a 204; a faulty provider does, so it goes to the socket as bytes.
    const socket = res.socket as Socket;
    const body = Buffer.from(answer.body);
    const head = [`HTTP/1.1 ${answer.status} ${STATUS_TEXT[answer.status] ?? "Status"}`, ...Object.entries(answer.headers).map(([n, v]) => `${n}: ${v}`), `content-length: ${body.length}`, "connection: close", "", ""];
    socket.end(Buffer.concat([Buffer.from(head.join("\r\n")), body]));
    return;
  }
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

export type Provider = {
  url: string;
  setting: Setting;
  /** The honest stub behind the proxy (its state, for tests that compare it). */
  stub: RunningStub;
  close(): Promise<void>;
};

/** How long a foreign provider's jobs take, from INIT to SUCCESS. */
export const FOREIGN_JOB_MS = 2500;

/** The honest stub a provider of this setting stands in front of. */
export function startHonestStub(setting: Setting): Promise<RunningStub> {
  return startStub({ now: Date.now, progression: "timed", ...(setting === "foreign" && { jobDurationMs: FOREIGN_JOB_MS }) });
}

/**
 * Starts a fresh honest stub (or stands in front of the one given, which it leaves running) and the provider in
 * front of it: the setting's own rules, then the mutant's. Without a mutant it is the honest provider of that setting.
 */
export async function startProvider(setting: Setting, behaviour: Behaviour = {}, options: { stub?: RunningStub } = {}): Promise<Provider> {
  // A real clock: the stub's timed jobs end on their own, as a provider's do. Against the stub itself a verifier
  // may use `Prefer`; the stub as `ims-stub` runs has timed jobs of 3 s.
  const stub = options.stub ?? (await startHonestStub(setting));
  const context: ProviderContext = {
    setting,
    projectId: PROJECT_ID,
    forward: (exchange) => forwardTo(stub.url, exchange),
    async call(method, path, body) {
      const [pathname = "/", query = ""] = path.split("?", 2);
      const answer = await forwardTo(stub.url, {
        method,
        path: pathname,
        query: new URLSearchParams(query),
        headers: { "x-auth-token": "provider-internal", ...(body !== undefined && { "content-type": "application/json" }) },
        body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
        operationId: undefined,
        params: {},
      });
      return { status: answer.status, json: jsonOf(answer), answer };
    },
  };
  const server: Server = createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      let exchange = exchangeOf(req, Buffer.concat(chunks));
      if (setting === "foreign") {
        if (exchange.path.startsWith("/_stub/")) return send(res, imsError(404, "IMG.0121", `No API at ${exchange.method} ${exchange.path}.`));
        const { prefer: _ignored, ...headers } = exchange.headers;
        exchange = { ...exchange, headers };
      }
      const rewritten = await behaviour.request?.(exchange, context);
      if (isAnswer(rewritten)) return send(res, rewritten);
      if (rewritten) exchange = rewritten;
      const answer = await context.forward(exchange);
      send(res, (await behaviour.response?.(exchange, answer, context)) ?? answer);
    } catch (error) {
      // The harness's own failure, not a mutant's: a 502 that names it, so a run that meets it says why.
      if (!res.headersSent && !res.socket?.destroyed) send(res, imsError(502, "IMG.0061", `mutating proxy: ${(error as Error).message}`));
    }
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setting,
    stub,
    async close() {
      behaviour.close?.();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!options.stub) await stub.close();
    },
  };
}

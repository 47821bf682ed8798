// Turns what the reader filled in into an HTTP request, checks it first (a missing value, a body that is not
// JSON, a missing credential, an insecure page for AK/SK), signs it in the page with the client's own signer, and
// sends it. The secret key is used only to compute the signature: it is never put in a header, a URL, a body, a log
// or any storage.
import { signRequest } from "../../../client/aksk.ts";
import type { Messages } from "./messages.ts";
import type { Operation } from "./openapi.ts";

export type Credentials = { kind: "token"; token: string } | { kind: "aksk"; ak: string; sk: string; projectId: string };

export type Draft = {
  server: string;
  operation: Operation;
  /** Parameter values by `in:name`; empty strings are left out of the request. */
  values: Record<string, string>;
  contentType: string | undefined;
  body: string | undefined;
  credentials: Credentials;
};

export type PreparedRequest = { method: string; url: string; headers: Headers; body: string | undefined };

export type Problem = { field: string; message: string };

export const parameterKey = (parameter: { in: string; name: string }) => `${parameter.in}:${parameter.name}`;

const isJsonType = (contentType: string) => /[/+-]json\b|^application\/json/i.test(contentType);

/** The server URL as the console sends to it: absolute http(s), no trailing slash. */
export function serverBase(server: string): URL | undefined {
  try {
    const url = new URL(server.trim());
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Where the JSON text stops parsing, in words: `line 3, column 7: Unexpected token`. */
function jsonError(text: string, error: Error): string {
  const position = /position (\d+)/.exec(error.message);
  if (!position) return error.message;
  const before = text.slice(0, Number(position[1]));
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  return `${error.message.replace(/ in JSON at position \d+.*$/, "")} (line ${line}, column ${column})`;
}

export async function prepare(draft: Draft, t: Messages): Promise<{ request: PreparedRequest } | { problems: Problem[] }> {
  const problems: Problem[] = [];
  const { operation } = draft;
  const base = serverBase(draft.server);
  if (!draft.server.trim()) problems.push({ field: "server", message: t.problemNoServer });
  else if (!base) problems.push({ field: "server", message: t.problemBadServer(draft.server.trim()) });

  let path = operation.path;
  const query: [string, string][] = [];
  const headers = new Headers();
  for (const parameter of operation.parameters) {
    const value = (draft.values[parameterKey(parameter)] ?? "").trim();
    if (value === "") {
      if (parameter.required) problems.push({ field: parameterKey(parameter), message: t.problemMissingParameter(parameter.name) });
      continue;
    }
    if (parameter.in === "path") path = path.replace(`{${parameter.name}}`, encodeURIComponent(value));
    else if (parameter.in === "query") query.push([parameter.name, value]);
    else if (parameter.in === "header") headers.set(parameter.name, value);
  }

  let body: string | undefined;
  if (operation.body && draft.contentType) {
    const text = draft.body ?? "";
    if (text.trim() === "") {
      if (operation.body.required) problems.push({ field: "body", message: t.problemEmptyBody });
    } else {
      if (isJsonType(draft.contentType)) {
        try {
          JSON.parse(text);
        } catch (error) {
          problems.push({ field: "body", message: t.problemBodyNotJson(jsonError(text, error as Error)) });
        }
      }
      body = text;
      headers.set("Content-Type", draft.contentType);
    }
  }

  const { credentials } = draft;
  const scheme = operation.schemes.find((candidate) => candidate.kind === credentials.kind);
  if (operation.schemes.length > 0) {
    if (!scheme) problems.push({ field: "auth", message: t.problemSchemeNotAccepted(operation.schemes.map((s) => s.header).join(", ")) });
    else if (credentials.kind === "token" && !credentials.token.trim()) problems.push({ field: "token", message: t.problemNoToken });
    else if (credentials.kind === "aksk") {
      if (!credentials.ak.trim()) problems.push({ field: "ak", message: t.problemNoAk });
      if (!credentials.sk) problems.push({ field: "sk", message: t.problemNoSk });
      if (!credentials.projectId.trim()) problems.push({ field: "project", message: t.problemNoProject });
      if (!globalThis.crypto?.subtle) problems.push({ field: "auth", message: t.problemInsecureContext });
    }
  }
  if (problems.length > 0 || !base) return { problems };

  const url = new URL(base.href.replace(/\/+$/, "") + path);
  for (const [name, value] of query) url.searchParams.append(name, value);
  if (scheme && credentials.kind === "token") headers.set(scheme.header, credentials.token.trim());
  if (scheme && credentials.kind === "aksk") {
    await signRequest({ method: operation.method, url, headers, body, ak: credentials.ak.trim(), sk: credentials.sk, projectId: credentials.projectId.trim() });
  }
  return { request: { method: operation.method, url: url.href, headers, body } };
}

export type Outcome =
  | { kind: "response"; response: Response; status: number; statusText: string; headers: [string, string][]; text: string; json: unknown; ms: number }
  | { kind: "timeout"; ms: number }
  | { kind: "aborted" }
  | { kind: "network"; message: string };

export async function send(request: PreparedRequest, timeoutMs: number, signal?: AbortSignal): Promise<Outcome> {
  const started = performance.now();
  const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined && { body: request.body }),
      signal: AbortSignal.any(signals),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { kind: "response", response, status: response.status, statusText: response.statusText, headers: [...response.headers], text, json, ms: Math.round(performance.now() - started) };
  } catch (error) {
    if (signal?.aborted) return { kind: "aborted" };
    if ((error as Error).name === "TimeoutError") return { kind: "timeout", ms: timeoutMs };
    return { kind: "network", message: (error as Error).message };
  }
}

/** The request as a reader may look at it, with the token hidden (the SK is never in it). */
export function describeRequest(request: PreparedRequest, tokenHeader: string | undefined): string {
  const lines = [`${request.method} ${request.url}`];
  for (const [name, value] of request.headers) lines.push(`${name}: ${tokenHeader && name === tokenHeader.toLowerCase() ? "••••••" : value}`);
  if (request.body !== undefined) lines.push("", request.body);
  return lines.join("\n");
}

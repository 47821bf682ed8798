// Run-time checks of what callers pass the client. TypeScript refuses most of these mistakes at compile time;
// JavaScript callers, and options built at run time, meet them here instead of as a crash deep inside, as a
// TypeError that names the option, what it expected and what it got. Cheap checks only: types, required
// options and names, never the API's own rules (the API answers those).
import { closestName, foldName } from "./suggest.js";

type Options = Record<string, unknown>;

export const isRecord = (value: unknown): value is Options =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(typeof URL !== "undefined" && value instanceof URL);

/** What a value is, in words; a secret (a token, a key) by its length only. */
export function describeValue(value: unknown, secret = false): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === "string") {
    if (secret) return `a string of ${value.length} character${value.length === 1 ? "" : "s"}`;
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? "" : "s"}`;
  if (typeof URL !== "undefined" && value instanceof URL) return `the URL ${value.href}`;
  if (isRecord(value)) {
    const keys = Object.keys(value);
    return keys.length ? `an object with ${keys.join(", ")}` : "an empty object";
  }
  return `a ${(value as object).constructor?.name ?? typeof value}`;
}

/**
 * The known option an unknown one most likely meant: from `aliases` (the names other libraries use, folded
 * with foldName), else the closest known name.
 */
export function meantOption(key: string, known: readonly string[], aliases: Readonly<Record<string, string>> = {}): string | undefined {
  return aliases[foldName(key)] ?? closestName(key, known);
}

/** Refuses the first key of `given` that is not one of `known`, naming the closest known one. */
export function refuseUnknownKeys(where: string, given: Options, known: readonly string[], aliases: Readonly<Record<string, string>> = {}): void {
  for (const key of Object.keys(given)) {
    if (known.includes(key)) continue;
    const meant = meantOption(key, known, aliases);
    throw new TypeError(`${where}.${key} is not an option (the options are ${known.join(", ")})${meant ? `; did you mean ${meant}?` : ""}`);
  }
}

/** The given keys that most likely meant `option`: `(got baseUrl; did you mean endpoint?)`. */
function nearMissOf(option: string, given: Options, known: readonly string[], aliases: Readonly<Record<string, string>>): string | undefined {
  return Object.keys(given).find((key) => !known.includes(key) && meantOption(key, known, aliases)?.startsWith(option));
}

/** `options.endpoint is required: … (got baseUrl; did you mean endpoint?)`, or with what the object held. */
export function missingOption(where: string, option: string, expected: string, given: Options, known: readonly string[], aliases: Readonly<Record<string, string>> = {}): TypeError {
  const nearMiss = nearMissOf(option, given, known, aliases);
  const got = nearMiss ? `got ${nearMiss}; did you mean ${meantOption(nearMiss, known, aliases)}?` : `got ${describeValue(given)}`;
  return new TypeError(`${where}.${option} is required: ${expected} (${got})`);
}

export const looksLikeAbortSignal = (value: unknown): boolean =>
  typeof value === "object" && value !== null && typeof (value as AbortSignal).aborted === "boolean" && typeof (value as AbortSignal).addEventListener === "function";

// createImsClient's options.

const CLIENT_OPTIONS = ["endpoint", "auth", "fetch", "retry"] as const;
/** Other libraries' names for the client's options (openapi-fetch's baseUrl first), folded. */
const CLIENT_ALIASES: Record<string, string> = {
  baseurl: "endpoint",
  baseuri: "endpoint",
  url: "endpoint",
  uri: "endpoint",
  host: "endpoint",
  server: "endpoint",
  endpointurl: "endpoint",
  prefixurl: "endpoint",
  credentials: "auth",
  credential: "auth",
  token: "auth: { token }",
  authtoken: "auth: { token }",
  xauthtoken: "auth: { token }",
  ak: "auth: { ak, sk, projectId }",
  sk: "auth: { ak, sk, projectId }",
  projectid: "auth.projectId",
  fetchfn: "fetch",
  customfetch: "fetch",
};
const AUTH_OPTIONS = ["token", "projectId", "ak", "sk"] as const;
const AUTH_ALIASES: Record<string, string> = {
  accesskey: "ak",
  accesskeyid: "ak",
  secretkey: "sk",
  secretaccesskey: "sk",
  secret: "sk",
  authtoken: "token",
  xauthtoken: "token",
  project: "projectId",
};
const AUTH_SHAPES = "{ token } or { ak, sk, projectId }";

export type CheckedClientOptions = { endpoint: string; auth: Options; fetch?: typeof globalThis.fetch };

function checkEndpoint(value: unknown): string {
  const where = "createImsClient: options.endpoint";
  const text = typeof URL !== "undefined" && value instanceof URL ? value.href : value;
  if (typeof text !== "string") throw new TypeError(`${where} must be the service root as a string, such as "http://127.0.0.1:8080" (got ${describeValue(value)})`);
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    const withScheme = !text.includes("://") && URL.canParse?.(`http://${text}`) ? `; did you mean "http://${text}"?` : "";
    throw new TypeError(`${where} must be an http:// or https:// URL such as "http://127.0.0.1:8080" (got ${describeValue(text)}${withScheme})`);
  }
  // The operations' paths are added to the endpoint: one that already holds an API path doubles it.
  const apiPath = /\/v[12]\//.exec(`${url.pathname}/`);
  if (apiPath) {
    const root = `${url.origin}${url.pathname.slice(0, apiPath.index)}`;
    throw new TypeError(`${where} is the service root, without an API path (got ${describeValue(text)}; did you mean "${root}"?)`);
  }
  return text.replace(/\/+$/, "");
}

function checkAuth(given: Options): Options {
  const where = "createImsClient: options.auth";
  const auth = given.auth;
  if (typeof auth === "string") throw new TypeError(`${where} must be ${AUTH_SHAPES} (got ${describeValue(auth, true)}; did you mean auth: { token: … }?)`);
  if (!isRecord(auth)) throw new TypeError(`${where} must be ${AUTH_SHAPES} (got ${describeValue(auth)})`);
  refuseUnknownKeys(where, auth, AUTH_OPTIONS, AUTH_ALIASES);
  const has = (key: string) => auth[key] !== undefined;
  const nonEmpty = (key: string, secret: boolean) => {
    if (has(key) && (typeof auth[key] !== "string" || auth[key] === "")) {
      throw new TypeError(`${where}.${key} must be a non-empty string (got ${describeValue(auth[key], secret)})`);
    }
  };
  nonEmpty("token", true);
  nonEmpty("ak", true);
  nonEmpty("sk", true);
  nonEmpty("projectId", false);
  if (has("token") && (has("ak") || has("sk"))) throw new TypeError(`${where} must be ${AUTH_SHAPES}, not both (got ${describeValue(auth, true)})`);
  if (has("token")) return auth;
  if (!has("ak") && !has("sk")) throw new TypeError(`${where} must be ${AUTH_SHAPES} (got ${describeValue(auth)})`);
  for (const key of ["ak", "sk", "projectId"]) {
    if (!has(key)) {
      const why = key === "projectId" ? "the project the key pair belongs to, which an AK/SK signature names" : "an AK/SK pair needs both";
      throw new TypeError(`${where}.${key} is required with AK/SK: ${why} (got ${describeValue(auth)})`);
    }
  }
  return auth;
}

/** Checks createImsClient's options; returns the endpoint without its trailing slashes. */
export function checkClientOptions(options: unknown): CheckedClientOptions {
  if (!isRecord(options)) {
    throw new TypeError(`createImsClient: options must be an object such as { endpoint: "http://127.0.0.1:8080", auth: { token: "…" } } (got ${describeValue(options)})`);
  }
  if (options.endpoint === undefined) {
    throw missingOption("createImsClient: options", "endpoint", 'the service root, such as "http://127.0.0.1:8080"', options, CLIENT_OPTIONS, CLIENT_ALIASES);
  }
  const endpoint = checkEndpoint(options.endpoint);
  if (options.auth === undefined) throw missingOption("createImsClient: options", "auth", AUTH_SHAPES, options, CLIENT_OPTIONS, CLIENT_ALIASES);
  refuseUnknownKeys("createImsClient: options", options, CLIENT_OPTIONS, CLIENT_ALIASES);
  const auth = checkAuth(options);
  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    throw new TypeError(`createImsClient: options.fetch must be a fetch function (got ${describeValue(options.fetch)})`);
  }
  return { endpoint, auth, ...(options.fetch !== undefined && { fetch: options.fetch as typeof globalThis.fetch }) };
}

// The methods' arguments.

/** A job ID: a string. The object createImage resolves to is the commonest mistake. */
export function checkImageId(method: string, imageId: unknown): void {
  if (typeof imageId === "string" && imageId !== "") return;
  const hint = isRecord(imageId) && typeof imageId.id === "string" ? "; did you mean its id?" : "";
  throw new TypeError(`${method}: imageId must be a non-empty string, an image's id (got ${describeValue(imageId)}${hint})`);
}

export function checkJobId(method: string, jobId: unknown): void {
  if (typeof jobId === "string" && jobId !== "") return;
  const hint = isRecord(jobId) && typeof jobId.job_id === "string" ? "; did you mean its job_id?" : "";
  throw new TypeError(`${method}: jobId must be a non-empty string, the job_id that createImage resolved to (got ${describeValue(jobId)}${hint})`);
}

/** A call's options: `{ signal }`, and the few a method takes besides (`safeMode`, `native`, `pageSize`). */
export function checkCallOptions(method: string, options: unknown, more: readonly string[] = []): void {
  if (options === undefined) return;
  if (!isRecord(options)) throw new TypeError(`${method}: options must be an object such as { signal } (got ${describeValue(options)})`);
  refuseUnknownKeys(`${method}: options`, options, ["signal", ...more], { timeout: "signal: AbortSignal.timeout(ms)" });
  if (options.signal !== undefined && !looksLikeAbortSignal(options.signal)) {
    throw new TypeError(`${method}: options.signal must be an AbortSignal (got ${describeValue(options.signal)})`);
  }
}

export function checkCreateImageBody(method: string, body: unknown): void {
  if (isRecord(body)) return;
  const hint = typeof body === "string" ? "; pass the object itself, not JSON text" : "";
  throw new TypeError(`${method}: body must be an object such as { name, instance_id } (got ${describeValue(body)}${hint})`);
}

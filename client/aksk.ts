// The AK/SK signature Huawei Cloud's official SDKs send (SDK-HMAC-SHA256), built on Web Crypto only, so the
// same code signs in the client (Node or browser) and verifies in the stub.

export const SIGNING_ALGORITHM = "SDK-HMAC-SHA256";
export const EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const encoder = new TextEncoder();

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The signed payload hash: SHA-256 of the exact body bytes, the empty-body hash, or a given X-Sdk-Content-Sha256. */
export async function payloadHash(body: Uint8Array | undefined, contentSha256Header: string | null | undefined): Promise<string> {
  if (!body || body.length === 0) return EMPTY_BODY_SHA256;
  return contentSha256Header ?? sha256Hex(body);
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return hex(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
}

export async function hmacSha256Hex(key: string, message: string): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return hex(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(message)));
}

/** Python's `quote(value, safe='~')`: everything but `A-Z a-z 0-9 - _ . ~` percent-encoded, upper-case hex. */
export function quote(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Python's `unquote`, which leaves a malformed escape as it is instead of failing. */
function unquote(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/** The path decoded, split on `/`, each segment re-encoded, and always ending in `/`. */
export function canonicalUri(rawPath: string): string {
  const uri = unquote(rawPath).split("/").map(quote).join("/");
  return uri.endsWith("/") ? uri : `${uri}/`;
}

/** Name/value pairs sorted by name, then value, each encoded, joined as `k=v&...`. */
export function canonicalQuery(pairs: [string, string][]): string {
  return pairs
    .map(([name, value]) => [quote(name), quote(value)] as const)
    .sort(([an, av], [bn, bv]) => (an === bn ? compare(av, bv) : compare(an, bn)))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The decoded name/value pairs of a raw query string (without `?`); `+` is kept literally, as the SDK sends `%20`. */
export function queryPairs(rawQuery: string): [string, string][] {
  if (!rawQuery) return [];
  return rawQuery.split("&").filter(Boolean).map((part) => {
    const eq = part.indexOf("=");
    return eq < 0 ? [unquote(part), ""] : [unquote(part.slice(0, eq)), unquote(part.slice(eq + 1))];
  });
}

export type CanonicalInput = {
  method: string;
  /** The raw path as sent, percent-encoded. */
  path: string;
  query: [string, string][];
  /** Header values by lower-case name. */
  headers: Record<string, string | undefined>;
  signedHeaders: string[];
  payloadHash: string;
};

export function canonicalRequest(input: CanonicalInput): string {
  const headerLines = input.signedHeaders.map((name) => `${name}:${(input.headers[name] ?? "").trim()}\n`).join("");
  return [
    input.method.toUpperCase(),
    canonicalUri(input.path),
    canonicalQuery(input.query),
    headerLines,
    input.signedHeaders.join(";"),
    input.payloadHash,
  ].join("\n");
}

export async function stringToSign(sdkDate: string, canonical: string): Promise<string> {
  return `${SIGNING_ALGORITHM}\n${sdkDate}\n${await sha256Hex(canonical)}`;
}

export async function computeSignature(sk: string, sdkDate: string, canonical: string): Promise<string> {
  return hmacSha256Hex(sk, await stringToSign(sdkDate, canonical));
}

/** `20260101T000000Z`: UTC, seconds, no separators. */
export function formatSdkDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export type ParsedAuthorization = { ak: string; signedHeaders: string[]; signature: string };

export function parseAuthorization(value: string): ParsedAuthorization | undefined {
  const m = /^SDK-HMAC-SHA256\s+Access=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]+)\s*$/.exec(value);
  if (!m) return undefined;
  return { ak: m[1]!, signedHeaders: m[2]!.split(";"), signature: m[3]!.toLowerCase() };
}

export function authorizationHeader(ak: string, signedHeaders: string[], signature: string): string {
  return `${SIGNING_ALGORITHM} Access=${ak}, SignedHeaders=${signedHeaders.join(";")}, Signature=${signature}`;
}

export type SignInput = {
  method: string;
  url: string | URL;
  headers: Headers;
  body?: string | Uint8Array | undefined;
  ak: string;
  sk: string;
  projectId: string;
  date?: Date;
};

/**
 * Signs a request the way the SDKs do: sets `X-Project-Id` and `X-Sdk-Date`, signs every header it is about to
 * send whose name has no `_`, plus `host` (with the port, as fetch sends it), and sets `Authorization`.
 */
export async function signRequest(input: SignInput): Promise<void> {
  const url = new URL(input.url);
  const { headers } = input;
  headers.set("X-Project-Id", input.projectId);
  if (!headers.has("X-Sdk-Date")) headers.set("X-Sdk-Date", formatSdkDate(input.date ?? new Date()));
  const values: Record<string, string> = { host: url.host };
  headers.forEach((value, name) => {
    if (name !== "authorization" && !name.includes("_")) values[name] = value;
  });
  const signedHeaders = Object.keys(values).sort();
  const bodyBytes = typeof input.body === "string" ? encoder.encode(input.body) : input.body;
  const canonical = canonicalRequest({
    method: input.method,
    path: url.pathname,
    query: queryPairs(url.search.slice(1)),
    headers: values,
    signedHeaders,
    payloadHash: await payloadHash(bodyBytes, headers.get("X-Sdk-Content-Sha256")),
  });
  const signature = await computeSignature(input.sk, headers.get("X-Sdk-Date")!, canonical);
  headers.set("Authorization", authorizationHeader(input.ak, signedHeaders, signature));
}

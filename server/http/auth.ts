// Who is calling: an X-Auth-Token caller in the configured project, or an AK/SK caller whose SDK-HMAC-SHA256
// signature verifies against the configured credentials. Failures are the gateway's 401s.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Request } from "express";
import { canonicalRequest, computeSignature, parseAuthorization, parseSdkDate, payloadHash, queryPairs } from "../../client/aksk.js";
import { GatewayError } from "../ims/errors.js";

export type Credential = { sk: string; projectId: string };
export type Caller = { projectId: string; scheme: "token" | "aksk"; ak?: string };
export type AuthSettings = {
  projectId: string;
  credentials: Map<string, Credential>;
  maxClockSkewMs: number;
  now: () => number;
};

export type RequestWithBody = Request & { rawBody?: Buffer };

const deny = (why: string, reason?: string) => new GatewayError(401, "APIG.0301", `Incorrect IAM authentication information: ${why}`, reason);

/**
 * For the request journal: what the stub signed, in one line, for a team to compare with what its signer built
 * (the canonical request's hash is the last line of the string to sign). Header values are left out: a signed
 * header may carry a token.
 */
function signatureMismatch(canonical: string): string {
  const lines = canonical.split("\n");
  const hash = createHash("sha256").update(canonical).digest("hex");
  return `signature mismatch at the last step (the HMAC): the stub's canonical request hashes to ${hash} (URI ${lines[1]}, query "${lines[2]}", signed headers ${lines.at(-2)}, body SHA-256 ${lines.at(-1)}); if your signer's canonical request hashes the same, the secret key or the X-Sdk-Date differs`;
}

/** The refusal of a request that carries neither scheme's credentials. */
export const noCredentials = () => deny("no X-Auth-Token and no Authorization signature");

/** The refusal of valid credentials of a scheme the operation does not list. */
export const schemeNotAccepted = (scheme: Caller["scheme"]) => deny(`this API does not accept ${scheme === "aksk" ? "an AK/SK signature" : "an X-Auth-Token"}`);

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

async function verifySignature(req: RequestWithBody, authorization: string, settings: AuthSettings): Promise<Caller | GatewayError> {
  const parsed = parseAuthorization(authorization);
  if (!parsed) return deny("the Authorization header is not an SDK-HMAC-SHA256 signature");
  const credential = settings.credentials.get(parsed.ak);
  if (!credential) return deny(`unknown access key ${parsed.ak}`);
  if (!parsed.signedHeaders.includes("x-sdk-date")) return deny("X-Sdk-Date must be a signed header");
  const sdkDate = header(req, "x-sdk-date") ?? "";
  const signedAt = parseSdkDate(sdkDate);
  if (!signedAt) return deny("X-Sdk-Date is missing or not in the form YYYYMMDDTHHMMSSZ");
  if (Math.abs(settings.now() - signedAt.getTime()) > settings.maxClockSkewMs) {
    return deny(`X-Sdk-Date ${sdkDate} is more than ${settings.maxClockSkewMs / 60_000} minutes off the server's clock`);
  }
  const [rawPath = "/", rawQuery = ""] = req.originalUrl.split("?", 2);
  const headers = Object.fromEntries(parsed.signedHeaders.map((name) => [name, header(req, name)]));
  const canonical = canonicalRequest({
    method: req.method,
    path: rawPath,
    query: queryPairs(rawQuery),
    headers,
    signedHeaders: parsed.signedHeaders,
    payloadHash: await payloadHash(req.rawBody, header(req, "x-sdk-content-sha256")),
  });
  const expected = Buffer.from(await computeSignature(credential.sk, sdkDate, canonical), "hex");
  const given = Buffer.from(parsed.signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return deny("verify aksk signature fail", signatureMismatch(canonical));
  const projectId = header(req, "x-project-id");
  if (projectId !== undefined && projectId !== credential.projectId) {
    return deny(`X-Project-Id ${projectId} is not the project of access key ${parsed.ak}`);
  }
  return { projectId: credential.projectId, scheme: "aksk", ak: parsed.ak };
}

/** Synchronous for a token (most requests); a promise only for a signature, which Web Crypto checks. */
export function authenticate(req: RequestWithBody, settings: AuthSettings): Caller | GatewayError | Promise<Caller | GatewayError> {
  const authorization = header(req, "authorization");
  if (authorization) return verifySignature(req, authorization, settings);
  const token = header(req, "x-auth-token")?.trim();
  if (token) return { projectId: settings.projectId, scheme: "token" };
  return noCredentials();
}

/** Parses `AK:SK:PROJECT_ID[,AK:SK:PROJECT_ID...]`. */
export function parseCredentials(value: string): Map<string, Credential> {
  const credentials = new Map<string, Credential>();
  for (const entry of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    const parts = entry.split(":");
    if (parts.length !== 3 || parts.some((part) => part === "")) {
      // Named by its position and AK only: the entry may hold a secret key, which no message repeats.
      const position = value.split(",").map((s) => s.trim()).filter(Boolean).indexOf(entry) + 1;
      throw new Error(`credentials entry ${position} (AK ${JSON.stringify(parts[0] ?? "")}) is not AK:SK:PROJECT_ID: it has ${parts.length} part${parts.length === 1 ? "" : "s"}${parts.some((part) => part === "") ? ", one of them empty" : ""}`);
    }
    const [ak, sk, projectId] = parts as [string, string, string];
    credentials.set(ak, { sk, projectId });
  }
  return credentials;
}

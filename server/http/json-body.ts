// The body parser: JSON and any `+json` type (the JSON-patch media types among them), keeping the raw bytes,
// which a signature covers and the proxy forwards as they came; other media types' bytes only for the signature.
import express, { type RequestHandler } from "express";
import type { RequestWithBody } from "./auth.js";

const isJsonContentType = (req: { headers: Record<string, unknown> }) => {
  const type = String(req.headers["content-type"] ?? "").split(";", 1)[0]!.trim().toLowerCase();
  return type === "application/json" || /^application\/[a-z0-9.+-]*\+json$/.test(type) || /^application\/[a-z0-9.+-]*-json-patch$/.test(type);
};

const keepRawBody = (req: unknown, _res: unknown, buffer: Buffer) => {
  (req as RequestWithBody).rawBody = buffer;
};

export function jsonBody(limitBytes: number): RequestHandler[] {
  return [
    express.json({ limit: limitBytes, strict: false, type: isJsonContentType, verify: keepRawBody }),
    // A body of another media type is read too, as bytes, so that its signature verifies as the gateway's does and
    // the caller learns of the media type (415), not of a signature mismatch (401). The operation sees no body.
    express.raw({ limit: limitBytes, type: (req) => !isJsonContentType(req) && req.headers["content-type"] !== undefined, verify: keepRawBody }),
    (req, _res, next) => {
      if (Buffer.isBuffer(req.body)) req.body = undefined;
      next();
    },
  ];
}

// The body parser: JSON and any `+json` type (the JSON-patch media types among them), keeping the raw bytes,
// which a signature covers and the proxy forwards as they came.
import express, { type RequestHandler } from "express";
import type { RequestWithBody } from "./auth.js";

const isJsonContentType = (req: { headers: Record<string, unknown> }) => {
  const type = String(req.headers["content-type"] ?? "").split(";", 1)[0]!.trim().toLowerCase();
  return type === "application/json" || /^application\/[a-z0-9.+-]*\+json$/.test(type) || /^application\/[a-z0-9.+-]*-json-patch$/.test(type);
};

export function jsonBody(limitBytes: number): RequestHandler {
  return express.json({
    limit: limitBytes,
    strict: false,
    type: isJsonContentType,
    verify: (req, _res, buffer) => {
      (req as RequestWithBody).rawBody = buffer;
    },
  });
}

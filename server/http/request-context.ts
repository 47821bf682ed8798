// The one middleware every request walks: its request ID, the CORS headers, and its request log line.
import cors from "cors";
import type { RequestHandler, Response } from "express";
import { randomHexId } from "./ids.js";
import type { LogEntry } from "./log.js";

export function requestContext(corsOrigin: string | false, logger: ((entry: LogEntry) => void) | undefined): RequestHandler {
  // With one configured origin, the CORS headers of every answer are the same: they are set here with the request
  // ID; the cors library answers the preflights.
  const corsHeaders: [string, string][] =
    corsOrigin === false ? [] : [["Access-Control-Allow-Origin", corsOrigin], ["Access-Control-Expose-Headers", "X-Request-Id"], ...(corsOrigin === "*" ? [] : [["Vary", "Origin"] as [string, string]])];
  const preflight = corsOrigin === false ? undefined : cors({ origin: corsOrigin, exposedHeaders: ["X-Request-Id"], maxAge: 600 });
  // One listener function for every answer (no closure per request); what it logs travels in res.locals.
  function logFinished(this: Response) {
    const { req, locals } = this;
    logger!({
      time: new Date().toISOString(),
      request_id: locals.requestId as string,
      method: req.method,
      path: req.originalUrl.split("?", 1)[0],
      status: this.statusCode,
      operation: locals.operationId as string | undefined,
      duration_ms: Math.round((performance.now() - (locals.started as number)) * 1000) / 1000,
      error_code: locals.errorCode as string | undefined,
    });
  }
  return (req, res, next) => {
    const requestId = randomHexId();
    res.setHeader("X-Request-Id", requestId);
    for (const [name, value] of corsHeaders) res.setHeader(name, value);
    if (logger) {
      res.locals.requestId = requestId;
      res.locals.started = performance.now();
      res.on("finish", logFinished);
    }
    if (preflight && req.method === "OPTIONS") return preflight(req, res, next);
    next();
  };
}

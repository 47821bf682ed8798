// The one middleware every request walks: its request ID, the CORS headers, and its request log line.
import cors from "cors";
import type { RequestHandler, Response } from "express";
import { randomHexId } from "./ids.js";
import type { RequestJournal } from "./journal.js";
import type { LogEntry } from "./log.js";
import { STATIC_PATHS } from "./static-files.js";

export function requestContext(corsOrigin: string | false, logger: ((entry: LogEntry) => void) | undefined, journal?: RequestJournal): RequestHandler {
  // With one configured origin, the CORS headers of every answer are the same: they are set here with the request
  // ID; the cors library answers the preflights.
  const corsHeaders: [string, string][] =
    corsOrigin === false ? [] : [["Access-Control-Allow-Origin", corsOrigin], ["Access-Control-Expose-Headers", "X-Request-Id"], ...(corsOrigin === "*" ? [] : [["Vary", "Origin"] as [string, string]])];
  const preflight = corsOrigin === false ? undefined : cors({ origin: corsOrigin, exposedHeaders: ["X-Request-Id"], maxAge: 600 });
  const journaled = journal?.enabled ? journal : undefined;
  // One listener function for every answer (no closure per request); what it logs travels in res.locals.
  // On "close", not "finish": a connection a fault reset, or a client that went away, ends without "finish".
  function logFinished(this: Response) {
    const { req, locals } = this;
    const path = req.originalUrl.split("?", 1)[0]!;
    const durationMs = performance.now() - (locals.started as number);
    logger?.({
      time: new Date().toISOString(),
      request_id: locals.requestId as string,
      method: req.method,
      path,
      status: this.headersSent ? this.statusCode : undefined,
      operation: locals.operationId as string | undefined,
      duration_ms: Math.round(durationMs * 1000) / 1000,
      error_code: locals.errorCode as string | undefined,
      fault: locals.fault as string | undefined,
    });
    // The journal is the IMS API's: not the control API, not the docs.
    if (journaled && !path.startsWith("/_stub/") && !STATIC_PATHS.has(path)) journaled.record(this, path, durationMs);
  }
  return (req, res, next) => {
    const requestId = randomHexId();
    res.setHeader("X-Request-Id", requestId);
    for (const [name, value] of corsHeaders) res.setHeader(name, value);
    if (logger || journaled) {
      res.locals.requestId = requestId;
      res.locals.started = performance.now();
      res.on("close", logFinished);
    }
    if (preflight && req.method === "OPTIONS") return preflight(req, res, next);
    next();
  };
}

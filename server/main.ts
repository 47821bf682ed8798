#!/usr/bin/env node
// Starts the stub: reads settings, listens, checks that the validator is ready, and shuts down cleanly.
import { rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { describeNetworkFailure } from "../client/errors.js";
import { createApp } from "./app.js";
import { ConfigError, DEFAULT_CREDENTIALS, helpText, readSettings } from "./config.js";
import { parseCredentials } from "./http/auth.js";
import { serve } from "./http/serve.js";
import { jsonLineLogger, type LogEntry } from "./http/log.js";
import { accessSummary } from "./network-exposure.js";

/** What to do about the commonest reasons a listen fails. */
const LISTEN_HINTS: Record<string, (host: string, port: number) => string> = {
  EADDRINUSE: (_host, port) => `something already listens on port ${port} (another ims-stub?): stop it, or choose another port with --port (0 picks a free one)`,
  EACCES: (_host, port) => `port ${port} needs privileges on this system: choose one above 1023 with --port`,
  EADDRNOTAVAIL: (host) => `no network interface of this machine has the address ${host}: use --host 127.0.0.1, or 0.0.0.0 for every interface`,
};

async function main(): Promise<void> {
  let settings: ReturnType<typeof readSettings>;
  try {
    settings = readSettings(process.argv.slice(2), process.env);
  } catch (error) {
    const showHelp = !(error instanceof ConfigError) || error.showHelp;
    console.error(`ims-stub: ${(error as Error).message}${showHelp ? `\n\n${helpText()}` : ""}`);
    process.exit(2);
  }
  if (settings === "help") {
    console.log(helpText());
    return;
  }
  // Request log lines start once the stub is ready: its own start-up check is not a request anyone sent.
  let ready = false;
  const log = settings.log ? jsonLineLogger() : undefined;
  const logger = log && ((entry: LogEntry) => ready && log(entry));
  let app: ReturnType<typeof createApp>;
  try {
    app = createApp({ ...settings, ...(logger && { logger }) });
  } catch (error) {
    console.error(`ims-stub: cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
  const server = await serve(app, settings.port, settings.host).catch((error: Error & { code?: string }) => {
    const hint = LISTEN_HINTS[error.code ?? ""]?.(settings.host, settings.port);
    console.error(`ims-stub: cannot listen on ${settings.host}:${settings.port}: ${error.message}${hint ? `: ${hint}` : ""}`);
    process.exit(1);
  });
  const { port, address } = server.address() as AddressInfo;
  const host = settings.host.includes(":") ? `[${settings.host}]` : settings.host;
  const url = `http://${host}:${port}`;

  // The validator loads the spec on its first request: make that request now, so a broken spec stops start-up.
  // A signature by an unknown key is refused by the stub itself, so the check never reaches an --upstream.
  const check = await fetch(`${url}/v1/cloudimages/job/startup-check`, {
    headers: { Authorization: "SDK-HMAC-SHA256 Access=ims-stub-startup-check, SignedHeaders=x-sdk-date, Signature=00", "X-Sdk-Date": "20260101T000000Z" },
  }).catch((error: unknown) => {
    // A port that fetch refuses (6000, 10080...) is one that no fetch client could use either.
    console.error(`ims-stub: cannot reach itself at ${url}: ${describeNetworkFailure(error).detail}`);
    server.close();
    process.exit(1);
  });
  if (check.status !== 401) {
    console.error(`ims-stub: the contract did not load (startup check answered ${check.status}: ${await check.text()})`);
    server.close();
    process.exit(1);
  }
  ready = true;
  // npx and npm run put a shell between a pipeline and the stub, which does not pass a kill on: the PID file
  // names the stub itself.
  const { pidFile } = settings;
  if (pidFile) {
    writeFileSync(pidFile, `${process.pid}\n`);
    process.once("exit", () => rmSync(pidFile, { force: true }));
  }
  console.log(`IMS stub listening on ${url} (docs ${url}/docs, spec ${url}/openapi.json, control ${url}/_stub); ${accessSummary(settings, address, parseCredentials(DEFAULT_CREDENTIALS))}`);

  const shutdown = (signal: string) => {
    console.log(`ims-stub: ${signal}, shutting down`);
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2000).unref();
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

await main();

#!/usr/bin/env node
// Starts the stub: reads settings, listens, checks that the validator is ready, and shuts down cleanly.
import { rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createApp } from "./app.js";
import { ConfigError, DEFAULT_CREDENTIALS, helpText, readSettings } from "./config.js";
import { parseCredentials } from "./http/auth.js";
import { serve } from "./http/serve.js";
import { jsonLineLogger, type LogEntry } from "./http/log.js";
import { accessSummary } from "./network-exposure.js";

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
  const server = await serve(app, settings.port, settings.host).catch((error: Error) => {
    console.error(`ims-stub: cannot listen on ${settings.host}:${settings.port}: ${error.message}`);
    process.exit(1);
  });
  const { port, address } = server.address() as AddressInfo;
  const host = settings.host.includes(":") ? `[${settings.host}]` : settings.host;
  const url = `http://${host}:${port}`;

  // The validator loads the spec on its first request: make that request now, so a broken spec stops start-up.
  // A signature by an unknown key is refused by the stub itself, so the check never reaches an --upstream.
  const check = await fetch(`${url}/v1/cloudimages/job/startup-check`, {
    headers: { Authorization: "SDK-HMAC-SHA256 Access=ims-stub-startup-check, SignedHeaders=x-sdk-date, Signature=00", "X-Sdk-Date": "20260101T000000Z" },
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

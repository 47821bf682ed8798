// Runs the stub on a free port for one test file, with a clock the test can move.
import type { AddressInfo } from "node:net";
import { createApp, type CreateAppOptions, type StubApp } from "../../server/app.ts";
import { DEFAULT_PROJECT_ID } from "../../server/config.ts";
import { serve } from "../../server/http/serve.ts";

export const PROJECT_ID = DEFAULT_PROJECT_ID;
export const AK = "EXAMPLEAK1234567890";
export const SK = "EXAMPLESK0987654321abcdefghijklmnopqrst";
export const TOKEN_HEADERS = { "X-Auth-Token": "test-token", "Content-Type": "application/json" };

export type RunningStub = {
  url: string;
  app: StubApp;
  clock: { now: number };
  /** What a control call (`/_stub/*`) carries on this stub: its bearer token, when it was started with one. */
  controlHeaders: Record<string, string>;
  close: () => Promise<void>;
};

export async function startStub(options: CreateAppOptions = {}): Promise<RunningStub> {
  const clock = { now: Date.now() };
  const app = createApp({ progression: "immediate", now: () => clock.now, ...options });
  const server = await serve(app, 0, "127.0.0.1");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    clock,
    controlHeaders: options.controlToken === undefined ? {} : { Authorization: `Bearer ${options.controlToken}` },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = TOKEN_HEADERS): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${url}/v2/cloudimages/action`, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: response.status, body: await response.json().catch(() => undefined), headers: response.headers };
}

export async function getJson(url: string, path: string, headers: Record<string, string> = TOKEN_HEADERS): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`, { headers });
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

/** A call to the stub's control API, with the stub's control token when it has one. */
export function control(stub: RunningStub, method: string, path: string, payload?: unknown): Promise<Response> {
  const headers = { ...stub.controlHeaders, ...(payload !== undefined && { "Content-Type": "application/json" }) };
  return fetch(`${stub.url}/_stub${path}`, { method, headers, ...(payload !== undefined && { body: JSON.stringify(payload) }) });
}

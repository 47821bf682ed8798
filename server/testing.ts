// `ims-create-image-contract/testing`: a stub per test, in-process. `startStub()` listens on a free loopback
// port and hands back this project's typed client pointed at it and a typed client of its control API
// (openapi-fetch over the control contract's generated types). Each stub is its own app: two in one process
// share no jobs, rules, journal or port. Nothing here depends on a test framework.
import type { AddressInfo } from "node:net";
import createClient, { type Client } from "openapi-fetch";
import { createImsClient, type ImsAuth, type ImsClient, type ImsClientOptions } from "../client/index.js";
import type { components, paths as ControlPaths } from "../generated/control-openapi.js";
import { CREATE_APP_EXTRAS, createApp, shareRequestPrototypes, type CreateAppOptions } from "./app.js";
import { checkOptions, ConfigError, DEFAULT_PROJECT_ID, isObject, settingKeys } from "./config.js";
import { serve } from "./http/serve.js";
import { warmUp } from "./warm-up.js";

export type { ControlPaths };
export type JournalEntry = components["schemas"]["JournalEntry"];
export type FaultRule = components["schemas"]["FaultRule"];

export type StartStubOptions = Omit<CreateAppOptions, "host" | "port" | "handlers" | "spec" | "docsDir"> & {
  /** How `client` authenticates: by default a token, in the stub's project (`projectId`). */
  auth?: ImsAuth;
  /** Other options of `client` (`retry`, `fetch`). */
  clientOptions?: Omit<ImsClientOptions, "endpoint" | "auth">;
};

export type TestStub = {
  /** The stub's root, `http://127.0.0.1:<port>`. */
  url: string;
  /** This package's IMS client, pointed at the stub. */
  client: ImsClient;
  /** The control API (`/_stub/...`), typed: `control.GET("/_stub/requests", { params: { query: { operation: "ShowJob" } } })`. */
  control: Client<ControlPaths>;
  /** Stops listening and closes every connection (a delayed answer's timer with it); the port is free once it resolves. */
  close: () => Promise<void>;
};

/**
 * Starts a stub on a free loopback port. Its settings are the `ims-stub` command's (`progression`,
 * `rateLimit`, `journalSize`, `controlToken`...), except that jobs end at their first read
 * (`progression: "immediate"`) unless told otherwise, and nothing is logged.
 */
/** The settings startStub() takes: all but where it listens (a free loopback port). */
const STUB_SETTINGS = settingKeys().filter((key) => key !== "host" && key !== "port");
const { handlers: _handlers, spec: _spec, docsDir: _docsDir, ...stubExtras } = CREATE_APP_EXTRAS;
const listensItself = (_value: unknown, name: string) => {
  throw new ConfigError(`${name} is not an option of startStub(): it listens on a free loopback port, and its url says which`);
};
const START_STUB_EXTRAS = { ...stubExtras, auth: isObject, clientOptions: isObject, host: listensItself, port: listensItself };

export async function startStub(options: StartStubOptions = {}): Promise<TestStub> {
  // Refused here, before anything listens: `{ progresion: "per-poll" }` names progression.
  checkOptions("startStub()", options, STUB_SETTINGS, START_STUB_EXTRAS);
  const { auth, clientOptions, ...settings } = options;
  // The first stub of a process compiles the contract's validators, for every stub after it.
  await warmUp();
  const app = createApp({ progression: "immediate", log: false, ...settings });
  shareRequestPrototypes(app);
  const server = await serve(app, 0, "127.0.0.1");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const control = createClient<ControlPaths>({ baseUrl: url });
  const { controlToken } = settings;
  if (controlToken !== undefined) {
    control.use({
      onRequest({ request }) {
        request.headers.set("Authorization", `Bearer ${controlToken}`);
        return request;
      },
    });
  }
  let closing: Promise<void> | undefined;
  return {
    url,
    client: createImsClient({ ...clientOptions, endpoint: url, auth: auth ?? { token: "test-token", projectId: settings.projectId ?? DEFAULT_PROJECT_ID } }),
    control,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

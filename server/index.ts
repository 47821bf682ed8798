// The stub as a library: build the app (it never listens), then serve it with IMS-shaped answers to what Node
// itself refuses. `ims-stub` (main.ts) is these two plus settings from flags and the environment.
export { createApp, type CreateAppOptions, type LogEntry, type StubApp } from "./app.js";
export { DEFAULT_CREDENTIALS, DEFAULT_PROJECT_ID, defaultSettings, readSettings, type StubSettings } from "./config.js";
export { serve } from "./http/serve.js";
export type { World } from "./ims/scenario.js";

// The emulated IMS of one stub: its jobs, what tests decided about the next ones, and nothing shared with any
// other stub in the process. The control API resets it.
import type { JobStore } from "./jobs/store.js";
import type { Scenario } from "./scenario.js";

export type ImsBackend = { jobs: JobStore; scenario: Scenario };

// The stub's settings: defaults, overridden by environment variables, overridden by command-line flags.
import { readFileSync } from "node:fs";
import { closestName } from "../client/suggest.js";
import { parseFlags } from "./cli-args.js";
import { describeUnknownFields, localRefs, unknownFields } from "./contract/near-miss.js";
import { loadSpec, schemaValidators } from "./contract/spec.js";
import { controlTokenProblem } from "./control/auth.js";
import { parseCredentials, type Credential } from "./http/auth.js";
import type { Progression } from "./ims/jobs/store.js";
import type { World } from "./ims/scenario.js";
import { openNetworkProblem } from "./network-exposure.js";

export const DEFAULT_PROJECT_ID = "0123456789abcdef0123456789abcdef";
export const DEFAULT_CREDENTIALS = `EXAMPLEAK1234567890:EXAMPLESK0987654321abcdefghijklmnopqrst:${DEFAULT_PROJECT_ID}`;

export type StubSettings = {
  host: string;
  port: number;
  projectId: string;
  credentials: Map<string, Credential>;
  jobDurationMs: number;
  progression: Progression;
  maxJobs: number;
  /** Private images each project may keep (ShowImageQuota; a create past it is IMG.0015). */
  imageQuota: number;
  bodyLimitBytes: number;
  /** `*`, one origin, or `false` for no CORS headers. */
  corsOrigin: string | false;
  world: World | undefined;
  log: boolean;
  /** Where `ims-stub` writes its process ID once it serves; removed when it exits. */
  pidFile: string | undefined;
  /** The provider the validating proxy forwards to; the stub answers by itself without it. */
  upstream: string | undefined;
  upstreamStrict: boolean;
  upstreamTimeoutMs: number;
  /** The bearer token the control API needs (health aside); without one it is open. */
  controlToken: string | undefined;
  /** Off loopback: serve without a control token or with the published AK/SK pair all the same. */
  allowOpenNetwork: boolean;
  /** Requests a second each project may make before the gateway's 429 (APIG.0308); 0 is no limit. */
  rateLimit: number;
  /** How many requests the request journal keeps (`GET /_stub/requests`); 0 keeps none. */
  journalSize: number;
};

/** Each setting: its flag, its environment variable, its default and what it means (for --help and the README). */
const SETTINGS = {
  host: { env: "HOST", default: "127.0.0.1", help: "address to listen on" },
  port: { env: "PORT", default: "8080", help: "port to listen on (0 picks a free one)" },
  "project-id": { env: "IMS_STUB_PROJECT_ID", default: DEFAULT_PROJECT_ID, help: "project of X-Auth-Token callers" },
  credentials: { env: "IMS_STUB_CREDENTIALS", default: DEFAULT_CREDENTIALS, help: "accepted AK/SK pairs, AK:SK:PROJECT_ID[,...]" },
  "job-duration-ms": { env: "IMS_STUB_JOB_DURATION_MS", default: "3000", help: "how long a timed job takes from INIT to its end" },
  progression: { env: "IMS_STUB_PROGRESSION", default: "timed", help: "how jobs advance: timed, immediate or per-poll" },
  "max-jobs": { env: "IMS_STUB_MAX_JOBS", default: "10000", help: "jobs retained; the oldest finished job is evicted first" },
  "image-quota": { env: "IMS_STUB_IMAGE_QUOTA", default: "10000", help: "private images each project may keep (a create past it: IMG.0015)" },
  "body-limit": { env: "IMS_STUB_BODY_LIMIT", default: "1048576", help: "largest request body, in bytes (413 above)" },
  "cors-origin": { env: "IMS_STUB_CORS_ORIGIN", default: "*", help: "Access-Control-Allow-Origin, or 'off'" },
  world: { env: "IMS_STUB_WORLD", default: "", help: "JSON file of known servers, volumes and files" },
  log: { env: "IMS_STUB_LOG", default: "json", help: "request log: json (one line per request on stdout) or off" },
  "pid-file": { env: "IMS_STUB_PID_FILE", default: "", help: "file to write the process ID to once serving (removed on exit)" },
  "control-token": { env: "IMS_STUB_CONTROL_TOKEN", default: "", help: "bearer token every control call but /_stub/health needs (16+ characters)" },
  upstream: { env: "IMS_STUB_UPSTREAM", default: "", help: "validating proxy: forward every request to this provider and check both directions" },
  "upstream-timeout-ms": { env: "IMS_STUB_UPSTREAM_TIMEOUT_MS", default: "30000", help: "with --upstream: how long to wait for an answer (504 after)" },
  "rate-limit": { env: "IMS_STUB_RATE_LIMIT", default: "0", help: "requests a second per project before a 429 APIG.0308 with Retry-After (0: no limit)" },
  "journal-size": { env: "IMS_STUB_JOURNAL_SIZE", default: "1000", help: "requests the journal keeps for GET /_stub/requests (0: none)" },
} as const;

/** On/off settings: a flag without a value, or the environment variable set to true. */
const SWITCHES = {
  "upstream-strict": { env: "IMS_STUB_UPSTREAM_STRICT", help: "with --upstream: refuse invalid requests, 502 for off-contract answers" },
  "allow-open-network": { env: "IMS_STUB_ALLOW_OPEN_NETWORK", help: "off loopback, start without a control token or with the published AK/SK pair" },
} as const;

type SettingName = keyof typeof SETTINGS;

export class ConfigError extends Error {
  /** `showHelp: false` for a refusal whose message already names the fix. */
  constructor(
    message: string,
    readonly showHelp = true,
  ) {
    super(message);
  }
}

function wholeNumber(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${value}"`);
  return n;
}

const WORLD_SHAPE = '{"servers": [...], "volumes": [...], "files": [...]}, as PUT /_stub/world takes';

/** The world file, checked against the control API's World schema: a misspelt key would silently empty the world. */
function readWorld(path: string, source: string): World {
  let world: unknown;
  try {
    world = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(`${source} ${path}: ${(error as Error).message}`);
  }
  const controlSpec = loadSpec("control-openapi");
  const unknown = describeUnknownFields(unknownFields(controlSpec.components.schemas.World, world, localRefs(controlSpec)), "a world");
  if (unknown) throw new ConfigError(`${source} ${path}: ${unknown} A world is ${WORLD_SHAPE}.`);
  const validate = schemaValidators(controlSpec)("World");
  if (!validate(world)) {
    const [first] = validate.errors ?? [];
    const where = first?.instancePath.slice(1).replaceAll("/", ".") || "the world";
    throw new ConfigError(`${source} ${path}: ${where} ${first?.message ?? "is not a world"}. A world is ${WORLD_SHAPE}.`);
  }
  return world as World;
}

/** `, not "perpoll"; did you mean per-poll?` */
function notOneOf(value: string, allowed: readonly string[]): string {
  const closest = closestName(value, allowed);
  return `, not ${JSON.stringify(value)}${closest ? `; did you mean ${closest}?` : ""}`;
}

export function helpText(): string {
  const rows = Object.entries(SETTINGS).map(
    ([flag, s]) => `  --${flag.padEnd(19)} ${s.env.padEnd(28)} ${s.help}${s.default ? ` (default ${s.default.length > 40 ? "see README" : s.default})` : ""}`,
  );
  const switches = Object.entries(SWITCHES).map(([flag, s]) => `  --${flag.padEnd(19)} ${s.env.padEnd(28)} ${s.help}`);
  const intro = [
    "Serves the IMS CreateImage stub. Each option also reads its environment variable.",
    "Off loopback (anything but 127.0.0.0/8, ::1 and localhost) it needs --control-token and its own --credentials.",
  ];
  return ["Usage: ims-stub [options]", "", ...intro, "", ...rows, ...switches, `  ${"--help".padEnd(21)} ${"".padEnd(28)} this text`].join("\n");
}

export function readSettings(argv: string[], env: NodeJS.ProcessEnv): StubSettings | "help" {
  const values = parseFlags("ims-stub", argv, {
    ...Object.fromEntries(Object.keys(SETTINGS).map((flag) => [flag, { type: "string" as const }])),
    ...Object.fromEntries(Object.keys(SWITCHES).map((flag) => [flag, { type: "boolean" as const }])),
    help: { type: "boolean" },
  });
  if (values.help) return "help";
  const flags = values as Record<string, string | boolean | undefined>;
  const get = (name: SettingName): string => (flags[name] as string | undefined) ?? env[SETTINGS[name].env] ?? SETTINGS[name].default;
  /** Where a setting's value came from, to name in a refusal: `--port`, or `PORT (from the environment)`. */
  const source = (name: SettingName): string =>
    flags[name] !== undefined ? `--${name}` : env[SETTINGS[name].env] !== undefined ? `${SETTINGS[name].env} (from the environment)` : name;
  const progression = get("progression");
  const progressions = ["timed", "immediate", "per-poll"];
  if (!progressions.includes(progression)) throw new ConfigError(`${source("progression")} must be timed, immediate or per-poll${notOneOf(progression, progressions)}`);
  const log = get("log");
  if (log !== "json" && log !== "off") throw new ConfigError(`${source("log")} must be json or off${notOneOf(log, ["json", "off"])}`);
  let credentials: Map<string, Credential>;
  try {
    credentials = parseCredentials(get("credentials"));
  } catch (error) {
    throw new ConfigError(`${source("credentials")}: ${(error as Error).message}`);
  }
  const cors = get("cors-origin");
  const upstream = get("upstream");
  if (upstream && !/^https?:\/\/[^/]/.test(upstream)) {
    const withScheme = upstream.includes("://") ? "" : `; did you mean https://${upstream}?`;
    throw new ConfigError(`${source("upstream")} must be an http:// or https:// URL, not "${upstream}"${withScheme}`);
  }
  const upstreamStrict = flags["upstream-strict"] === true || /^(true|1|yes)$/i.test(env[SWITCHES["upstream-strict"].env] ?? "");
  // Set but empty is refused, not taken as unset: a CI secret that did not arrive must not open the control API.
  const controlToken = (flags["control-token"] as string | undefined) ?? env[SETTINGS["control-token"].env];
  const tokenProblem = controlToken === undefined ? undefined : controlTokenProblem(controlToken);
  if (tokenProblem) throw new ConfigError(tokenProblem, false);
  const allowOpenNetwork = flags["allow-open-network"] === true || /^(true|1|yes)$/i.test(env[SWITCHES["allow-open-network"].env] ?? "");
  const host = get("host");
  const networkProblem = openNetworkProblem({ host, controlToken, credentials, allowOpenNetwork }, parseCredentials(DEFAULT_CREDENTIALS));
  if (networkProblem) throw new ConfigError(networkProblem, false);
  return {
    host,
    port: wholeNumber(source("port"), get("port"), 0, 65535),
    projectId: get("project-id"),
    credentials,
    jobDurationMs: wholeNumber(source("job-duration-ms"), get("job-duration-ms"), 0, 86_400_000),
    progression: progression as Progression,
    maxJobs: wholeNumber(source("max-jobs"), get("max-jobs"), 1, 10_000_000),
    imageQuota: wholeNumber(source("image-quota"), get("image-quota"), 0, 10_000_000),
    bodyLimitBytes: wholeNumber(source("body-limit"), get("body-limit"), 1, 100 * 1024 * 1024),
    corsOrigin: cors === "off" ? false : cors,
    world: get("world") ? readWorld(get("world"), source("world")) : undefined,
    log: log === "json",
    pidFile: get("pid-file") || undefined,
    upstream: upstream || undefined,
    upstreamStrict,
    upstreamTimeoutMs: wholeNumber(source("upstream-timeout-ms"), get("upstream-timeout-ms"), 1, 600_000),
    controlToken,
    allowOpenNetwork,
    rateLimit: wholeNumber("rate-limit", get("rate-limit"), 0, 1_000_000),
    journalSize: wholeNumber("journal-size", get("journal-size"), 0, 1_000_000),
  };
}

/** The embedded default configuration, as `npm start` runs with no environment. */
export function defaultSettings(): StubSettings {
  return readSettings([], {}) as StubSettings;
}

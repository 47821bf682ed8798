// The stub's settings, one schema for every door: the command line (`--job-duration-ms`), the environment
// (`IMS_STUB_JOB_DURATION_MS`) and the options of `createApp()` and `startStub()` (`jobDurationMs`) are read and
// checked by the same code, with the same messages, each naming the setting as its door spells it. `ims-stub
// --help` and the README's settings table are written from it too. A value the schema takes is one the stub can
// run with: none makes it answer 5xx later.
import { readFileSync } from "node:fs";
import type { ValidateFunction } from "ajv";
import { closestName } from "../client/suggest.js";
import { parseFlags } from "./cli-args.js";
import { controlContract } from "./contract/compiled.js";
import { describeUnknownFields, localRefs, unknownFields } from "./contract/near-miss.js";
import { schemaValidators } from "./contract/spec.js";
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

export class ConfigError extends Error {
  /** `showHelp: false` for a refusal whose message already names the fix. */
  constructor(
    message: string,
    readonly showHelp = true,
  ) {
    super(message);
  }
}

/** A value as a refusal shows it: text quoted, numbers as they are (`-5`, `1.5`, `NaN`), anything else by its type. */
function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** `, not "perpoll"; did you mean per-poll?` */
function notOneOf(value: unknown, allowed: readonly string[]): string {
  const closest = typeof value === "string" ? closestName(value, allowed) : undefined;
  return `, not ${shown(value)}${closest ? `; did you mean ${closest}?` : ""}`;
}

/**
 * How one setting is read and checked. `fromText` reads the command line's and the environment's text;
 * `check` takes the typed value of an option; both refuse with the setting named as its door spells it (`name`).
 */
type Kind<T> = { fromText(text: string, name: string): T; check(value: unknown, name: string): T };

function wholeNumber(min: number, max: number): Kind<number> {
  const refuse = (name: string, value: unknown) => new ConfigError(`${name} must be a whole number from ${min} to ${max}, not ${shown(value)}`);
  const check = (value: unknown, name: string) => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) throw refuse(name, value);
    return value;
  };
  return {
    fromText(text, name) {
      const n = Number(text);
      if (!/^\d+$/.test(text) || n < min || n > max) throw refuse(name, text);
      return n;
    },
    check,
  };
}

function oneOf<T extends string>(values: readonly T[], words: string): Kind<T> {
  const check = (value: unknown, name: string) => {
    if (!values.includes(value as T)) throw new ConfigError(`${name} must be ${words}${notOneOf(value, values)}`);
    return value as T;
  };
  return { fromText: check, check };
}

/** On or off: a flag alone, an environment variable `true`/`false` (or 1/0, yes/no), an option `true`/`false`. */
const onOff: Kind<boolean> = {
  fromText(text, name) {
    if (/^(true|1|yes)$/i.test(text)) return true;
    if (/^(false|0|no)?$/i.test(text)) return false;
    throw new ConfigError(`${name} must be true or false, not ${shown(text)}`);
  },
  check(value, name) {
    if (typeof value !== "boolean") throw new ConfigError(`${name} must be true or false, not ${shown(value)}`);
    return value;
  },
};

function text(pattern: RegExp, words: string): Kind<string> {
  const check = (value: unknown, name: string) => {
    if (typeof value !== "string" || !pattern.test(value)) throw new ConfigError(`${name} must be ${words}, not ${shown(value)}`);
    return value;
  };
  return { fromText: check, check };
}

/** Text that may be left empty (unset): undefined then. */
function optional<T>(kind: Kind<T>): Kind<T | undefined> {
  return { fromText: (value, name) => (value === "" ? undefined : kind.fromText(value, name)), check: (value, name) => (value === undefined ? undefined : kind.check(value, name)) };
}

const upstreamUrl: Kind<string | undefined> = optional({
  fromText(value, name) {
    return upstreamUrl.check(value, name) as string;
  },
  check(value, name) {
    if (typeof value !== "string" || !/^https?:\/\/[^/\s]/.test(value)) {
      const withScheme = typeof value === "string" && !value.includes("://") ? `; did you mean https://${value}?` : "";
      throw new ConfigError(`${name} must be an http:// or https:// URL, not ${shown(value)}${withScheme}`);
    }
    return value;
  },
});

/** Set but empty is refused, not taken as unset: a CI secret that did not arrive must not open the control API. */
const controlToken: Kind<string | undefined> = {
  fromText: (value, name) => controlToken.check(value, name),
  check(value, name) {
    if (value === undefined) return undefined;
    if (typeof value !== "string") throw new ConfigError(`${name} must be text of ${16} or more printable ASCII characters, not ${shown(value)}`);
    const problem = controlTokenProblem(value);
    if (problem) throw new ConfigError(problem, false);
    return value;
  },
};

const credentials: Kind<Map<string, Credential>> = {
  fromText(value, name) {
    try {
      return parseCredentials(value);
    } catch (error) {
      throw new ConfigError(`${name}: ${(error as Error).message}`);
    }
  },
  check(value, name) {
    const pair = (entry: unknown): entry is Credential =>
      typeof entry === "object" && entry !== null && typeof (entry as Credential).sk === "string" && (entry as Credential).sk !== "" && typeof (entry as Credential).projectId === "string" && (entry as Credential).projectId !== "";
    if (!(value instanceof Map) || [...value].some(([ak, entry]) => typeof ak !== "string" || ak === "" || !pair(entry))) {
      throw new ConfigError(`${name} must be a Map of AK to { sk, projectId } (non-empty strings), not ${shown(value)}`);
    }
    // A copy: the stub keeps its own, whatever the caller does with theirs afterwards.
    return new Map(value as Map<string, Credential>);
  },
};

const corsOrigin: Kind<string | false> = {
  fromText: (value, name) => (value === "off" ? false : corsOrigin.check(value, name)),
  check(value, name) {
    // The header's value as given: a line break or a path would make every answer fail or never match.
    if (value === false || value === "*" || (typeof value === "string" && /^[a-z][a-z0-9+.-]*:\/\/[^\s/]+$/i.test(value))) return value;
    throw new ConfigError(`${name} must be *, an origin such as https://app.example.com, or ${name.startsWith("-") || name.includes("(") ? "off" : "false"}, not ${shown(value)}`);
  },
};

const WORLD_SHAPE = '{"servers": [...], "volumes": [...], "files": [...]}, as PUT /_stub/world takes';
let worldValidator: ValidateFunction | undefined;

/** Checked against the control API's World schema: a misspelt key would silently empty the world. */
function checkWorld(world: unknown, where: string): World {
  const spec = controlContract();
  const unknown = describeUnknownFields(unknownFields(spec.components.schemas.World, world, localRefs(spec)), "a world");
  if (unknown) throw new ConfigError(`${where}: ${unknown} A world is ${WORLD_SHAPE}.`);
  worldValidator ??= schemaValidators(spec)("World");
  if (!worldValidator(world)) {
    const [first] = worldValidator.errors ?? [];
    const at = first?.instancePath.slice(1).replaceAll("/", ".") || "the world";
    throw new ConfigError(`${where}: ${at} ${first?.message ?? "is not a world"}. A world is ${WORLD_SHAPE}.`);
  }
  return structuredClone(world) as World;
}

/** On the command line and in the environment, the path of a JSON file; as an option, the world itself. */
const world: Kind<World | undefined> = {
  fromText(path, name) {
    if (path === "") return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new ConfigError(`${name} ${path}: ${(error as Error).message}`);
    }
    return checkWorld(parsed, `${name} ${path}`);
  },
  check: (value, name) => (value === undefined ? undefined : checkWorld(value, name)),
};

type Setting<K extends keyof StubSettings> = {
  /** The flag, without its `--`. */
  flag: string;
  env: string;
  /** The default, as the command line would give it; undefined: unset. */
  default?: string;
  /** The default as the README and --help show it, where the text alone would not say it. */
  shownDefault?: string;
  /** A switch: a flag without a value. */
  isSwitch?: true;
  /** What it does, in the README's words (Markdown: `code` and links are kept there, dropped from --help). */
  meaning: string;
  kind: Kind<StubSettings[K]>;
};

/** Every setting, in the order --help and the README list them. */
export const SETTINGS: { readonly [K in keyof StubSettings]: Setting<K> } = {
  host: {
    flag: "host",
    env: "HOST",
    default: "127.0.0.1",
    meaning: "address to listen on; anything but loopback (127.0.0.0/8, `::1`, `localhost`) needs `--control-token` and `--credentials`",
    kind: text(/^[^\s/]*$/, "a host name or an IP address"),
  },
  port: { flag: "port", env: "PORT", default: "8080", meaning: "port (`0` picks a free one; the URL is printed)", kind: wholeNumber(0, 65535) },
  projectId: {
    flag: "project-id",
    env: "IMS_STUB_PROJECT_ID",
    default: DEFAULT_PROJECT_ID,
    meaning: "the project of X-Auth-Token callers",
    // What a path's {project_id} can hold (1 to 64 characters), and never a `/`.
    kind: text(/^[\w.-]{1,64}$/, "a project ID of 1 to 64 letters, digits, '.', '-' or '_'"),
  },
  credentials: { flag: "credentials", env: "IMS_STUB_CREDENTIALS", default: DEFAULT_CREDENTIALS, meaning: "accepted AK/SK pairs, `AK:SK:PROJECT_ID[,AK:SK:PROJECT_ID...]`", kind: credentials },
  jobDurationMs: { flag: "job-duration-ms", env: "IMS_STUB_JOB_DURATION_MS", default: "3000", meaning: "how long a timed job takes from `INIT` to its end", kind: wholeNumber(0, 86_400_000) },
  progression: {
    flag: "progression",
    env: "IMS_STUB_PROGRESSION",
    default: "timed",
    meaning: "`timed`, `immediate` (final at once) or `per-poll` (one step per read)",
    kind: oneOf(["timed", "immediate", "per-poll"], "timed, immediate or per-poll"),
  },
  maxJobs: {
    flag: "max-jobs",
    env: "IMS_STUB_MAX_JOBS",
    default: "10000",
    meaning: "jobs retained; the oldest finished job is evicted first, and a create is refused with `IMG.0060` rather than drop a running job",
    kind: wholeNumber(1, 10_000_000),
  },
  imageQuota: {
    flag: "image-quota",
    env: "IMS_STUB_IMAGE_QUOTA",
    default: "10000",
    meaning: "private images each project keeps (ShowImageQuota); a create past it is refused with `IMG.0015`; images are never evicted",
    kind: wholeNumber(0, 10_000_000),
  },
  bodyLimitBytes: { flag: "body-limit", env: "IMS_STUB_BODY_LIMIT", default: "1048576", meaning: "largest body in bytes (`413` above)", kind: wholeNumber(1, 100 * 1024 * 1024) },
  corsOrigin: { flag: "cors-origin", env: "IMS_STUB_CORS_ORIGIN", default: "*", meaning: "`Access-Control-Allow-Origin`, or `off`", kind: corsOrigin },
  world: { flag: "world", env: "IMS_STUB_WORLD", meaning: "a JSON file of known servers, volumes and files (see the control API)", kind: world },
  log: {
    flag: "log",
    env: "IMS_STUB_LOG",
    default: "json",
    meaning: "one JSON line per request on stdout, or `off`",
    kind: {
      fromText: (value, name) => oneOf(["json", "off"], "json or off").fromText(value, name) === "json",
      check: onOff.check,
    },
  },
  pidFile: {
    flag: "pid-file",
    env: "IMS_STUB_PID_FILE",
    meaning: "write the process ID to this file once serving (removed on exit), to stop the stub with `kill`",
    kind: optional(text(/^[^\0]+$/, "a file path")),
  },
  controlToken: {
    flag: "control-token",
    env: "IMS_STUB_CONTROL_TOKEN",
    meaning: "the bearer token every control call but `GET /_stub/health` needs: 16 or more printable ASCII characters; an empty or shorter one is refused at start",
    kind: controlToken,
  },
  allowOpenNetwork: {
    flag: "allow-open-network",
    env: "IMS_STUB_ALLOW_OPEN_NETWORK",
    isSwitch: true,
    shownDefault: "off",
    meaning: "off loopback, start all the same without a control token or with the published AK/SK pair",
    kind: onOff,
  },
  upstream: { flag: "upstream", env: "IMS_STUB_UPSTREAM", meaning: "be a validating proxy in front of this provider (see below)", kind: upstreamUrl },
  upstreamStrict: {
    flag: "upstream-strict",
    env: "IMS_STUB_UPSTREAM_STRICT",
    isSwitch: true,
    shownDefault: "off",
    meaning: "with `--upstream`: refuse invalid requests, `502` for off-contract answers",
    kind: onOff,
  },
  upstreamTimeoutMs: {
    flag: "upstream-timeout-ms",
    env: "IMS_STUB_UPSTREAM_TIMEOUT_MS",
    default: "30000",
    meaning: "with `--upstream`: how long to wait for an answer (`504` after)",
    kind: wholeNumber(1, 600_000),
  },
  rateLimit: {
    flag: "rate-limit",
    env: "IMS_STUB_RATE_LIMIT",
    default: "0",
    shownDefault: "`0` (off)",
    meaning: "requests a second each project may make; past it, `429` `APIG.0308` with `Retry-After` (see [Throttling](#throttling))",
    kind: wholeNumber(0, 1_000_000),
  },
  journalSize: {
    flag: "journal-size",
    env: "IMS_STUB_JOURNAL_SIZE",
    default: "1000",
    meaning: "requests the request journal keeps (`GET /_stub/requests`); `0` keeps none",
    kind: wholeNumber(0, 1_000_000),
  },
};

type SettingKey = keyof StubSettings;
const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];
const settingOf = <K extends SettingKey>(key: K): Setting<K> => SETTINGS[key] as Setting<K>;

/** Markdown to plain text: `code` without its backticks, a link as its words. */
const plain = (markdown: string) => markdown.replace(/\[([^\]]+)\]\([^)]*\)/g, "$1").replaceAll("`", "");

/** The default as --help and the README show it: the value, `none` when unset, `off` for a switch. */
const defaultOf = (setting: Setting<SettingKey>) => setting.shownDefault ?? (setting.default === undefined ? "none" : `\`${setting.default}\``);

/** The README's settings table, from the schema. */
export function settingsTable(): string {
  const rows = SETTING_KEYS.map((key) => {
    const s = settingOf(key);
    return `| \`--${s.flag}\` | \`${s.env}\` | ${defaultOf(s)} | ${s.meaning} |`;
  });
  return ["| flag | environment | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

/** Words to lines of at most `width` characters. */
function wrap(words: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of words.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

export function helpText(): string {
  const rows = SETTING_KEYS.flatMap((key) => {
    const s = settingOf(key);
    const fallback = plain(defaultOf(s));
    const head = `  --${s.flag}${s.isSwitch ? "" : " VALUE"}`.padEnd(30) + s.env;
    const defaultNote = s.isSwitch ? "" : ` (default: ${fallback.length > 40 ? "the published example pair" : fallback})`;
    return [head, ...wrap(`${plain(s.meaning)}${defaultNote}`, 90).map((line) => `      ${line}`)];
  });
  const intro = [
    "Serves the IMS CreateImage stub. Each option also reads its environment variable (the flag wins).",
    "Off loopback (anything but 127.0.0.0/8, ::1 and localhost) it needs --control-token and its own --credentials.",
  ];
  return ["Usage: ims-stub [options]", "", ...intro, "", ...rows, `  --help`, "      this text"].join("\n");
}

/** Refuses settings that are fine one by one but not together: served off loopback without protection. */
function checkExposure(settings: StubSettings): void {
  const problem = openNetworkProblem(settings, parseCredentials(DEFAULT_CREDENTIALS));
  if (problem) throw new ConfigError(problem, false);
}

const ENV_PREFIX = "IMS_STUB_";

export function readSettings(argv: string[], env: NodeJS.ProcessEnv): StubSettings | "help" {
  const values = parseFlags("ims-stub", argv, {
    ...Object.fromEntries(SETTING_KEYS.map((key) => [settingOf(key).flag, { type: settingOf(key).isSwitch ? ("boolean" as const) : ("string" as const) }])),
    help: { type: "boolean" },
  });
  if (values.help) return "help";
  // A misspelt variable of the stub's own would be ignored silently; one near none of them is someone else's.
  const envNames = SETTING_KEYS.map((key) => settingOf(key).env);
  for (const name of Object.keys(env)) {
    if (!name.startsWith(ENV_PREFIX) || envNames.includes(name)) continue;
    // Compared without the prefix they all share: IMS_STUB_URL is not a near miss of IMS_STUB_WORLD.
    const ours = envNames.filter((known) => known.startsWith(ENV_PREFIX)).map((known) => known.slice(ENV_PREFIX.length));
    const closest = closestName(name.slice(ENV_PREFIX.length), ours);
    if (closest) throw new ConfigError(`unknown environment variable ${name}; did you mean ${ENV_PREFIX}${closest}? (ims-stub --help lists every variable)`);
  }
  const settings = {} as Record<SettingKey, unknown>;
  for (const key of SETTING_KEYS) {
    const s = settingOf(key);
    const flag = values[s.flag];
    if (flag !== undefined) settings[key] = s.isSwitch ? true : s.kind.fromText(flag as string, `--${s.flag}`);
    else if (env[s.env] !== undefined) settings[key] = s.kind.fromText(env[s.env]!, `${s.env} (from the environment)`);
    else settings[key] = s.default === undefined ? (s.isSwitch ? false : undefined) : s.kind.fromText(s.default, s.flag);
  }
  checkExposure(settings as StubSettings);
  return settings as StubSettings;
}

let defaults: StubSettings | undefined;

/** The embedded default configuration, as `npm start` runs with no environment (a fresh copy each call). */
export function defaultSettings(): StubSettings {
  defaults ??= readSettings([], {}) as StubSettings;
  return { ...defaults, credentials: new Map(defaults.credentials) };
}

/** What an options object of `createApp()` or `startStub()` takes besides the settings, each with its check. */
export type ExtraOptions = Record<string, (value: unknown, name: string) => void>;

export const isFunction = (value: unknown, name: string) => {
  if (typeof value !== "function") throw new ConfigError(`${name} must be a function, not ${shown(value)}`);
};
export const isObject = (value: unknown, name: string) => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ConfigError(`${name} must be an object, not ${shown(value)}`);
};
export const isText = (value: unknown, name: string) => {
  if (typeof value !== "string" || value === "") throw new ConfigError(`${name} must be a non-empty string, not ${shown(value)}`);
};
export const isWholeNumber = (value: unknown, name: string) => void wholeNumber(0, Number.MAX_SAFE_INTEGER).check(value, name);

/**
 * The settings an options object gives, checked as the command line's are: an unknown name is refused with the
 * nearest known one, a wrong type or a value out of range with the option named (`door` says whose options they
 * are: `startStub()`). Options left undefined are left out. `settingKeys`: the settings this door takes.
 */
export function checkOptions(door: string, options: object, settingKeys: readonly SettingKey[], extras: ExtraOptions): Partial<StubSettings> {
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw new ConfigError(`${door}: the options must be an object, not ${shown(options)}`);
  const known = [...settingKeys, ...Object.keys(extras)];
  const checked: Partial<Record<SettingKey, unknown>> = {};
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const extra = extras[name];
    const isSetting = (settingKeys as readonly string[]).includes(name);
    if (!isSetting && !extra) {
      const closest = closestName(name, known);
      throw new ConfigError(`${door}: unknown option ${name}${closest ? `; did you mean ${closest}?` : ""} (its options are ${known.join(", ")})`);
    }
    try {
      if (isSetting) checked[name as SettingKey] = settingOf(name as SettingKey).kind.check(value, name);
      else extra!(value, name);
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigError(`${door}: ${error.message}`, error.showHelp);
      throw error;
    }
  }
  return checked as Partial<StubSettings>;
}

/** Every setting's key (the options' names). */
export const settingKeys = (): readonly SettingKey[] => SETTING_KEYS;

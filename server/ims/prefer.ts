// The Prefer request header (RFC 7240), with Prism's `code` and `example` preferences and the stub's own
// preferences for the job a create starts.
import { closestName } from "../../client/suggest.js";
import { ImsError } from "./errors.js";
import { failOutcome, type Progression } from "./jobs/store.js";
import type { JobPreferences } from "./scenario.js";

/** Most requests state no preference: they share this one empty map. */
const NO_PREFERENCES: ReadonlyMap<string, string> = new Map();

/** `code=400, example="bad type"; job-outcome=FAIL` → a map of lower-case names to unquoted values. */
export function parsePrefer(header: string | undefined): ReadonlyMap<string, string> {
  if (!header) return NO_PREFERENCES;
  const preferences = new Map<string, string>();
  const token = /\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^,;\s]*))?\s*[,;]?/gy;
  while (token.lastIndex < header.length) {
    const match = token.exec(header);
    if (!match) break;
    const [, name, raw = ""] = match;
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : raw;
    preferences.set(name!.toLowerCase(), value);
  }
  return preferences;
}

const PROGRESSIONS: readonly Progression[] = ["timed", "immediate", "per-poll"];

function preferenceError(detail: string): ImsError {
  return new ImsError("IMG.0001", `Prefer: ${detail}`);
}

/** The preferences the stub acts on; RFC 7240's own (return, respond-async, wait, handling) it takes and ignores. */
const STUB_PREFERENCES = ["code", "example", "job-outcome", "job-error-code", "job-fail-reason", "job-duration", "job-progression", "fault", "delay"];
const STANDARD_PREFERENCES = new Set(["return", "respond-async", "wait", "handling"]);

/**
 * A preference the stub does not know is ignored, as RFC 7240 says, unless it is a near miss of one the stub
 * acts on (`job_outcome`, `outcome`): ignoring that would quietly make a job the test did not ask for.
 */
function refuseNearMisses(preferences: ReadonlyMap<string, string>): void {
  for (const name of preferences.keys()) {
    if (STUB_PREFERENCES.includes(name) || STANDARD_PREFERENCES.has(name)) continue;
    const meant = closestName(name, STUB_PREFERENCES);
    if (meant) throw preferenceError(`${name} is not a preference of the stub; did you mean ${meant}?`);
  }
}

export function jobPreferences(preferences: ReadonlyMap<string, string>): JobPreferences {
  refuseNearMisses(preferences);
  const result: JobPreferences = {};
  const outcome = preferences.get("job-outcome");
  const errorCode = preferences.get("job-error-code");
  const failReason = preferences.get("job-fail-reason");
  if (outcome !== undefined && outcome !== "SUCCESS" && outcome !== "FAIL") throw preferenceError("job-outcome must be SUCCESS or FAIL.");
  if (errorCode !== undefined && !/^IMG\.\d{4}$/.test(errorCode)) throw preferenceError("job-error-code must look like IMG.0005.");
  if (outcome === "FAIL" || ((errorCode !== undefined || failReason !== undefined) && outcome === undefined)) {
    result.outcome = failOutcome(errorCode ?? "IMG.0018", failReason || undefined);
  } else if (outcome === "SUCCESS") {
    result.outcome = { status: "SUCCESS" };
  }
  const progression = preferences.get("job-progression");
  if (progression !== undefined) {
    if (!PROGRESSIONS.includes(progression as Progression)) throw preferenceError(`job-progression must be one of ${PROGRESSIONS.join(", ")}.`);
    result.progression = progression as Progression;
  }
  const duration = preferences.get("job-duration");
  if (duration !== undefined) {
    if (!/^\d{1,8}$/.test(duration)) throw preferenceError("job-duration must be a whole number of milliseconds up to 99999999.");
    result.durationMs = Number(duration);
  }
  return result;
}

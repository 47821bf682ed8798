// "Did you mean …?": the known name closest to one that is not known, for the client's options, the stub's
// refusals of unknown body fields and the command lines' unknown flags alike.
import { closestMatch } from "leven";

/** Case, `_` and `-` do not count: `instanceId`, `instance-id` and `INSTANCE_ID` all fold to `instanceid`. */
export const foldName = (name: string): string => name.toLowerCase().replace(/[-_]/g, "");

/**
 * The known name that `name` most likely meant, or undefined when none is close: the same name but for case,
 * `_` and `-`; else one a few edits away (Levenshtein, scaled to the name's length); else the only known name
 * that it starts, or that starts it (`maxWait` → `maxWaitTime`, `--job-duration` → `--job-duration-ms`).
 */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  const target = foldName(name);
  const byFolded = new Map<string, string>();
  for (const candidate of known) if (!byFolded.has(foldName(candidate))) byFolded.set(foldName(candidate), candidate);
  if (!target || byFolded.size === 0) return undefined;
  const exact = byFolded.get(target);
  if (exact !== undefined) return exact;
  const maxDistance = target.length <= 3 ? 1 : target.length <= 6 ? 2 : 3;
  const close = closestMatch(target, [...byFolded.keys()], { maxDistance });
  if (close !== undefined) return byFolded.get(close);
  if (target.length < 4) return undefined;
  const cut = [...byFolded.keys()].filter((candidate) => candidate.length >= 4 && (candidate.startsWith(target) || target.startsWith(candidate)));
  return cut.length === 1 ? byFolded.get(cut[0]!) : undefined;
}

/** `; did you mean instance_id?`, or nothing. */
export function didYouMean(name: string, known: Iterable<string>, format: (name: string) => string = (n) => n): string {
  const suggestion = closestName(name, known);
  return suggestion === undefined ? "" : `; did you mean ${format(suggestion)}?`;
}

// The command lines' flags, read with node:util's parseArgs, with refusals that say what was wrong and what would
// be right: the closest flag to an unknown one, a flag that needs a value, a switch given one. (parseArgs's own
// strict errors are terse and differ between Node versions: "Unknown option '--prot'".)
import { parseArgs, type ParseArgsConfig } from "node:util";
import { closestName } from "../client/suggest.js";

type FlagOptions = NonNullable<ParseArgsConfig["options"]>;

/** A command line the command cannot run with; the message says what to change. */
export class UsageError extends Error {}

function unknownFlag(command: string, rawName: string, name: string, options: FlagOptions): UsageError {
  const flags = Object.keys(options);
  if (!rawName.startsWith("--")) {
    const starting = flags.filter((flag) => flag.startsWith(name)).map((flag) => `--${flag}`);
    const meant = starting.length ? `; did you mean ${starting.length === 1 ? starting[0] : `one of ${starting.join(", ")}`}?` : "";
    return new UsageError(`unknown option ${rawName}: ${command} has long options only${meant}`);
  }
  const closest = closestName(name, flags);
  return new UsageError(`unknown option ${rawName}${closest ? `; did you mean --${closest}?` : ""} (${command} --help lists every option)`);
}

/**
 * The flags' values, as parseArgs reads them (`--flag value` and `--flag=value`), or a UsageError naming the
 * first flag that is unknown, lacks its value or has one it does not take, or an argument that is not a flag.
 */
export function parseFlags(command: string, args: string[], options: FlagOptions): Record<string, string | boolean | string[] | undefined> {
  const { values, tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === "positional") {
      const port = /^\d+$/.test(token.value) && "port" in options ? `; did you mean --port ${token.value}?` : "";
      throw new UsageError(`unexpected argument ${JSON.stringify(token.value)}: ${command} takes options only${port}`);
    }
    if (token.kind !== "option") continue;
    const option = options[token.name];
    if (!option) throw unknownFlag(command, token.rawName, token.name, options);
    if (option.type === "string") {
      if (token.value === undefined || (!token.inlineValue && token.value.startsWith("--"))) {
        const got = token.value === undefined ? "" : ` (got the next option, ${token.value})`;
        throw new UsageError(`${token.rawName} needs a value, as in ${token.rawName} VALUE or ${token.rawName}=VALUE${got}`);
      }
    } else if (token.inlineValue) {
      throw new UsageError(`${token.rawName} is a switch and takes no value (got ${token.rawName}=${token.value}): give ${token.rawName} alone to turn it on`);
    }
  }
  return values;
}

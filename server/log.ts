// The request log: one JSON line per entry. Lines are gathered and written once per turn of the event loop:
// on Linux a write to a pipe or a file is synchronous, and one write per request held every request up.
import type { Writable } from "node:stream";

export type LogEntry = Record<string, string | number | undefined>;

export function jsonLineLogger(stream: Writable = process.stdout): (entry: LogEntry) => void {
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const text = pending.join("");
    pending = [];
    stream.write(text);
  };
  process.once("exit", flush);
  return (entry) => {
    if (pending.length === 0) setImmediate(flush);
    pending.push(`${JSON.stringify(entry)}\n`);
  };
}

// The request log: one JSON line per entry. Lines are gathered and written together at most 10 ms after the first
// of them: on Linux a write to a pipe or a file is synchronous, and one write per request (or per turn of a busy
// event loop) held requests up. Whatever is pending is written when the process exits.
import type { Writable } from "node:stream";

export type LogEntry = Record<string, string | number | undefined>;

const FLUSH_AFTER_MS = 10;

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
    if (pending.length === 0) setTimeout(flush, FLUSH_AFTER_MS);
    pending.push(`${JSON.stringify(entry)}\n`);
  };
}

// The request log: one JSON line per entry, on stdout. Written by sonic-boom (pino's writer) off the event loop:
// on Linux a write to a pipe or a file is synchronous, so writing there held requests up, and a write that the
// disk or a slow reader stalled held all of them. Lines that come while a write is under way go out together in
// the next one; whatever is left is written synchronously when the process exits.
// A CommonJS module: Node's default import is its module.exports, which carries the class as `SonicBoom` too.
import sonicBoom from "sonic-boom";

export type LogEntry = Record<string, string | number | undefined>;

/** Past this many unwritten bytes (a reader that stopped reading), lines are dropped rather than kept in memory. */
const MAX_UNWRITTEN_BYTES = 16 * 1024 * 1024;

export function jsonLineLogger(fd = 1): (entry: LogEntry) => void {
  const out = new sonicBoom.SonicBoom({ fd, sync: false, maxLength: MAX_UNWRITTEN_BYTES });
  let broken = false;
  // A closed stdout (EPIPE) ends the log, not the stub.
  out.on("error", () => {
    broken = true;
  });
  process.once("exit", () => {
    if (broken) return;
    try {
      out.flushSync();
    } catch {
      // Nothing more can be done at exit.
    }
  });
  return (entry) => {
    if (!broken) out.write(`${JSON.stringify(entry)}\n`);
  };
}

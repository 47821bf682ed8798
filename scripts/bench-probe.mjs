// Loaded into every benchmarked server (`node --import`): the server's own event-loop delay, which the bench asks
// for over the IPC channel around each load, and its memory, asked for around the creates that fill a stub. Tells a tail the server makes (its loop blocked: GC, synchronous
// work) from one it does not (the load generator, the kernel, the machine's neighbours).
// Plain JavaScript: it is loaded into the compiled stub and into Prism alike.
import { monitorEventLoopDelay } from "node:perf_hooks";

const delay = monitorEventLoopDelay({ resolution: 2 });
delay.enable();
process.on("message", (message) => {
  if (message === "memory") {
    // A full collection first where the server was started with --expose-gc: the heap then holds what is live.
    globalThis.gc?.();
    const { heapUsed, rss } = process.memoryUsage();
    process.send?.({ heapUsed, rss });
    return;
  }
  if (message !== "event-loop-delay") return;
  process.send?.({ p99: delay.percentile(99) / 1e6 });
  delay.reset();
});
// The IPC channel must not keep a server alive that is asked to stop.
process.channel?.unref();

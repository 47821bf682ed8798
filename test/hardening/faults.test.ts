// The stub stays healthy under its own faults: after 10,000 faulted requests (resets, empty answers, cut-off
// bodies, delays, by seeded rules) its heap, its sockets and its timers are where they were after a warm-up,
// the journal is at its bound, and closing it leaves no socket or timer behind.
import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import type { CreateImageBody } from "../../client/index.ts";
import { startStub } from "../../server/testing.ts";
import { body } from "../helpers/bodies.ts";
import { PROJECT_ID } from "../helpers/stub.ts";

v8.setFlagsFromString("--expose_gc");
const gc = vm.runInNewContext("gc") as () => void;

/** The process's heap after a full collection, and its open sockets and timers. */
function snapshot() {
  gc();
  gc();
  const resources = process.getActiveResourcesInfo();
  const count = (kind: string) => resources.filter((resource) => resource === kind).length;
  return { heapBytes: process.memoryUsage().heapUsed, sockets: count("TCPSocketWrap"), servers: count("TCPServerWrap"), timers: count("Timeout") };
}

describe("10,000 faulted requests", () => {
  it("leave the stub's memory, sockets and timers flat, and close() leaves nothing", async () => {
    const before = snapshot();
    const stub = await startStub({ progression: "per-poll", journalSize: 1000 });
    const { job_id: jobId } = await stub.client.createImage(body("volume") as CreateImageBody);
    for (const [fault, seed] of [["connection-reset", 1], ["empty-response", 2], ["malformed-body", 3]] as const) {
      await stub.control.POST("/_stub/faults", { body: { operation: "ShowJob", fault, probability: 0.25, seed } });
    }
    await stub.control.POST("/_stub/faults", { body: { operation: "ShowJob", delay_ms: 1, probability: 0.5, seed: 4 } });
    const url = `${stub.url}/v1/${PROJECT_ID}/jobs/${jobId}`;
    const seen: Record<string, number> = {};
    /** n requests, 20 at a time, each read to its end. */
    const load = async (n: number) => {
      let sent = 0;
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          while (sent++ < n) {
            const kind = await fetch(url, { headers: { "X-Auth-Token": "t" } }).then(
              (response) => response.text().then((text) => (text.endsWith("}") ? String(response.status) : "cut")),
              (error: { cause?: { code?: string } }) => error.cause?.code ?? "other",
            );
            seen[kind] = (seen[kind] ?? 0) + 1;
          }
        }),
      );
    };
    await load(2000);
    const warm = snapshot();
    await load(10_000);
    const after = snapshot();
    expect(seen).toEqual({ "200": expect.any(Number), cut: expect.any(Number), ECONNRESET: expect.any(Number), UND_ERR_SOCKET: expect.any(Number) });
    expect(seen.ECONNRESET! + seen.UND_ERR_SOCKET! + seen.cut!).toBeGreaterThan(5000);
    // A leak of 300 bytes a request would be 3 MB here.
    expect(after.heapBytes - warm.heapBytes).toBeLessThan(3_000_000);
    expect(after.sockets).toBeLessThanOrEqual(warm.sockets + 20);
    expect(after.timers).toBeLessThanOrEqual(warm.timers);
    const { data } = await stub.control.GET("/_stub/requests");
    expect(data!.requests).toHaveLength(1000);
    expect(data!.dropped).toBe(12_001 - 1000);
    await stub.close();
    // The client's idle keep-alive sockets go when the server closes them.
    await expect.poll(() => snapshot().sockets, { timeout: 5000 }).toBeLessThanOrEqual(before.sockets);
    const closed = snapshot();
    expect(closed.servers).toBe(before.servers);
    expect(closed.timers).toBeLessThanOrEqual(before.timers);
  }, 300_000); // 12,000 real requests: about a minute alone, more beside another file on a busy machine
});

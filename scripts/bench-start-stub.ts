// A stub per test, as a client team's test file starts them (`startStub()` from the package's testing entry, in
// one process): what a start and a close cost after the first, and what a fresh stub's first create and first
// poll cost against the same stub's later ones. Run by `npm run bench` in a process of its own (a fresh one: the
// first start is the process's first); prints one JSON line.
import { startStub } from "../dist/server/testing.js";

const STARTS = 30;
const FRESH_STUBS = 10;
const WARM_CALLS = 20;
const BODY = { name: "bench-ecs", instance_id: "877a2cda-ba63-4e1e-b95f-e67e48b6129a", tags: ["aaa.111"] };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await work();
  return [performance.now() - started, result];
}

/** One create and one poll through plain fetch, as any client sends them: their times. */
async function createAndPoll(url: string): Promise<[number, number]> {
  const headers = { "Content-Type": "application/json", "X-Auth-Token": "bench" };
  const [create, jobId] = await timed(async () => {
    const response = await fetch(`${url}/v2/cloudimages/action`, { method: "POST", headers, body: JSON.stringify(BODY) });
    if (response.status !== 200) throw new Error(`create: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { job_id: string }).job_id;
  });
  const [poll] = await timed(async () => {
    const response = await fetch(`${url}/v1/cloudimages/job/${jobId}`, { headers });
    if (response.status !== 200) throw new Error(`poll: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  });
  return [create, poll];
}

// The process's first stub: its start compiles the contract once (for every stub after it); its first create and
// poll are then the first the process makes.
const [firstStartMs, firstStub] = await timed(() => startStub());
const [processFirstCreateMs, processFirstPollMs] = await createAndPoll(firstStub.url);
await firstStub.close();
const starts: number[] = [];
for (let i = 0; i < STARTS; i++) starts.push((await timed(async () => (await startStub()).close()))[0]);

const first = { create: [] as number[], poll: [] as number[] };
const warm = { create: [] as number[], poll: [] as number[] };
for (let i = 0; i < FRESH_STUBS; i++) {
  const stub = await startStub();
  try {
    const [create, poll] = await createAndPoll(stub.url);
    first.create.push(create);
    first.poll.push(poll);
    for (let call = 0; call < WARM_CALLS; call++) {
      const [warmCreate, warmPoll] = await createAndPoll(stub.url);
      warm.create.push(warmCreate);
      warm.poll.push(warmPoll);
    }
  } finally {
    await stub.close();
  }
}

console.log(
  JSON.stringify({
    firstStartMs,
    processFirstCreateMs,
    processFirstPollMs,
    startCloseMedianMs: median(starts),
    firstCreateMs: median(first.create),
    warmCreateMs: median(warm.create),
    firstPollMs: median(first.poll),
    warmPollMs: median(warm.poll),
  }),
);

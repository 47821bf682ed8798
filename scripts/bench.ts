// `npm run bench`: the stub against its baselines, all measured in one run on loopback, each server in its own
// process: bare node:http (the machine's limit), plain Express, the floor (Express + express-openapi-validator
// on the contract, fixed answers) and Prism's mock of the same contract. Figures: CreateImage (the stub reset
// before each load) and ShowJob throughput, p50 and p99 (servers interleaved round by round, medians reported),
// each server's own event-loop
// delay and CPU time per request, start-up (process start to first answered request, ims-stub against Prism);
// ShowJob, CreateImage, ListImages by `?id=` and a page of 100 on two stubs holding 10 and 100,000 images of
// their project (made by creates before the load), and the memory each image held costs; a stub per test
// (`startStub()` + `close()`, a fresh stub's first create and poll against warm ones, scripts/bench-start-stub.ts);
// and the stub's memory with 10,000 images, then after 100,000 creates the quota refuses. Each goal is printed
// beside its figure, and all of them together at the end.
// Ratios are the figures that matter: absolute numbers move with whatever else the machine is doing, so each
// ratio is taken within a round (the two servers loaded one after the other) and the median of the rounds is shown.
// `--smoke` is the CI guard: three 2-second rounds, the stub (holding 10,000 images) against the floor only,
// failing on a gross regression.
// `--floor-parts` takes the floor apart: what its security step, its stack traces and its promise hops cost.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";

const root = resolve(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "2" },
    connections: { type: "string", default: "50" },
    rounds: { type: "string", default: "10" },
    smoke: { type: "boolean", default: false },
    "floor-parts": { type: "boolean", default: false },
    /** Throughput of these servers only (comma-separated), for profiling sessions. */
    only: { type: "string" },
  },
});
const SMOKE = values.smoke!;
const DURATION = SMOKE ? 2 : Number(values.duration);
// Many short rounds rather than a few long ones: the two loads of a pair are seconds apart, and a median of many
// pairs is what a slow minute of a shared machine cannot move. Three even in the smoke: one slow second must not fail CI.
const ROUNDS = SMOKE ? 3 : Number(values.rounds);
const CONNECTIONS = Number(values.connections);
/** The smoke fails only below this share of the floor's throughput: a gross regression, never noise. */
const SMOKE_MIN_SHARE = 0.5;
/**
 * The smoke's ListImages `?id=`, against the same stub's ShowJob in the same round, fails below this share. It
 * answers a whole image where ShowJob answers a job (several times the bytes to build and validate) and has read
 * 0.57–0.91 of it; one that searched the 10,000 images served 12 requests a second against ShowJob's thousands.
 */
const SMOKE_MIN_ID_SHARE = 0.3;
const PROJECT = "0123456789abcdef0123456789abcdef";
const HEADERS = { "content-type": "application/json", "x-auth-token": "bench" };
const CREATE_BODY = JSON.stringify({ name: "bench-ecs", instance_id: "877a2cda-ba63-4e1e-b95f-e67e48b6129a", tags: ["aaa.111"] });
/** The stub's default image quota, and so the most images a stub started without `--image-quota` can hold. */
const DEFAULT_IMAGE_QUOTA = 10_000;
/**
 * The quota of the stub the CreateImage load runs on: every create of a run makes an image that stays, and a
 * create past the quota would be refused (IMG.0015), a different and cheaper request. The largest the stub takes.
 */
const UNBOUNDED_IMAGE_QUOTA = "10000000";

type ServerName =
  | "bare node:http"
  | "plain Express"
  | "Express + 6 promise hops"
  | "floor"
  | "floor, no stack traces"
  | "floor, no security step"
  | "stub"
  | "stub (10 images)"
  | "stub (10k images)"
  | "stub (100k images)"
  | "ims-stub"
  | "npm start"
  | "Prism";
type Running = { url: string; child: ChildProcess; startupMs: number };

// What the servers print (the stub's request log, Prism's) goes to a file, as in a CI job: read by this process,
// it would take CPU from the load generator beside it.
const logDir = mkdtempSync(join(tmpdir(), "ims-bench-"));
process.once("exit", () => rmSync(logDir, { recursive: true, force: true }));

// In a process group of its own, so that stop() also ends what a wrapper (npm) started.
const spawnServer = (name: string, command: string, args: string[], ipc = false) =>
  spawn(command, args, {
    cwd: root,
    detached: true,
    stdio: ["ignore", openSync(join(logDir, `${name}.log`), "a"), "inherit", ...(ipc ? (["ipc"] as const) : [])],
    env: { ...process.env, NODE_ENV: "production" },
  });
/** A Node server with the probe that reports its event-loop delay (scripts/bench-probe.mjs). */
const node = (name: string, args: string[]) => spawnServer(name, process.execPath, ["--import", pathToFileURL(join(root, "scripts/bench-probe.mjs")).href, ...args], true);

const benchServer = (kind: string, port: number) => node(kind, ["--import", "tsx", "scripts/bench-server.ts", "--kind", kind, "--port", String(port)]);
const SERVERS: Record<ServerName, (port: number) => ChildProcess> = {
  "bare node:http": (port) => benchServer("bare", port),
  "plain Express": (port) => benchServer("express", port),
  "Express + 6 promise hops": (port) => benchServer("express-promise-hops", port),
  floor: (port) => benchServer("floor", port),
  "floor, no stack traces": (port) => benchServer("floor-no-stack-traces", port),
  "floor, no security step": (port) => benchServer("floor-no-security", port),
  // As `npm start` and `ims-stub` run it: the compiled entry point, logging one JSON line per request.
  // The journal on, as by default; an image quota past what the rounds create (the default 10,000 a project is
  // reached within a few rounds, after which every create is refused with IMG.0015 and ShowJob has no job).
  stub: (port) => node("stub", ["dist/server/main.js", "--port", String(port), "--progression", "immediate", "--journal-size", "1000", "--image-quota", UNBOUNDED_IMAGE_QUOTA]),
  // As a user starts it, the default quota included; filled by creates before the load (seed()), none during it.
  // The two stubs whose figures are weighed against each other: the same flags (the collector callable, for the
  // memory an image costs), the quota past what the creates of the run make.
  "stub (10 images)": (port) => node("stub-10", ["--expose-gc", "dist/server/main.js", "--port", String(port), "--progression", "immediate", "--image-quota", UNBOUNDED_IMAGE_QUOTA]),
  "stub (100k images)": (port) => node("stub-100000", ["--expose-gc", "dist/server/main.js", "--port", String(port), "--progression", "immediate", "--image-quota", UNBOUNDED_IMAGE_QUOTA]),
  "stub (10k images)": (port) => node("stub-10000", ["dist/server/main.js", "--port", String(port), "--progression", "immediate"]),
  "npm start": (port) => spawnServer("npm-start", "npm", ["start", "--silent", "--", "--port", String(port)]),
  // As Prism is started: node on the bin, its defaults, no probe.
  "ims-stub": (port) => spawnServer("ims-stub", process.execPath, ["dist/server/main.js", "--port", String(port)]),
  // Without the probe: started with it (and its IPC channel), Prism exits at once.
  Prism: (port) => spawnServer("prism", process.execPath, [join(root, "node_modules/@stoplight/prism-cli/dist/index.js"), "mock", "-h", "127.0.0.1", "-p", String(port), "generated/openapi.json"]),
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.once("error", reject);
  });
}

/** Starts a server and times it from spawn to its first answered API request (polled every 5 ms). */
async function start(name: ServerName): Promise<Running> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = SERVERS[name](port);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    const answered = await fetch(`${url}/v1/cloudimages/job/startup`, { headers: HEADERS }).then(
      (response) => response.arrayBuffer().then(() => true),
      () => false,
    );
    if (answered) return { url, child, startupMs: performance.now() - started };
    if (performance.now() - started > 30_000) throw new Error(`${name} did not answer within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function stop(running: Running): Promise<void> {
  const exited = new Promise((done) => running.child.once("exit", done));
  process.kill(-running.child.pid!, "SIGTERM");
  await exited;
}

/**
 * rps, latency as the client saw it, the server's event-loop delay (p99, ms: how long a ready request could wait
 * for the server's own thread) and its CPU time (all its threads, GC included) per request in µs.
 */
type Figures = { rps: number; p50: number; p99: number; loopP99: number; cpuUs: number };

/** The server's event-loop delay since it was last asked (scripts/bench-probe.mjs). */
function loopDelay(child: ChildProcess): Promise<{ p99: number }> {
  if (!child.connected) return Promise.resolve({ p99: Number.NaN });
  return new Promise((resolve) => {
    child.once("message", (figures) => resolve(figures as { p99: number }));
    child.send("event-loop-delay");
  });
}

/** User + system CPU of a process so far, in µs (/proc/PID/stat, clock ticks of 10 ms). */
const cpuUs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
};

async function load(title: string, child: ChildProcess, opts: autocannon.Options): Promise<Figures> {
  const pid = child.pid!;
  await loopDelay(child);
  const before = cpuUs(pid);
  const result = await autocannon({ ...opts, duration: DURATION, connections: CONNECTIONS });
  const cpu = cpuUs(pid) - before;
  const loop = await loopDelay(child);
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${title}: ${bad} requests failed (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, loopP99: loop.p99, cpuUs: cpu / result.requests.total };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

/** What the scenarios ask of a server: a job to show and an image to list by ID. */
type Target = Running & { jobId: string; imageId: string | undefined };

const SCENARIOS = {
  CreateImage: (target: Target): autocannon.Options => ({ url: `${target.url}/v2/cloudimages/action`, method: "POST", headers: HEADERS, body: CREATE_BODY }),
  ShowJob: (target: Target): autocannon.Options => ({ url: `${target.url}/v1/${PROJECT}/jobs/${target.jobId}`, headers: HEADERS }),
  "ListImages ?id=": (target: Target): autocannon.Options => ({ url: `${target.url}/v2/cloudimages?id=${target.imageId}`, headers: HEADERS }),
  "ListImages ?limit=100": (target: Target): autocannon.Options => ({ url: `${target.url}/v2/cloudimages?limit=100`, headers: HEADERS }),
};
type Scenario = keyof typeof SCENARIOS;
/** The servers each scenario loads, in the order of the scenarios within a round. */
type Plan = Partial<Record<Scenario, ServerName[]>>;
/** How many images a stub is given before the load, by creates as a client makes them (all of its project). */
type Seeds = Partial<Record<ServerName, number>>;

/** Start-ups of each server, alternating, in the full run. */
const STARTUP_RUNS = 3;
/** The images the stub that holds many is given before its loads. */
const MANY_IMAGES = 100_000;
const FEW_IMAGES = 10;

const FULL_PLAN: Plan = {
  // Also on the stubs holding 10 and 100,000 images: the same request, weighed against itself.
  CreateImage: ["bare node:http", "plain Express", "floor", "stub", "Prism", "stub (10 images)", "stub (100k images)"],
  ShowJob: ["bare node:http", "plain Express", "floor", "stub", "Prism", "stub (10 images)", "stub (100k images)"],
  "ListImages ?id=": ["floor", "stub (10 images)", "stub (100k images)"],
  "ListImages ?limit=100": ["floor", "stub (10 images)", "stub (100k images)"],
};
const FULL_SEEDS: Seeds = { "stub (10 images)": FEW_IMAGES, "stub (100k images)": MANY_IMAGES };
/** Stubs reset and given their images again before each CreateImage load: the one that holds few stays at few. */
const FULL_RESEEDS: ServerName[] = ["stub (10 images)"];

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, { headers: HEADERS, ...init });
  if (!response.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/** A job made just now: the creates before may have pushed an older one out of the stub's store. */
async function freshJob(server: Running): Promise<string> {
  return (await json<{ job_id: string }>(`${server.url}/v2/cloudimages/action`, { method: "POST", body: CREATE_BODY })).job_id;
}

/** The private images the project keeps (ShowImageQuota). */
const imagesUsed = async (server: Running) =>
  (await json<{ quotas: { resources: { used: number }[] } }>(`${server.url}/v1/cloudimages/quota`)).quotas.resources[0]!.used;

/**
 * Fills a stub with `count` images of its project, by that many creates; returns the last create's job and an
 * image from the middle of the creation order (neither end of the store's walk).
 */
async function seed(server: Running, count: number): Promise<{ jobId: string; imageId: string }> {
  if (count > 1) {
    const result = await autocannon({ ...SCENARIOS.CreateImage({ ...server, jobId: "", imageId: undefined }), amount: count - 1, connections: Math.min(CONNECTIONS, count - 1) });
    const bad = result.non2xx + result.errors + result.timeouts;
    if (bad > 0) throw new Error(`seeding ${count} images: ${bad} creates failed`);
  }
  const jobId = await freshJob(server);
  const used = await imagesUsed(server);
  if (used !== count) throw new Error(`seeding ${count} images: the stub holds ${used}`);
  const { images } = await json<{ images: { id: string }[] }>(`${server.url}/_stub/images`);
  return { jobId, imageId: images[Math.floor(images.length / 2)]!.id };
}

/** A server's memory (scripts/bench-probe.mjs): the heap after a full collection where the server allows one, and its RSS. */
type Memory = { heapUsed: number; rss: number };
function memoryOf(child: ChildProcess): Promise<Memory | undefined> {
  if (!child.connected) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    child.once("message", (figures) => resolve(figures as Memory));
    child.send("memory");
  });
}

/** Each (server, scenario)'s figures per round, and their medians; a seeded server's memory before and after its seeding. */
type Measured = { rounds: Map<string, Figures[]>; medians: Map<string, Figures>; seeded: Map<ServerName, { images: number; before?: Memory; after?: Memory }> };
const keyOf = (name: ServerName, scenario: Scenario) => `${name}|${scenario}`;

/**
 * `seeds`: images given to a stub before the load. `freshBeforeCreates`: stubs whose state is reset before each
 * CreateImage load, so that every load starts from an empty store rather than from all the images the run made
 * before it (tens of thousands by the last round, more in a longer run): a figure that depends on the round it
 * was taken in is no figure of the request path.
 */
async function throughput(plan: Plan, seeds: Seeds = {}, freshBeforeCreates: ServerName[] = [], reseedBeforeCreates: ServerName[] = []): Promise<Measured> {
  const scenarios = Object.keys(plan) as Scenario[];
  const names = [...new Set(scenarios.flatMap((scenario) => plan[scenario]!))];
  const creating = new Set(plan.CreateImage ?? []);
  const listing = new Set([...(plan["ListImages ?id="] ?? []), ...(plan["ListImages ?limit=100"] ?? [])]);
  const running = new Map<ServerName, Target>();
  const rounds = new Map<string, Figures[]>();
  const seeded: Measured["seeded"] = new Map();
  /** The load of one server: on a server that creates, a job made just now for ShowJob. */
  const optionsFor = async (name: ServerName, scenario: Scenario) => {
    const target = running.get(name)!;
    if (scenario === "CreateImage" && freshBeforeCreates.includes(name)) await json(`${target.url}/_stub/reset`, { method: "POST" });
    if (scenario === "CreateImage" && reseedBeforeCreates.includes(name)) {
      await json(`${target.url}/_stub/reset`, { method: "POST" });
      running.set(name, { ...target, ...(await seed(target, seeds[name]!)) });
      return SCENARIOS[scenario](running.get(name)!);
    }
    return SCENARIOS[scenario](scenario === "ShowJob" && creating.has(name) ? { ...target, jobId: await freshJob(target) } : target);
  };
  try {
    // Inside the try: a server that fails to start must not leave the ones before it running.
    for (const name of names) {
      const server = await start(name);
      running.set(name, { ...server, jobId: "", imageId: undefined });
      const count = seeds[name];
      if (count !== undefined) {
        const before = await memoryOf(server.child);
        running.set(name, { ...server, ...(await seed(server, count)) });
        seeded.set(name, { images: count, before, after: await memoryOf(server.child) });
      } else {
        const imageId = listing.has(name) ? (await json<{ images: { id: string }[] }>(`${server.url}/v2/cloudimages?limit=1`)).images[0]?.id : undefined;
        running.set(name, { ...server, jobId: await freshJob(server), imageId });
      }
    }
    // Warm-up, once per server and scenario: code compiled, the stub's store filling. A seeded stub's creates
    // were its CreateImage warm-up.
    for (const scenario of scenarios) {
      for (const name of plan[scenario]!) {
        if (scenario === "CreateImage" && seeds[name] !== undefined) continue;
        await autocannon({ ...(await optionsFor(name, scenario)), duration: 1, connections: CONNECTIONS });
      }
    }
    // Round by round, every server in turn, the order reversed every other round: a slow minute of the machine
    // falls on all of them alike, and no server is always the one loaded first.
    for (let round = 0; round < ROUNDS; round++) {
      for (const scenario of scenarios) {
        const order = round % 2 === 0 ? plan[scenario]! : [...plan[scenario]!].reverse();
        for (const name of order) {
          const figures = await load(`${name} ${scenario}`, running.get(name)!.child, await optionsFor(name, scenario));
          rounds.set(keyOf(name, scenario), [...(rounds.get(keyOf(name, scenario)) ?? []), figures]);
        }
      }
    }
  } finally {
    for (const server of running.values()) await stop(server);
  }
  const medians = new Map(
    [...rounds].map(([key, list]) => [
      key,
      Object.fromEntries((["rps", "p50", "p99", "loopP99", "cpuUs"] as const).map((figure) => [figure, median(list.map((f) => f[figure]))])) as Figures,
    ]),
  );
  return { rounds, medians, seeded };
}

type Load = readonly [ServerName, Scenario];

/**
 * One load's figure ÷ another's, taken round by round (each pair measured within a round, seconds to a minute
 * apart), median of the rounds.
 */
function pairedRatio(measured: Measured, a: Load, b: Load, figure: keyof Figures): number {
  return median(roundRatios(measured, a, b, figure));
}
/** One load's figure ÷ another's in each round, in round order. */
function roundRatios({ rounds }: Measured, [aName, aScenario]: Load, [bName, bScenario]: Load, figure: keyof Figures): number[] {
  const [as, bs] = [rounds.get(keyOf(aName, aScenario))!, rounds.get(keyOf(bName, bScenario))!];
  return as.map((f, i) => f[figure] / bs[i]![figure]);
}
/**
 * The rounds' lowest and highest ratio: how far one build's figure moves with the machine within a run, printed
 * beside a goal's median so that a reader can tell a goal missed by the code from one missed by a slow minute.
 */
function spread(measured: Measured, a: Load, b: Load, figure: keyof Figures): string {
  const ratios = roundRatios(measured, a, b, figure);
  return `rounds ${fmt(Math.min(...ratios), 2)}–${fmt(Math.max(...ratios), 2)}`;
}
/** The same scenario on two servers. */
const serverRatio = (measured: Measured, a: ServerName, b: ServerName, scenario: Scenario, figure: keyof Figures) =>
  pairedRatio(measured, [a, scenario], [b, scenario], figure);

/**
 * The smoke's stub holds 10,000 images from the start (made by creates, its quota raised for the creates of the
 * load). Its ListImages `?id=` is weighed against its own ShowJob rather than the floor's, and the page is left
 * to the full bench: fewer loads a round keep the smoke under a minute.
 */
const SMOKE_PLAN: Plan = {
  CreateImage: ["floor", "stub"],
  ShowJob: ["floor", "stub"],
  "ListImages ?id=": ["stub"],
};

async function smoke(): Promise<void> {
  const measured = await throughput(SMOKE_PLAN, { stub: DEFAULT_IMAGE_QUOTA });
  const rps = (name: ServerName, scenario: Scenario) => fmt(measured.medians.get(keyOf(name, scenario))!.rps);
  const failures: string[] = [];
  for (const scenario of ["CreateImage", "ShowJob"] as const) {
    const share = serverRatio(measured, "stub", "floor", scenario, "rps");
    console.log(`smoke ${scenario}: stub ${rps("stub", scenario)} req/s, floor ${rps("floor", scenario)} req/s, stub ÷ floor ${fmt(share, 2)}, ${spread(measured, ["stub", scenario], ["floor", scenario], "rps")} (fails below ${SMOKE_MIN_SHARE})`);
    if (share < SMOKE_MIN_SHARE) failures.push(`${scenario}: the stub is below ${SMOKE_MIN_SHARE} of the floor`);
  }
  const idShare = pairedRatio(measured, ["stub", "ListImages ?id="], ["stub", "ShowJob"], "rps");
  console.log(`smoke ListImages ?id= (${fmt(DEFAULT_IMAGE_QUOTA)}+ images): stub ${rps("stub", "ListImages ?id=")} req/s, ÷ its ShowJob ${fmt(idShare, 2)}, ${spread(measured, ["stub", "ListImages ?id="], ["stub", "ShowJob"], "rps")} (fails below ${SMOKE_MIN_ID_SHARE})`);
  if (idShare < SMOKE_MIN_ID_SHARE) failures.push(`ListImages ?id=: below ${SMOKE_MIN_ID_SHARE} of the stub's ShowJob`);
  if (failures.length > 0) {
    console.error(`bench smoke failed: ${failures.join("; ")}`);
    process.exit(1);
  }
}

async function only(names: ServerName[]): Promise<void> {
  const plan = Object.fromEntries(
    Object.entries(FULL_PLAN)
      .map(([scenario, servers]) => [scenario, servers.filter((name) => names.includes(name))] as const)
      .filter(([, servers]) => servers.length > 0),
  ) as Plan;
  const measured = await throughput(plan, FULL_SEEDS, ["stub"], FULL_RESEEDS);
  for (const [key, f] of measured.medians) {
    console.log(`${key.replace("|", " ")}: ${fmt(f.rps)} req/s, p50 ${f.p50} ms, p99 ${f.p99} ms, event-loop delay p99 ${fmt(f.loopP99)} ms, CPU ${fmt(f.cpuUs)} µs per request`);
  }
  for (const scenario of ["CreateImage", "ShowJob"] as const) {
    if (plan[scenario]?.includes("stub") && plan[scenario]?.includes("floor")) {
      console.log(
        `${scenario} stub ÷ floor (median of the rounds' ratios): req/s ${fmt(serverRatio(measured, "stub", "floor", scenario, "rps"), 2)} (${spread(measured, ["stub", scenario], ["floor", scenario], "rps")}), ` +
          `p99 ${fmt(serverRatio(measured, "stub", "floor", scenario, "p99"), 2)} (${spread(measured, ["stub", scenario], ["floor", scenario], "p99")}), CPU per request ${fmt(serverRatio(measured, "stub", "floor", scenario, "cpuUs"), 2)}`,
      );
    }
  }
  if (plan["ListImages ?id="] || plan["ListImages ?limit=100"]) printListImages(measured);
}

// The client's p50 / p99, then the server's own event-loop delay p99: a client p99 far above it was made
// outside the server.
const latency = (f: Figures) => `${f.p50} / ${f.p99} / ${Number.isNaN(f.loopP99) ? "n/a" : fmt(f.loopP99)}`;

/** Throughput, p50 and p99 per server, then the paired ratios of each pair [a, b] as a ÷ b. */
function printTable(measured: Measured, names: ServerName[], pairs: (readonly [ServerName, ServerName])[]): void {
  const get = (name: ServerName, scenario: Scenario) => measured.medians.get(keyOf(name, scenario))!;
  console.log("| server | CreateImage req/s | p50 / p99 / loop p99 ms | ShowJob req/s | p50 / p99 / loop p99 ms |");
  console.log("|---|---|---|---|---|");
  for (const name of names) {
    const [create, show] = [get(name, "CreateImage"), get(name, "ShowJob")];
    console.log(`| ${name} | ${fmt(create.rps)} | ${latency(create)} | ${fmt(show.rps)} | ${latency(show)} |`);
  }
  console.log("\n| ratio (median of the rounds' ratios) | CreateImage req/s | CreateImage p99 | ShowJob req/s | ShowJob p99 |");
  console.log("|---|---|---|---|---|");
  for (const [a, b] of pairs) {
    const cells = (["CreateImage", "ShowJob"] as const).flatMap((scenario) => [fmt(serverRatio(measured, a, b, scenario, "rps"), 2), fmt(serverRatio(measured, a, b, scenario, "p99"), 2)]);
    console.log(`| ${a} ÷ ${b} | ${cells.join(" | ")} |`);
  }
}

/** What goals the run met: each figure with its goal, printed together at the end. */
type Goal = { figure: string; value: number; goal: string; met: boolean };
const goals: Goal[] = [];
function goal(figure: string, value: number, comparison: "≥" | "≤", target: number): string {
  const met = comparison === "≥" ? value >= target : value <= target;
  goals.push({ figure, value, goal: `${comparison} ${target}`, met });
  return `(goal ${comparison} ${target}: ${met ? "met" : "NOT met"})`;
}

/**
 * The stubs holding 10 and 100,000 images (and ListImages on the floor): each request weighed against itself on
 * the two, and what an image held costs in memory.
 */
function printListImages(measured: Measured): void {
  const cell = (name: ServerName, scenario: Scenario) => {
    const f = measured.medians.get(keyOf(name, scenario));
    return f ? `${fmt(f.rps)} | ${latency(f)}` : "– | –";
  };
  const [few, many] = ["stub (10 images)", "stub (100k images)"] as const;
  const measuredLoad = ([name, scenario]: Load) => measured.rounds.has(keyOf(name, scenario));
  const scenarios = (["ShowJob", "CreateImage", "ListImages ?id=", "ListImages ?limit=100"] as const).filter((scenario) => measuredLoad([many, scenario]) || measuredLoad(["floor", scenario]));
  console.log(`\n| server | ${scenarios.map((scenario) => `${scenario} req/s | p50 / p99 / loop p99 ms`).join(" | ")} |`);
  console.log(`|---|${scenarios.map(() => "---|---").join("|")}|`);
  for (const name of ["floor", few, many] as const) console.log(`| ${name} | ${scenarios.map((scenario) => cell(name, scenario)).join(" | ")} |`);
  const ratio = (a: Load, b: Load, figure: keyof Figures) => pairedRatio(measured, a, b, figure);
  console.log("\n| ratio (median of the rounds' ratios) | req/s | p99 | server CPU per request |");
  console.log("|---|---|---|---|");
  const rows: [string, Load, Load, boolean][] = [
    ["ShowJob: 100,000 images ÷ 10", [many, "ShowJob"], [few, "ShowJob"], true],
    ["CreateImage: 100,000 images ÷ 10", [many, "CreateImage"], [few, "CreateImage"], true],
    ["ListImages ?id=: 100,000 images ÷ 10", [many, "ListImages ?id="], [few, "ListImages ?id="], true],
    ["100,000 images: ?id= ÷ ShowJob", [many, "ListImages ?id="], [many, "ShowJob"], false],
    ["?id=: stub with 100,000 images ÷ floor", [many, "ListImages ?id="], ["floor", "ListImages ?id="], false],
    ["?limit=100: stub with 100,000 images ÷ floor", [many, "ListImages ?limit=100"], ["floor", "ListImages ?limit=100"], false],
  ];
  for (const [title, a, b, flat] of rows) {
    if (!measuredLoad(a) || !measuredLoad(b)) continue;
    const rps = ratio(a, b, "rps");
    console.log(`| ${title}${flat ? ` ${goal(title, rps, "≥", 0.9)}` : ""} | ${fmt(rps, 2)} | ${fmt(ratio(a, b, "p99"), 2)} | ${fmt(ratio(a, b, "cpuUs"), 2)} |`);
  }
  const held = measured.seeded.get(many);
  if (held?.before && held.after) {
    const perImage = (figure: keyof Memory) => ((held.after![figure] - held.before![figure]) / held.images).toFixed(0);
    console.log(
      `memory an image held costs (the stub before and after its ${fmt(held.images)} creates): heap ${perImage("heapUsed")} bytes (after a full collection), RSS ${perImage("rss")} bytes; heap ${fmt(held.after.heapUsed / 2 ** 20)} MB, RSS ${fmt(held.after.rss / 2 ** 20)} MB with them`,
    );
  }
}

/** A stub per test (scripts/bench-start-stub.ts, a process of its own): its start and close, its first requests. */
async function printStubPerTest(): Promise<void> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/bench-start-stub.ts"], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  const code = await new Promise((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`bench-start-stub exited with ${code}`);
  const f = JSON.parse(output) as Record<"firstStartMs" | "processFirstCreateMs" | "processFirstPollMs" | "startCloseMedianMs" | "firstCreateMs" | "warmCreateMs" | "firstPollMs" | "warmPollMs", number>;
  const [create, poll] = [f.firstCreateMs / f.warmCreateMs, f.firstPollMs / f.warmPollMs];
  console.log(
    `\na stub per test (startStub() in one process): startStub() + close() ${fmt(f.startCloseMedianMs, 1)} ms, median of 30 after the first ${goal("startStub() + close() after the first, ms", f.startCloseMedianMs, "≤", 20)}; ` +
      `the first ${fmt(f.firstStartMs)} ms (it compiles the contract for every stub after it), whose first create took ${fmt(f.processFirstCreateMs, 1)} ms and first poll ${fmt(f.processFirstPollMs, 1)} ms`,
  );
  console.log(
    `a fresh stub's first create ${fmt(f.firstCreateMs, 1)} ms against ${fmt(f.warmCreateMs, 1)} ms warm: ${fmt(create, 2)}× ${goal("a fresh stub's first create ÷ warm", create, "≤", 3)}; ` +
      `first poll ${fmt(f.firstPollMs, 1)} ms against ${fmt(f.warmPollMs, 1)} ms: ${fmt(poll, 2)}× ${goal("a fresh stub's first poll ÷ warm", poll, "≤", 3)} (medians of 10 stubs, 20 warm calls each)`,
  );
}

/** Which part of the floor costs what: its security step, the stack traces that step builds, its promise hops. */
async function floorParts(): Promise<void> {
  console.log(`The floor taken apart: ${ROUNDS} rounds of ${DURATION} s per server and scenario, ${CONNECTIONS} connections, loopback, Node ${process.version}\n`);
  const names: ServerName[] = ["plain Express", "Express + 6 promise hops", "floor", "floor, no stack traces", "floor, no security step", "stub"];
  printTable(
    await throughput({ CreateImage: names, ShowJob: names }, {}, ["stub"]),
    names,
    names.filter((name) => name !== "floor").map((name) => [name, "floor"] as const),
  );
}

async function full(): Promise<void> {
  console.log(`IMS stub benchmark: ${ROUNDS} rounds of ${DURATION} s per server and scenario, ${CONNECTIONS} connections, loopback, Node ${process.version}\n`);
  const names = FULL_PLAN.CreateImage!;
  const measured = await throughput(FULL_PLAN, FULL_SEEDS, ["stub"], FULL_RESEEDS);
  const get = (name: ServerName, scenario: Scenario) => measured.medians.get(keyOf(name, scenario))!;
  const ratio = (a: ServerName, b: ServerName, scenario: Scenario, figure: keyof Figures) => fmt(serverRatio(measured, a, b, scenario, figure), 2);

  printTable(measured, names, [
    ["stub", "floor"],
    ["stub", "plain Express"],
    ["stub", "Prism"],
    ["floor", "plain Express"],
  ]);
  // CPU per request moves less than req/s with what else shares the two cores (the load generator among them).
  const cpu = (["CreateImage", "ShowJob"] as const)
    .map((s) => `${s} stub ${fmt(get("stub", s).cpuUs)} µs, floor ${fmt(get("floor", s).cpuUs)} µs, floor ÷ stub ${ratio("floor", "stub", s, "cpuUs")}`)
    .join("; ");
  console.log(`server CPU per request (all threads): ${cpu}`);
  for (const scenario of ["CreateImage", "ShowJob"] as const) {
    const [rps, p99] = [serverRatio(measured, "stub", "floor", scenario, "rps"), serverRatio(measured, "stub", "floor", scenario, "p99")];
    console.log(
      `${scenario} stub ÷ floor: req/s ${fmt(rps, 2)} (${spread(measured, ["stub", scenario], ["floor", scenario], "rps")}) ${goal(`${scenario} stub ÷ floor, req/s`, rps, "≥", 0.9)}, ` +
        `p99 ${fmt(p99, 2)} (${spread(measured, ["stub", scenario], ["floor", scenario], "p99")}) ${goal(`${scenario} stub ÷ floor, p99`, p99, "≤", 1.2)}`,
    );
  }
  printListImages(measured);

  // Start-up, as a user starts each (node on its bin, its defaults), alternating so that both meet the same
  // machine: from spawn to the first answered request.
  const startups: Record<"ims-stub" | "npm start" | "Prism", number[]> = { "ims-stub": [], "npm start": [], Prism: [] };
  for (let i = 0; i < STARTUP_RUNS; i++) {
    for (const name of i % 2 === 0 ? (["ims-stub", "Prism", "npm start"] as const) : (["Prism", "ims-stub", "npm start"] as const)) {
      const server = await start(name);
      startups[name].push(server.startupMs);
      await stop(server);
    }
  }
  const [stubStart, npmStart, prismStart] = [median(startups["ims-stub"]), median(startups["npm start"]), median(startups.Prism)];
  console.log(
    `\nstart-up (spawn to first answered request, median of ${STARTUP_RUNS}, alternating): ims-stub ${fmt(stubStart)} ms, Prism ${fmt(prismStart)} ms, npm start ${fmt(npmStart)} ms; ims-stub ÷ Prism ${fmt(stubStart / prismStart, 2)} ${goal("start-up, ims-stub ÷ Prism", stubStart / prismStart, "≤", 0.4)}, npm start ÷ Prism ${fmt(npmStart / prismStart, 2)}`,
  );

  await printStubPerTest();

  // Memory, with the default settings (10,000 images per project, 10,000 jobs): the stub full of images, then
  // creates the quota refuses, which must leave nothing behind.
  const stub = await start("stub (10k images)");
  try {
    const rss = [rssMb(stub.child.pid!)];
    await seed(stub, DEFAULT_IMAGE_QUOTA);
    rss.push(rssMb(stub.child.pid!));
    let refused = 0;
    for (let round = 0; round < 1; round++) {
      const r = await autocannon({ ...SCENARIOS.CreateImage({ ...stub, jobId: "", imageId: undefined }), amount: 100_000, connections: CONNECTIONS });
      refused += r.non2xx;
      rss.push(rssMb(stub.child.pid!));
    }
    const refusal = await fetch(`${stub.url}/v2/cloudimages/action`, { method: "POST", headers: HEADERS, body: CREATE_BODY });
    const { error } = (await refusal.json()) as { error: { code: string } };
    const health = (await json<{ jobs: number }>(`${stub.url}/_stub/health`)).jobs;
    console.log(
      `memory (stub RSS, default settings): ${fmt(rss[0]!)} MB after start-up, ${fmt(rss[1]!)} MB with ${fmt(DEFAULT_IMAGE_QUOTA)} images, ${fmt(rss[2]!)} MB after 100,000 more creates (${fmt(refused)} refused, a create now: ${refusal.status} ${error.code}); images retained ${fmt(await imagesUsed(stub))}, jobs ${fmt(health)}`,
    );
  } finally {
    await stop(stub);
  }

  console.log("\ngoals:");
  for (const g of goals) console.log(`- ${g.figure}: ${fmt(g.value, 2)} (goal ${g.goal}) ${g.met ? "met" : "NOT met"}`);
}

await (SMOKE ? smoke() : values["floor-parts"] ? floorParts() : values.only ? only(values.only.split(",") as ServerName[]) : full());

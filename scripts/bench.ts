// `npm run bench`: load figures for the stub, measured in one run on loopback against three baselines (the same
// app without validation, a plain Express app, a bare node:http server), plus start-up time and memory after
// 100,000 and 200,000 jobs.
// Ratios are the figures that matter: absolute numbers move with whatever else the machine is doing.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";

const root = resolve(import.meta.dirname, "..");
const { values } = parseArgs({ options: { duration: { type: "string", default: "5" }, connections: { type: "string", default: "50" } } });
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const PROJECT = "0123456789abcdef0123456789abcdef";
const HEADERS = { "content-type": "application/json", "x-auth-token": "bench" };

const BODIES = {
  server: { name: "bench-ecs", instance_id: "877a2cda-ba63-4e1e-b95f-e67e48b6129a", tags: ["aaa.111"] },
  "data disks": { data_images: [{ name: "bench-data", volume_id: "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30" }] },
  file: { name: "bench-file", image_url: "ims-image:centos70.qcow2", min_disk: 40, os_version: "CentOS 7.0 64bit" },
  volume: { name: "bench-vol", volume_id: "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30", os_version: "CentOS 7.0 64bit", type: "ECS" },
};

type Kind = "stub" | "no-validation" | "express" | "bare";

async function startServer(kind: Kind, extra: string[] = []): Promise<{ url: string; child: ChildProcess; startedMs: number }> {
  const started = performance.now();
  // tsx as a loader in the one process (the tsx command would start a second Node process).
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "scripts/bench-server.ts"), "--kind", kind, ...extra], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((done, fail) => {
    let out = "";
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const m = /port=(\d+)/.exec(out);
      if (m) done(Number(m[1]));
    });
    child.once("exit", (code) => fail(new Error(`${kind} server exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  // The validator compiles on first use: one request warms it up, as the stub's own start-up check does.
  await fetch(`${url}/v1/cloudimages/job/warmup`, { headers: HEADERS });
  return { url, child, startedMs: performance.now() - started };
}

async function load(title: string, opts: autocannon.Options): Promise<autocannon.Result> {
  await autocannon({ ...opts, duration: 1, connections: CONNECTIONS }); // warm-up
  const result = await autocannon({ ...opts, duration: DURATION, connections: CONNECTIONS });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${title}: ${bad} requests failed (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`);
  return result;
}

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
  return kb / 1024;
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main() {
  console.log(`IMS stub benchmark: ${DURATION} s per run, ${CONNECTIONS} connections, loopback, Node ${process.version}\n`);
  const rows: { scenario: string; kind: Kind; rps: number; p50: number; p99: number }[] = [];
  for (const kind of ["stub", "no-validation", "express", "bare"] as const) {
    const { url, child } = await startServer(kind);
    try {
      for (const [name, body] of Object.entries(BODIES)) {
        const r = await load(`${kind} create ${name}`, { url: `${url}/v2/cloudimages/action`, method: "POST", headers: HEADERS, body: JSON.stringify(body) });
        rows.push({ scenario: `CreateImage (${name})`, kind, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 });
      }
      const created = await (await fetch(`${url}/v2/cloudimages/action`, { method: "POST", headers: HEADERS, body: JSON.stringify(BODIES.server) })).json();
      const r = await load(`${kind} poll`, { url: `${url}/v1/${PROJECT}/jobs/${created.job_id}`, headers: HEADERS });
      rows.push({ scenario: "ShowJob (poll)", kind, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 });
    } finally {
      child.kill();
    }
  }

  console.log("| scenario | stub req/s | stub p50 / p99 ms | no validation req/s | plain Express req/s | bare node:http req/s | stub ÷ no validation | stub ÷ plain Express | stub ÷ bare |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const scenario of [...new Set(rows.map((r) => r.scenario))]) {
    const of = (kind: Kind) => rows.find((r) => r.scenario === scenario && r.kind === kind)!;
    const [stub, plain, bareExpress, bare] = [of("stub"), of("no-validation"), of("express"), of("bare")];
    console.log(
      `| ${scenario} | ${fmt(stub.rps)} | ${stub.p50} / ${stub.p99} | ${fmt(plain.rps)} | ${fmt(bareExpress.rps)} | ${fmt(bare.rps)} | ${fmt(stub.rps / plain.rps, 2)} | ${fmt(stub.rps / bareExpress.rps, 2)} | ${fmt(stub.rps / bare.rps, 2)} |`,
    );
  }

  const startups: number[] = [];
  const bareStartups: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s = await startServer("stub");
    startups.push(s.startedMs);
    s.child.kill();
    const b = await startServer("bare");
    bareStartups.push(b.startedMs);
    b.child.kill();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
  console.log(`\nstart-up (process start to first answered request, median of 3): stub ${fmt(median(startups))} ms, bare node:http, also under tsx ${fmt(median(bareStartups))} ms, ratio ${fmt(median(startups) / median(bareStartups), 2)}`);

  const { url, child } = await startServer("stub", ["--max-jobs", "10000"]);
  try {
    const rss = [rssMb(child.pid!)];
    let refused = 0;
    // Two rounds: RSS after the second shows whether it keeps growing once the store is full.
    for (let round = 0; round < 2; round++) {
      const r = await autocannon({ url: `${url}/v2/cloudimages/action`, method: "POST", headers: HEADERS, body: JSON.stringify(BODIES.server), amount: 100_000, connections: CONNECTIONS });
      refused += r.non2xx;
      rss.push(rssMb(child.pid!));
    }
    const health = await (await fetch(`${url}/_stub/health`)).json();
    console.log(
      `memory: RSS ${fmt(rss[0]!)} MB after start-up, ${fmt(rss[1]!)} MB after 100,000 creates, ${fmt(rss[2]!)} MB after 200,000 (${fmt(refused)} refused); jobs retained ${health.jobs} (cap 10,000)`,
    );
  } finally {
    child.kill();
  }
}

await main();

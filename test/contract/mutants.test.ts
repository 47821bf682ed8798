// `ims-verify` measured by mutation: it must pass the honest provider and fail every faulty one, in two settings,
// the stub as it is and a provider that is not the stub (no `/_stub/*`, `Prefer` ignored, jobs of a few seconds).
// Each mutant (test/helpers/mutants.ts) runs against a fresh stub behind the mutating proxy; a small pool runs a
// few at once. Exit 1 kills a mutant; 0 lets it survive, and 2 ("could not verify") is no kill either.
// IMS_MUTANTS=id,id runs only those mutants, IMS_MUTANTS_SETTINGS=stub|foreign only that setting;
// IMS_MUTANTS_POOL sets how many runs go at once (default 3). Each run's output is kept in
// test-artifacts/ims-verify-mutants/, the table in test-artifacts/ims-verify-mutants.md.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../scripts/project-root.ts";
import { failedParts, firstFailure, runVerify, takesJobTimeout, type VerifyRun } from "../helpers/ims-verify.ts";
import { MUTANT_CLASSES, MUTANTS, type Mutant } from "../helpers/mutants.ts";
import { startProvider, type Provider, type Setting } from "../helpers/mutating-proxy.ts";
import { PROJECT_ID } from "../helpers/stub.ts";

const SETTINGS: readonly Setting[] = (["stub", "foreign"] as const).filter((setting) => !process.env.IMS_MUTANTS_SETTINGS || process.env.IMS_MUTANTS_SETTINGS.split(",").includes(setting));
const POOL = Math.max(1, Number(process.env.IMS_MUTANTS_POOL ?? 3));
const ONLY = process.env.IMS_MUTANTS?.split(",").map((id) => id.trim()).filter(Boolean);
const CHOSEN = ONLY ? MUTANTS.filter((mutant) => ONLY.includes(mutant.id)) : MUTANTS;
/** How long one `ims-verify` run may take before the harness stops it. */
const RUN_LIMIT_MS = 10 * 60_000;

type Verdict = "killed" | "survived" | "not verified";
type Outcome = { mutant: Mutant | undefined; setting: Setting; run: VerifyRun; verdict: Verdict };

let verifyArgs: (url: string, allowCreate?: boolean) => string[];

/** Runs tasks, `size` at a time, in the order given; each task's own promise settles when it ends. */
function inPool<T>(size: number, tasks: (() => Promise<T>)[]): Promise<T>[] {
  const waiting = [...tasks.entries()];
  const settlers: { resolve: (value: T) => void; reject: (error: unknown) => void }[] = [];
  const promises = tasks.map((_task, i) => new Promise<T>((resolve, reject) => (settlers[i] = { resolve, reject })));
  const worker = async () => {
    for (let next = waiting.shift(); next; next = waiting.shift()) {
      const [i, task] = next;
      await task().then(settlers[i]!.resolve, settlers[i]!.reject);
    }
  };
  for (let n = 0; n < size; n++) void worker();
  return promises;
}

async function verifyAgainst(setting: Setting, mutant: Mutant | undefined): Promise<Outcome> {
  const behaviour = mutant?.create();
  const provider = await startProvider(setting, behaviour);
  try {
    const run = await runVerify(verifyArgs(provider.url), RUN_LIMIT_MS);
    return { mutant, setting, run, verdict: run.code === 1 ? "killed" : run.code === 0 ? "survived" : "not verified" };
  } finally {
    await provider.close();
  }
}

const key = (setting: Setting, mutant: Mutant | undefined) => `${setting}:${mutant?.id ?? "honest"}`;
const outcomes = new Map<string, Promise<Outcome>>();
let startedAt = 0;

beforeAll(async () => {
  const jobTimeout = await takesJobTimeout();
  verifyArgs = (url, allowCreate = true) => [
    "--server",
    url,
    "--token",
    "mutation-test-token",
    "--project-id",
    PROJECT_ID,
    ...(allowCreate ? ["--allow-create"] : []),
    ...(jobTimeout ? ["--job-timeout", "120"] : []),
  ];
  startedAt = performance.now();
  // The honest providers first, then the mutants, the settings taking turns.
  const runs = [...SETTINGS.map((setting) => [setting, undefined] as const), ...CHOSEN.flatMap((mutant) => SETTINGS.map((setting) => [setting, mutant] as const))];
  const promises = inPool(
    POOL,
    runs.map(([setting, mutant]) => () => verifyAgainst(setting, mutant)),
  );
  runs.forEach(([setting, mutant], i) => {
    outcomes.set(key(setting, mutant), promises[i]!);
    // Read by the tests; a rejection left unread until then must not count as unhandled.
    promises[i]!.catch(() => {});
  });
});

afterAll(async () => {
  const settled = (await Promise.allSettled(outcomes.values())).flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  if (settled.length === 0) return;
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(0);
  // A kill in a setting whose honest provider fails too proves little: marked when it reports no failure the
  // honest run did not.
  const honestFailures = new Map(settled.filter((o) => !o.mutant).map((o) => [o.setting, failedParts(o.run.output)]));
  const alsoHonest = (o: Outcome) => {
    const honest = honestFailures.get(o.setting);
    return o.verdict === "killed" && honest !== undefined && honest.size > 0 && [...failedParts(o.run.output)].every((part) => honest.has(part));
  };
  const rows = settled
    .filter((outcome) => outcome.mutant)
    .map(
      (o) =>
        `| ${o.mutant!.id} | ${o.mutant!.class} | ${o.setting} | ${o.verdict}${alsoHonest(o) ? " (only what fails the honest provider too)" : ""} | ${(o.run.ms / 1000).toFixed(1)} s | ${firstFailure(o.run.output).replaceAll("|", "\\|").slice(0, 160)} |`,
    );
  const rate = (list: Outcome[]) => `${list.filter((o) => o.verdict === "killed").length}/${list.length} (${list.length ? Math.round((100 * list.filter((o) => o.verdict === "killed").length) / list.length) : 0} %)`;
  const mutantOutcomes = settled.filter((o) => o.mutant);
  const rates = SETTINGS.map((setting) => {
    const inSetting = mutantOutcomes.filter((o) => o.setting === setting);
    const perClass = MUTANT_CLASSES.map((c) => `${c} ${rate(inSetting.filter((o) => o.mutant!.class === c))}`).join(", ");
    const confounded = inSetting.filter(alsoHonest).length;
    return `- ${setting}: ${rate(inSetting)} killed${confounded ? ` (${confounded} of them fail only what fails the honest provider too)` : ""}; ${perClass}`;
  });
  const honest = settled
    .filter((o) => !o.mutant)
    .map((o) => `- honest ${o.setting} provider: exit ${o.run.code} in ${(o.run.ms / 1000).toFixed(1)} s${o.run.code === 0 ? "" : ` (${firstFailure(o.run.output)})`}`);
  const report = [
    `# ims-verify against ${CHOSEN.length} provider mutants, ${SETTINGS.length} settings (${seconds} s wall time, ${POOL} at once)`,
    "",
    ...honest,
    ...rates,
    "",
    "| mutant | class | setting | verdict | run | first failing check |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
  console.log(report);
  const logs = join(projectRoot, "test-artifacts/ims-verify-mutants");
  mkdirSync(logs, { recursive: true });
  for (const o of settled) writeFileSync(join(logs, `${o.setting}-${o.mutant?.id ?? "honest"}.log`), `exit ${o.run.code} in ${o.run.ms} ms\n${o.run.output}`);
  writeFileSync(join(projectRoot, "test-artifacts/ims-verify-mutants.md"), report);
});

describe("ims-verify measured by mutation", () => {
  const waitFor = (setting: Setting, mutant: Mutant | undefined) => outcomes.get(key(setting, mutant))!;

  for (const setting of SETTINGS) {
    it(`passes the honest ${setting} provider`, async () => {
      const { run } = await waitFor(setting, undefined);
      expect(run.code, run.output).toBe(0);
    }, 60 * 60_000);
  }

  for (const mutant of CHOSEN) {
    for (const setting of SETTINGS) {
      it(`${setting}: kills ${mutant.id} (${mutant.class})`, async () => {
        const { run, verdict } = await waitFor(setting, mutant);
        expect(verdict, `${mutant.description}\nrule: ${mutant.rule}\nims-verify exit ${run.code}:\n${run.output}`).toBe("killed");
      }, 60 * 60_000);
    }
  }
});

describe("ims-verify without --allow-create changes nothing", () => {
  async function snapshot(provider: Provider): Promise<unknown> {
    const headers = { "X-Auth-Token": "snapshot" };
    const list = await (await fetch(`${provider.stub.url}/v2/cloudimages?sort_key=id&sort_dir=asc`, { headers })).json();
    const tags = await Promise.all(
      (list.images as { id: string }[]).map(async ({ id }) => (await fetch(`${provider.stub.url}/v2/${PROJECT_ID}/images/${id}/tags`, { headers })).json()),
    );
    const quota = await (await fetch(`${provider.stub.url}/v1/cloudimages/quota`, { headers })).json();
    return { images: provider.stub.app.images.size, jobs: provider.stub.app.jobs.size, list, tags, quota };
  }

  for (const setting of SETTINGS) {
    it(`against the ${setting} provider: the same images, jobs, tags and quota after a run as before`, async () => {
      const provider = await startProvider(setting);
      try {
        // Two images of the project's own that a run could change or delete.
        for (const name of ["kept_one", "kept_two"]) {
          const created = await fetch(`${provider.stub.url}/v2/cloudimages/action`, {
            method: "POST",
            headers: { "X-Auth-Token": "seed", "Content-Type": "application/json", Prefer: "job-progression=immediate" },
            body: JSON.stringify({ name, instance_id: "877a2cda-ba63-4e1e-b95f-e67e48b6129a", image_tags: [{ key: "seed", value: name }] }),
          });
          const { job_id: jobId } = await created.json();
          const job = await (await fetch(`${provider.stub.url}/v1/${PROJECT_ID}/jobs/${jobId}`, { headers: { "X-Auth-Token": "seed" } })).json();
          expect(job.status).toBe("SUCCESS");
        }
        const before = await snapshot(provider);
        const run = await runVerify(verifyArgs(provider.url, false), RUN_LIMIT_MS);
        expect(run.code, run.output).toBe(0);
        expect(await snapshot(provider)).toEqual(before);
      } finally {
        await provider.close();
      }
    }, RUN_LIMIT_MS);
  }
});

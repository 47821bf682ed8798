// The mutation harness checked on its own, without `ims-verify`: every mutant's bug shows (its witness) on a
// provider with that mutant, and never on the honest provider; every mutant is an honest bug report (a class,
// a description, the rule it breaks).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MUTANT_CLASSES, MUTANTS } from "../helpers/mutants.ts";
import { WITNESSES, witnessApi } from "../helpers/mutant-witnesses.ts";
import { operationOf, type Provider, startHonestStub, startProvider } from "../helpers/mutating-proxy.ts";
import { PROJECT_ID, type RunningStub } from "../helpers/stub.ts";

describe("the mutant catalogue", () => {
  it("has at least 30 mutants, unique IDs, each class and each operation of the contract covered", () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(MUTANTS.map((m) => m.id)).size).toBe(MUTANTS.length);
    for (const c of MUTANT_CLASSES) expect(MUTANTS.filter((m) => m.class === c).length, c).toBeGreaterThanOrEqual(4);
    const operations = new Set(MUTANTS.flatMap((m) => m.operations));
    for (const op of ["CreateImage", "CreateImageInSafeMode", "ShowJob", "ShowJobProgress", "ListImages", "GlanceShowImage", "UpdateImage", "GlanceUpdateImage", "GlanceDeleteImage", "ListImageTags", "BatchAddOrDeleteTags", "ShowImageQuota"]) {
      expect(operations, op).toContain(op);
    }
    for (const m of MUTANTS) {
      expect(m.description.length, m.id).toBeGreaterThan(20);
      expect(m.rule.length, m.id).toBeGreaterThan(20);
      expect(WITNESSES[m.id], `${m.id} has no witness`).toBeTypeOf("function");
    }
  });

  it("the proxy names each request's operation by the contract's method and path", () => {
    expect(operationOf("POST", "/v2/cloudimages/action")?.operationId).toBe("CreateImage");
    expect(operationOf("POST", "/v2.1/cloudimages/action")?.operationId).toBe("CreateImageInSafeMode");
    expect(operationOf("PATCH", "/v2/cloudimages/abc")).toEqual({ operationId: "UpdateImage", params: { image_id: "abc" } });
    expect(operationOf("GET", `/v1/${PROJECT_ID}/jobs/j1`)).toEqual({ operationId: "ShowJob", params: { project_id: PROJECT_ID, job_id: "j1" } });
    expect(operationOf("PUT", "/v2/cloudimages/abc")).toBeUndefined();
  });
});

describe.each(["stub", "foreign"] as const)("each mutant's bug shows on its provider, never on the honest one (%s setting)", (setting) => {
  // The witnesses make images with `Prefer`, which only the stub setting passes on; the foreign setting is
  // checked on the mutants that need no finished job.
  const needsNoJob = new Set(["lax-name-too-long", "lax-unknown-field", "lax-tags-and-image-tags", "lax-min-ram-above-max-ram", "lax-safe-mode-unchecked", "wrong-code-safe-mode-generic", "wrong-code-min-ram-above-max-ram", "wrong-status-422", "wrong-status-unknown-image-400", "wrong-status-unknown-job-500", "no-content-type-job", "text-plain-refusals", "job-missing-job-type", "quota-missing-min-max", "job-other-project", "no-credentials-reads", "signature-not-checked", "safe-mode-missing", "quota-path-missing"]);
  const mutants = setting === "stub" ? MUTANTS : MUTANTS.filter((m) => needsNoJob.has(m.id));
  // One stub behind every provider here (a stub takes seconds to start): each witness compares what it made
  // with itself, never with absolute counts, and each mutant is a fresh instance with its own memory.
  let stub: RunningStub;
  let honest: Provider;
  beforeAll(async () => {
    stub = await startHonestStub(setting);
    honest = await startProvider(setting, {}, { stub });
  });
  afterAll(async () => {
    await honest?.close();
    await stub?.close();
  });
  it.each(mutants.map((m) => [m.id, m] as const))("%s", async (_id, mutant) => {
    const witness = WITNESSES[mutant.id]!;
    expect(await witness(witnessApi(honest.url, PROJECT_ID)), "the honest provider breaks the rule").toBe(false);
    const faulty = await startProvider(setting, mutant.create(), { stub });
    try {
      expect(await witness(witnessApi(faulty.url, PROJECT_ID)), `${mutant.id} changes nothing a client sees`).toBe(true);
    } finally {
      await faulty.close();
    }
  });
});

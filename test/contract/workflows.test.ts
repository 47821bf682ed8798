// The Arazzo workflows (spec/workflows/) run by Redocly's own runner, `redocly respect`, against the stub: every
// step's criteria and every check respect adds (documented status, content type, response schema) pass. Against
// a provider that answers off the contract, the same run fails.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { faultyProvider } from "../helpers/faulty.ts";
import { respect } from "../helpers/respect.ts";
import { startStub, type RunningStub } from "../helpers/stub.ts";

let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub({ progression: "timed" });
});
afterAll(() => stub.close());

describe("the workflows, run by redocly respect", () => {
  it("pass against the stub: every workflow, every step, every check", async () => {
    const run = await respect(stub.url);
    expect(run.workflows.map((w) => [w.workflowId, w.status])).toEqual([
      ["systemImageFromServer", "success"],
      ["dataImagesFromServer", "success"],
      ["imageFromFile", "success"],
      ["systemImageFromVolume", "success"],
      ["failingJob", "success"],
      ["refusedBodies", "success"],
      ["refusedCalls", "success"],
      ["imageLife", "success"],
      ["readImages", "success"],
    ]);
    expect(run.status).toBe("success");
    expect(run.checks.failed, run.output.slice(-3000)).toBe(0);
    expect(run.checks.passed).toBeGreaterThan(150);
  }, 120_000);

  it("fail against a provider whose images keep a number where clients read a string (max_ram)", async () => {
    const faulty = await faultyProvider(stub.url, ({ path, status, body }) => {
      if (status !== 200 || !path.startsWith("/v2/cloudimages")) return undefined;
      const page = body as { images?: Record<string, unknown>[] };
      if (!Array.isArray(page.images)) return undefined;
      return { body: { images: page.images.map((image) => ({ ...image, max_ram: image.max_ram === undefined ? undefined : Number(image.max_ram) })) } };
    });
    try {
      const run = await respect(faulty.url, ["imageLife"]);
      expect(run.status).not.toBe("success");
      expect(run.output).toContain("max_ram");
    } finally {
      await faulty.close();
    }
  }, 120_000);

  it("fail against a provider whose image lingers after its delete", async () => {
    // GlanceShowImage keeps answering the image it showed before the delete.
    let shown: unknown;
    const faulty = await faultyProvider(stub.url, ({ method, path, status, body }) => {
      if (method !== "GET" || !path.startsWith("/v2/images/")) return undefined;
      if (status === 200) shown = body;
      return status === 404 && shown ? { status: 200, body: shown } : undefined;
    });
    try {
      const run = await respect(faulty.url, ["imageLife"]);
      expect(run.status).not.toBe("success");
      expect(run.workflows[0]!.executedSteps.filter((step) => step.checks.some((check) => !check.passed)).map((step) => step.stepId)).toContain("goneFromShow");
    } finally {
      await faulty.close();
    }
  }, 120_000);

  it("fail against a provider whose job answers rename a field", async () => {
    const faulty = await faultyProvider(stub.url, ({ path, status, body }) => {
      if (status !== 200 || !path.includes("/job")) return undefined;
      const { job_type, ...rest } = body as Record<string, unknown>;
      return { body: { ...rest, jobType: job_type } };
    });
    try {
      const run = await respect(faulty.url, ["systemImageFromServer"]);
      expect(run.status).not.toBe("success");
      expect(run.checks.failed).toBeGreaterThan(0);
      expect(run.output).toMatch(/schema check/);
      expect(run.output).toMatch(/job_type|jobType/);
    } finally {
      await faulty.close();
    }
  }, 120_000);

  it("fail against a provider that answers a status the contract does not document", async () => {
    const faulty = await faultyProvider(stub.url, ({ status }) => (status === 404 ? { status: 410 } : undefined));
    try {
      const run = await respect(faulty.url, ["refusedCalls"]);
      expect(run.status).not.toBe("success");
      expect(run.output).toMatch(/status code check/);
    } finally {
      await faulty.close();
    }
  }, 120_000);
});

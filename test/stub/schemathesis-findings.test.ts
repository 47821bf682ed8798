// What Schemathesis (test/polyglot/generators/schemathesis.test.ts) found in the stub, each as a test of our own.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSpec } from "../../server/contract/spec.ts";
import { bases } from "../helpers/bodies.ts";
import { getJson, PROJECT_ID, type RunningStub, startStub, TOKEN_HEADERS } from "../helpers/stub.ts";

let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub();
});
afterAll(() => stub.close());

function timeFilterPattern(name: "created_at" | "updated_at"): RegExp {
  const parameters = loadSpec().paths["/v2/cloudimages"]!.get!.parameters as { name: string; schema: { pattern: string } }[];
  return new RegExp(parameters.find((parameter) => parameter.name === name)!.schema.pattern);
}

describe("ListImages created_at and updated_at: the contract's pattern and the stub agree", () => {
  // Schemathesis sent `updated_at=gt:0000-00-00T00:00:00Z`: the contract's pattern (\d{2} for the month) allowed it,
  // the stub refused it as no time (400), so a schema-valid request was refused.
  it.each(["created_at", "updated_at"] as const)("%s=gt:0000-00-00T00:00:00Z is refused by the contract, IMG.0001", async (name) => {
    expect(timeFilterPattern(name).test("gt:0000-00-00T00:00:00Z")).toBe(false);
    const answer = await getJson(stub.url, `/v2/cloudimages?${name}=gt:0000-00-00T00:00:00Z`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe("IMG.0001");
  });

  it.each(["created_at", "updated_at"] as const)("every %s the contract's pattern accepts, the stub accepts", async (name) => {
    const pattern = timeFilterPattern(name);
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(pattern), async (value) => {
        const answer = await getJson(stub.url, `/v2/cloudimages?${name}=${encodeURIComponent(value)}`);
        expect(answer.status, `${value}: ${JSON.stringify(answer.body)}`).toBe(200);
      }),
      { numRuns: 200, seed: 25 },
    );
  });
});

describe("UpdateImage of __is_config_init", () => {
  // Schemathesis added `/__is_config_init` with "0": the stub took it, and every later read of the image was a 500
  // (the image it then showed broke its own schema, where __is_config_init is "true" or "false").
  async function activeImage(): Promise<string> {
    const created = await fetch(`${stub.url}/v2/cloudimages/action`, { method: "POST", headers: TOKEN_HEADERS, body: JSON.stringify(bases.serverSystem) });
    const { job_id: jobId } = (await created.json()) as { job_id: string };
    const job = await getJson(stub.url, `/v1/${PROJECT_ID}/jobs/${jobId}`);
    return job.body.entities.image_id as string;
  }

  it.each(["/v2/cloudimages", "/v2/images"])("%s/{id}: a value other than \"true\" or \"false\" is refused with IMG.0001, and the image stays readable", async (path) => {
    const imageId = await activeImage();
    const patch = await fetch(`${stub.url}${path}/${imageId}`, { method: "PATCH", headers: TOKEN_HEADERS, body: JSON.stringify([{ op: "add", path: "/__is_config_init", value: "0" }]) });
    expect(patch.status).toBe(400);
    expect(((await patch.json()) as { error: { code: string } }).error.code).toBe("IMG.0001");
    expect((await getJson(stub.url, `/v2/images/${imageId}`)).status).toBe(200);
    expect((await getJson(stub.url, `/v2/cloudimages?id=${imageId}`)).status).toBe(200);
  });

  it("\"true\" and \"false\" are taken and shown", async () => {
    const imageId = await activeImage();
    for (const value of ["true", "false"]) {
      const patch = await fetch(`${stub.url}/v2/cloudimages/${imageId}`, { method: "PATCH", headers: TOKEN_HEADERS, body: JSON.stringify([{ op: "add", path: "/__is_config_init", value }]) });
      expect(patch.status).toBe(200);
      expect(((await patch.json()) as { __is_config_init: string }).__is_config_init).toBe(value);
    }
  });
});

describe("max_ram past 10^21", () => {
  // Schemathesis created an image with max_ram 3.536429452685933e+23 (an integer, as the contract asks): the stub
  // showed it as "3.536429452685933e+23", which breaks the contract's string of digits, and every later read of the
  // image (show, list, update) was a 500.
  const HUGE = "353642945268593300000000";

  async function imageOf(jobId: string): Promise<string> {
    return (await getJson(stub.url, `/v1/${PROJECT_ID}/jobs/${jobId}`)).body.entities.image_id as string;
  }

  it("a create's max_ram is shown as its digits, and the image stays readable", async () => {
    // The number written as the client's JSON has it, not as JavaScript would write it again.
    const body = JSON.stringify({ ...bases.file, min_ram: 562 }).replace(/}$/, `,"max_ram":${HUGE}}`);
    const created = await fetch(`${stub.url}/v2/cloudimages/action`, { method: "POST", headers: TOKEN_HEADERS, body });
    expect(created.status).toBe(200);
    const imageId = await imageOf(((await created.json()) as { job_id: string }).job_id);
    const shown = await getJson(stub.url, `/v2/images/${imageId}`);
    expect([shown.status, shown.body.max_ram]).toEqual([200, HUGE]);
    expect((await getJson(stub.url, `/v2/cloudimages?id=${imageId}`)).status).toBe(200);
    expect((await getJson(stub.url, "/v2/cloudimages")).status).toBe(200);
  });

  it("an update's max_ram sent as such a number is kept as its digits", async () => {
    const created = await fetch(`${stub.url}/v2/cloudimages/action`, { method: "POST", headers: TOKEN_HEADERS, body: JSON.stringify(bases.serverSystem) });
    const imageId = await imageOf(((await created.json()) as { job_id: string }).job_id);
    const patch = await fetch(`${stub.url}/v2/cloudimages/${imageId}`, { method: "PATCH", headers: TOKEN_HEADERS, body: `[{"op":"add","path":"/max_ram","value":${HUGE}}]` });
    expect(patch.status).toBe(200);
    expect(((await patch.json()) as { max_ram: string }).max_ram).toBe(HUGE);
    expect((await getJson(stub.url, `/v2/images/${imageId}`)).body.max_ram).toBe(HUGE);
  });
});

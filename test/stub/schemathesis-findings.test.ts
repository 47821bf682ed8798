// What Schemathesis (test/polyglot/generators/schemathesis.test.ts) found in the stub, each as a test of our own.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSpec } from "../../server/contract/spec.ts";
import { getJson, type RunningStub, startStub } from "../helpers/stub.ts";

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

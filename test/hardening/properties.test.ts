// Property tests over real HTTP: bodies generated from each request schema are accepted; bodies mutated away
// from them are refused with 400 and an IMG code; nothing gets a 5xx; every response conforms to the spec.
// The seed is fixed; on failure fast-check prints the counterexample and the seed and path to replay it.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkBeyondSchema } from "../../server/ims/create-image/classify.ts";
import { loadSpec, schemaValidators } from "../../server/contract/spec.ts";
import { arbitraryOf } from "../helpers/arbitrary.ts";
import { getJson, PROJECT_ID, postJson, startStub, type RunningStub } from "../helpers/stub.ts";

const SEED = 20261128;
const spec = loadSpec();
const validator = schemaValidators(spec);
const validBody = validator("CreateImageRequestBody");
const BRANCHES = ["CreateSystemImageFromServer", "CreateDataImagesFromServer", "CreateImageFromFile", "CreateSystemImageFromVolume"] as const;
const schemaOf = (name: string) => spec.components.schemas[name] as Record<string, any>;

let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub({ maxJobs: 100_000 });
});
afterAll(() => stub.close());

function expectConforms(schema: string, value: unknown) {
  const validate = validator(schema);
  expect(validate(value), `${schema}: ${JSON.stringify(validate.errors)}`).toBe(true);
}

describe.each(BRANCHES)("%s", (branch) => {
  // Valid by the schema and by the rules its descriptions state beyond it (min_ram <= max_ram, unique tag keys...).
  const bodies = arbitraryOf(spec, { $ref: `#/components/schemas/${branch}` }).filter(
    (b) => validBody(b) && checkBeyondSchema(b as Record<string, unknown>) === undefined,
  ) as fc.Arbitrary<Record<string, unknown>>;

  it("generated bodies are accepted, and their jobs conform", async () => {
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const created = await postJson(stub.url, body);
        expect(created.status, JSON.stringify(created.body)).toBe(200);
        expectConforms("JobCreated", created.body);
        for (const path of [`/v1/${PROJECT_ID}/jobs/${created.body.job_id}`, `/v1/cloudimages/job/${created.body.job_id}`]) {
          const job = await getJson(stub.url, path);
          expect(job.status).toBe(200);
          expectConforms("Job", job.body);
        }
      }),
      { seed: SEED, numRuns: 40, verbose: true },
    );
  }, 60_000);

  it("mutated bodies are refused with 400 and an IMG code", async () => {
    const schema = schemaOf(branch);
    const own = new Set(Object.keys(schema.properties));
    const foreign = BRANCHES.flatMap((other) => Object.keys(schemaOf(other).properties)).filter((key) => !own.has(key));
    const foreignValues: Record<string, unknown> = {
      instance_id: "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
      volume_id: "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30",
      image_url: "bucket:file.qcow2",
      data_images: [{ image_url: "bucket:d.qcow2", min_disk: 10 }],
    };
    const wrongType = (value: unknown) => (typeof value === "string" ? 12345 : Array.isArray(value) ? { not: "an array" } : typeof value === "object" ? ["not", "an object"] : "not a scalar");
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant("remove" as const), key: fc.constantFrom(...(schema.required as string[])) }),
      fc.record({ kind: fc.constant("wrong-type" as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant("out-of-range" as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant("foreign" as const), key: fc.constantFrom(...new Set(foreign)) }),
    );
    await fc.assert(
      fc.asyncProperty(bodies, mutation, async (body, m) => {
        const mutated: Record<string, any> = structuredClone(body);
        const keys = Object.keys(mutated);
        const key = keys[("pick" in m ? m.pick : 0) % keys.length]!;
        if (m.kind === "remove") delete mutated[m.key];
        if (m.kind === "wrong-type") mutated[key] = wrongType(mutated[key]);
        if (m.kind === "out-of-range") {
          const property = schema.properties[key].$ref ? schemaOf(schema.properties[key].$ref.split("/").pop()) : schema.properties[key];
          if (typeof mutated[key] === "number") mutated[key] = (property.maximum ?? property.minimum) !== undefined ? (property.maximum ?? 1e9) + 1 : -1;
          else if (typeof mutated[key] === "string") mutated[key] = "a".repeat((property.maxLength ?? 2000) + 1);
          else mutated[key] = null;
        }
        if (m.kind === "foreign") mutated[m.key] = foreignValues[m.key] ?? "foreign";
        fc.pre(!validBody(mutated));
        const refused = await postJson(stub.url, mutated);
        expect(refused.status, JSON.stringify({ mutated, answer: refused.body })).toBe(400);
        expectConforms("ErrorBody", refused.body);
      }),
      { seed: SEED, numRuns: 80, verbose: true },
    );
  }, 60_000);
});

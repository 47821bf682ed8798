// What the stub undoes of express-openapi-validator's costs (server/contract/validator-speedups.ts) is in place,
// and changes no answer: each route is compiled once and handed out again, matching as a fresh compile does, and
// a call the speed-up does not cover is the library's own.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import "../../server/contract/compiled.ts";
import { startStub } from "../../server/testing.ts";
import { body } from "../helpers/bodies.ts";
import { PROJECT_ID } from "../helpers/stub.ts";

type Compiled = { regexp: RegExp; keys: { name: string }[] };
type PathToRegexp = ((path: string, options?: Record<string, unknown>) => Compiled) & { memoized?: boolean };
const fromValidator = createRequire(createRequire(import.meta.url).resolve("express-openapi-validator"));
const { pathToRegexp, match } = fromValidator("path-to-regexp") as { pathToRegexp: PathToRegexp; match: (path: string) => (input: string) => false | { params: Record<string, string> } };

describe("the speed-ups", () => {
  it("are in place in this version of the library (a test to fail when an upgrade moves what they change)", () => {
    const schemaValidator = fromValidator("./framework/openapi.schema.validator.js") as { OpenAPISchemaValidator: { deferred?: boolean } };
    const preprocessor = fromValidator("./middlewares/parsers/schema.preprocessor.js") as { SchemaPreprocessor: { prototype: { resolvesByPointer?: boolean } } };
    expect([schemaValidator.OpenAPISchemaValidator.deferred, preprocessor.SchemaPreprocessor.prototype.resolvesByPointer, pathToRegexp.memoized]).toEqual([true, true, true]);
  });
});

describe("the validator's route lookup", () => {
  it("gets the same compiled route for the same route and options, as the validator asks for it", () => {
    const options = { sensitive: false, strict: false };
    const first = pathToRegexp("/v1/:project_id/jobs/:job_id", options);
    expect(pathToRegexp("/v1/:project_id/jobs/:job_id", { ...options })).toBe(first);
    expect(pathToRegexp("/v1/:project_id/jobs/:job_id", { sensitive: true, strict: false })).not.toBe(first);
  });

  it("matches as a fresh compile does (path-to-regexp's own match)", () => {
    const route = "/v2/:project_id/images/:image_id/tags";
    const compiled = pathToRegexp(route, { sensitive: false, strict: false });
    for (const path of ["/v2/p1/images/i1/tags", "/V2/p1/IMAGES/i1/tags", "/v2/p1/images/i1", "/v2/p1/images/i1/tags/action"]) {
      const ours = compiled.regexp.exec(path);
      const theirs = match(route)(path);
      const expected = theirs === false ? false : theirs.params;
      expect(ours === null ? false : Object.fromEntries(compiled.keys.map((key, i) => [key.name, ours[i + 1]]))).toEqual(expected);
    }
  });

  it("leaves a call with other options to the library, compiled afresh each time", () => {
    const a = pathToRegexp("/v2/cloudimages", { end: false });
    expect(pathToRegexp("/v2/cloudimages", { end: false })).not.toBe(a);
    expect(a.regexp.test("/v2/cloudimages/anything")).toBe(true);
  });

  it("leaves every operation routed as before: a create, its job, its image by ID", async () => {
    const stub = await startStub({ progression: "immediate" });
    try {
      const created = await fetch(`${stub.url}/v2/cloudimages/action`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-auth-token": "t" },
        body: JSON.stringify(body("serverSystem")),
      });
      const { job_id: jobId } = (await created.json()) as { job_id: string };
      const job = await fetch(`${stub.url}/v1/${PROJECT_ID}/jobs/${jobId}`, { headers: { "x-auth-token": "t" } });
      const { entities } = (await job.json()) as { entities: { image_id: string } };
      const listed = await fetch(`${stub.url}/v2/cloudimages?id=${entities.image_id}`, { headers: { "x-auth-token": "t" } });
      const tags = await fetch(`${stub.url}/v2/${PROJECT_ID}/images/${entities.image_id}/tags`, { headers: { "x-auth-token": "t" } });
      expect([created.status, job.status, listed.status, tags.status]).toEqual([200, 200, 200, 200]);
      expect(((await listed.json()) as { images: { id: string }[] }).images.map((image) => image.id)).toEqual([entities.image_id]);
    } finally {
      await stub.close();
    }
  });
});

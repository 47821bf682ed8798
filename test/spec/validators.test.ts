// The contract must mean the same thing to every validator its users run. Two are checked here: Ajv 2020 as the
// stub uses it (express-openapi-validator), and Redocly's Ajv fork as `redocly respect` configures it, which
// treats every object schema as closed (`defaultUnevaluatedProperties: false`). Both must accept every example
// of the contract and every kind of answer the stub gives.
import { Ajv2020 as RedoclyAjv2020 } from "@redocly/ajv/dist/2020.js";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSpec, resolveRef } from "../../server/contract/spec.ts";
import { bases, seedExamples } from "../helpers/bodies.ts";
import { PROJECT_ID, startStub, TOKEN_HEADERS, type RunningStub } from "../helpers/stub.ts";

const spec = loadSpec();
const SPEC_ID = "https://ims.contract/openapi.json";
const pointerSegment = (segment: string) => segment.replaceAll("~", "~0").replaceAll("/", "~1");

function validators() {
  const standard = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(standard);
  // The options of respect's response schema check (@redocly/cli 2.x).
  const redocly = new RedoclyAjv2020({
    schemaId: "$id",
    meta: true,
    allErrors: true,
    strictSchema: false,
    inlineRefs: false,
    validateSchema: false,
    discriminator: true,
    allowUnionTypes: true,
    validateFormats: true,
    logger: false,
    defaultUnevaluatedProperties: false,
  } as never);
  addFormats.default(redocly as never);
  for (const ajv of [standard, redocly]) ajv.addSchema({ ...structuredClone(spec), $id: SPEC_ID } as never);
  const cache = new Map<string, [ValidateFunction, ValidateFunction]>();
  return (pointer: string) => {
    let pair = cache.get(pointer);
    if (!pair) {
      pair = [standard.compile({ $ref: `${SPEC_ID}${pointer}` }), redocly.compile({ $ref: `${SPEC_ID}${pointer}` }) as unknown as ValidateFunction];
      cache.set(pointer, pair);
    }
    return pair;
  };
}
const validate = validators();

/** Both validators' verdicts on a value; the test wants [true, true] (or [false, false] for a wrong value). */
function verdicts(pointer: string, value: unknown): [boolean, boolean, string] {
  const [standard, redocly] = validate(pointer);
  const a = standard(value);
  const b = redocly(value);
  return [a, b, JSON.stringify({ standard: standard.errors, redocly: redocly.errors }).slice(0, 1500)];
}

type Operation = { operationId: string; requestBody?: unknown; responses: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown; examples?: Record<string, { $ref?: string; value?: unknown }> }> }> };
const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([, op]) => typeof op === "object" && op !== null && "operationId" in op)
    .map(([method, op]) => ({ path, method, op: op as unknown as Operation })),
);

/** The pointer of an operation's JSON response schema for a status, through a shared response's $ref. */
function responseSchemaPointer(path: string, method: string, status: number): string {
  let pointer = `#/paths/${pointerSegment(path)}/${method}/responses/${status}`;
  const response = resolveRef<{ $ref?: string }>(spec, pointer);
  if (response.$ref) pointer = response.$ref;
  return `${pointer}/content/application~1json/schema`;
}

function examplesOf(media: { examples?: Record<string, { $ref?: string; value?: unknown }> } | undefined): [string, unknown][] {
  return Object.entries(media?.examples ?? {}).map(([name, example]) => [name, example.$ref ? resolveRef<{ value: unknown }>(spec, example.$ref).value : example.value]);
}

describe("every example of the contract, in both validators", () => {
  const cases: [string, string, unknown][] = [];
  for (const { path, method, op } of operations) {
    const body = (op.requestBody as { content: Record<string, { examples?: Record<string, { $ref?: string; value?: unknown }> }> } | undefined)?.content["application/json"];
    for (const [name, value] of examplesOf(body)) cases.push([`${op.operationId} request ${name}`, `#/paths/${pointerSegment(path)}/${method}/requestBody/content/application~1json/schema`, value]);
    for (const status of Object.keys(op.responses)) {
      const ref = op.responses[status]!;
      const response = ref.$ref ? resolveRef<Operation["responses"][string]>(spec, ref.$ref) : ref;
      for (const [name, value] of examplesOf(response.content?.["application/json"])) {
        cases.push([`${op.operationId} ${status} ${name}`, responseSchemaPointer(path, method, Number(status)), value]);
      }
    }
  }

  it("finds the examples", () => expect(cases.length).toBeGreaterThan(25));
  it.each(cases)("%s", (_name, pointer, value) => {
    const [standard, redocly, errors] = verdicts(pointer, value);
    expect([standard, redocly], errors).toEqual([true, true]);
  });
});

describe("request bodies that the conditional rules apply to, in both validators", () => {
  const file = bases.file;
  it.each<[string, unknown, boolean]>([
    ["an ISO file with os_version", { ...file, type: "IsoImage", os_version: "CentOS 7.0 64bit" }, true],
    ["an ISO file without os_version", { ...file, type: "IsoImage" }, false],
    ["a quick import with os_version", { ...file, is_quick_import: true, os_version: "CentOS 7.0 64bit" }, true],
    ["a quick import without os_version", { ...file, is_quick_import: true }, false],
    ["arm with uefi", { ...file, architecture: "arm", hw_firmware_type: "uefi" }, true],
    ["arm with bios", { ...file, architecture: "arm", hw_firmware_type: "bios" }, false],
    ["a BMS image", { ...file, type: "BMS" }, true],
    ["a BMS image with cmk_id", { ...file, type: "BMS", cmk_id: "k" }, false],
    ["tags", { ...bases.serverSystem, tags: ["a.1"] }, true],
    ["tags with image_tags", { ...bases.serverSystem, tags: ["a.1"], image_tags: [{ key: "a", value: "1" }] }, false],
    ["a data disk item with tags and image_tags", { data_images: [{ ...bases.serverData.data_images[0], tags: ["a.1"], image_tags: [{ key: "a", value: "1" }] }] }, false],
  ])("%s: valid=%s in both", (_name, body, valid) => {
    const [standard, redocly, errors] = verdicts("#/components/schemas/CreateImageRequestBody", body);
    expect([standard, redocly], errors).toEqual([valid, valid]);
  });
});

describe("every kind of answer the stub gives, in both validators", () => {
  let stub: RunningStub;
  const answers: { label: string; path: string; method: string; status: number; body: unknown }[] = [];
  const record = async (label: string, path: string, method: string, init: RequestInit & { url: string }) => {
    const res = await fetch(`${stub.url}${init.url}`, init);
    answers.push({ label, path, method, status: res.status, body: await res.json() });
    return answers.at(-1)!;
  };
  const create = (label: string, body: unknown, prefer = "job-progression=per-poll") =>
    record(`CreateImage ${label}`, "/v2/cloudimages/action", "post", { url: "/v2/cloudimages/action", method: "POST", headers: { ...TOKEN_HEADERS, Prefer: prefer }, body: JSON.stringify(body) });

  beforeAll(async () => {
    stub = await startStub({ progression: "per-poll" });
    const fileWithDisks = { ...bases.file, data_images: [{ image_url: "bkt:d1", min_disk: 10 }] };
    const jobs: [string, unknown, string?][] = [
      ...seedExamples().map(([name, body]) => [name, body] as [string, unknown]),
      ["file with a data disk", fileWithDisks],
      ["data disks that fail", bases.serverData, "job-progression=per-poll, job-outcome=FAIL, job-error-code=IMG.0120"],
      ["a server job that fails", bases.serverSystem, "job-progression=per-poll, job-outcome=FAIL"],
    ];
    for (const [label, body, prefer] of jobs) {
      const { body: created } = await create(label, body, prefer);
      const jobId = (created as { job_id: string }).job_id;
      // INIT, RUNNING, RUNNING, then the end: every state of every job type, through both read operations.
      for (let poll = 0; poll < 4; poll++) {
        const [path, url, read] =
          poll % 2 === 0
            ? ["/v1/{project_id}/jobs/{job_id}", `/v1/${PROJECT_ID}/jobs/${jobId}`, "ShowJob"]
            : ["/v1/cloudimages/job/{job_id}", `/v1/cloudimages/job/${jobId}`, "ShowJobProgress"];
        await record(`${read} ${label} poll ${poll + 1}`, path, "get", { url, headers: TOKEN_HEADERS });
      }
    }
    // The images those jobs made, and one whose job has not started: every status an image shows.
    await create("queued image", bases.file);
    const images = (await (await fetch(`${stub.url}/_stub/images`)).json()).images as { id: string; status: string }[];
    const image = (label: string, path: string, method: string, url: string, init: RequestInit = {}) =>
      record(label, path, method, { url, headers: TOKEN_HEADERS, method: method.toUpperCase(), ...init });
    await image("ListImages all", "/v2/cloudimages", "get", "/v2/cloudimages");
    for (const { id, status } of images) {
      await image(`ListImages ?id= ${status}`, "/v2/cloudimages", "get", `/v2/cloudimages?id=${id}`);
      await image(`GlanceShowImage ${status}`, "/v2/images/{image_id}", "get", `/v2/images/${id}`);
      await image(`ListImageTags ${status}`, "/v2/{project_id}/images/{image_id}/tags", "get", `/v2/${PROJECT_ID}/images/${id}/tags`);
    }
    const active = images.find((i) => i.status === "active")!;
    const queued = images.find((i) => i.status === "queued")!;
    const patch = (label: string, body: unknown) => image(`UpdateImage ${label}`, "/v2/cloudimages/{image_id}", "patch", `/v2/cloudimages/${active.id}`, { body: JSON.stringify(body) });
    await patch("updated", [{ op: "add", path: "/max_ram", value: 2048 }, { op: "add", path: "/my_attribute", value: "x" }]);
    await patch("refused", [{ op: "replace", path: "/__support_xen", value: "true" }]);
    await image("GlanceUpdateImage min_disk", "/v2/images/{image_id}", "patch", `/v2/images/${active.id}`, { body: JSON.stringify([{ op: "replace", path: "/min_disk", value: 60 }]) });
    await image("UpdateImage not active", "/v2/cloudimages/{image_id}", "patch", `/v2/cloudimages/${queued.id}`, { body: JSON.stringify([{ op: "add", path: "/name", value: "x" }]) });
    await image("GlanceDeleteImage being created", "/v2/images/{image_id}", "delete", `/v2/images/${queued.id}`);
    await image("GlanceShowImage unknown", "/v2/images/{image_id}", "get", "/v2/images/00000000-0000-0000-0000-000000000000");
    await image("ListImages bad marker", "/v2/cloudimages", "get", "/v2/cloudimages?marker=nothing");
    await image("ShowImageQuota", "/v1/cloudimages/quota", "get", "/v1/cloudimages/quota");
    await record("CreateImageInSafeMode", "/v2.1/cloudimages/action", "post", { url: "/v2.1/cloudimages/action", method: "POST", headers: TOKEN_HEADERS, body: JSON.stringify(bases.volume) });
    await create("refused body", { name: "ims_test" });
    await create("unknown field", { ...bases.serverSystem, instanceId: "x" });
    await record("no credentials", "/v2/cloudimages/action", "post", { url: "/v2/cloudimages/action", method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(bases.serverSystem) });
    await record("unknown job", "/v1/{project_id}/jobs/{job_id}", "get", { url: `/v1/${PROJECT_ID}/jobs/00000000000000000000000000000000`, headers: TOKEN_HEADERS });
    await record("Prefer code=403", "/v2/cloudimages/action", "post", { url: "/v2/cloudimages/action", method: "POST", headers: { ...TOKEN_HEADERS, Prefer: "code=403" }, body: JSON.stringify(bases.serverSystem) });
  }, 60_000);
  afterAll(() => stub.close());

  it("covers each status of each job shape, each image status and each error shape", () => {
    const statuses = new Set(answers.map((a) => (a.body as { status?: string }).status).filter(Boolean));
    expect([...statuses].sort()).toEqual(["FAIL", "INIT", "RUNNING", "SUCCESS", "active", "queued"]);
    expect(new Set(answers.map((a) => a.label.split(" ")[0]))).toEqual(
      new Set(["CreateImage", "ShowJob", "ShowJobProgress", "ListImages", "GlanceShowImage", "ListImageTags", "UpdateImage", "GlanceUpdateImage", "GlanceDeleteImage", "ShowImageQuota", "CreateImageInSafeMode", "no", "unknown", "Prefer"]),
    );
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200, 400, 401, 403, 404]));
  });

  it("each answer is valid for both", () => {
    const disagreements = answers
      .map((answer) => ({ answer, result: verdicts(responseSchemaPointer(answer.path, answer.method, answer.status), answer.body) }))
      .filter(({ result }) => !(result[0] && result[1]))
      .map(({ answer, result }) => `${answer.label} (${answer.status}): standard ${result[0]}, redocly ${result[1]} ${result[2]}`);
    expect(disagreements).toEqual([]);
  });

  it("both refuse a job whose error fields disagree with its status", () => {
    const job = answers.find((a) => (a.body as { status?: string }).status === "SUCCESS")!;
    const wrong = { ...(job.body as object), error_code: "IMG.0005" };
    expect(verdicts(responseSchemaPointer(job.path, job.method, 200), wrong).slice(0, 2)).toEqual([false, false]);
  });
});

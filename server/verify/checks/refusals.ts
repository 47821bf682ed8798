// The documented refusals of a create body on the v2.1 path (CreateImageInSafeMode takes the same bodies under
// the same rules): the same table the `refusedBodies` workflow sends to v2, read from the workflows, so there is
// one list of refusals. Each must be 400 with its IMG code. Creates nothing at an honest provider.
import type { Run } from "../run.js";
import type { Workflow } from "../workflows.js";

const CODE = /\$response\.body#\/error\/code == '(IMG\.\d{4})'/;

export async function checkSafeModeRefusals(run: Run, workflows: readonly Workflow[]): Promise<void> {
  const table = workflows.find((workflow) => workflow.workflowId === "refusedBodies")?.steps ?? [];
  for (const step of table) {
    const code = step.successCriteria?.map((criterion) => CODE.exec(criterion.condition)?.[1]).find(Boolean);
    if (step.operationId !== "CreateImage" || !code || step.requestBody === undefined) continue;
    await run.expect(
      "refusal",
      `v2.1: ${step.description ?? step.stepId}`,
      "CreateImageInSafeMode refuses each body CreateImage refuses, with the same status and IMG code",
      "POST",
      "/v2.1/cloudimages/action",
      { body: step.requestBody.payload },
      { status: 400, code },
    );
  }
}

const UNKNOWN_RULE = "an image or job that does not exist (or is another project's) is 404 IMG.0121";

/** Calls the contract refuses whatever the provider holds: malformed bodies, and resources that do not exist. */
export async function checkRefusedCalls(run: Run, unknown: { imageId: string; jobId: string }): Promise<void> {
  const project = run.provider.projectId;
  const { imageId, jobId } = unknown;
  const expectations: [string, string, string, Parameters<Run["expect"]>[5], Parameters<Run["expect"]>[6], string][] = [
    ["a body that is not JSON", "POST", "/v2/cloudimages/action", { rawBody: '{"name":', contentType: "application/json" }, { status: 400, code: "IMG.0001" }, "a malformed body is 400 IMG.0001"],
    ["v2.1: a body that is not JSON", "POST", "/v2.1/cloudimages/action", { rawBody: '{"name":', contentType: "application/json" }, { status: 400, code: "IMG.0001" }, "a malformed body is 400 IMG.0001"],
    ["a body that is not application/json", "POST", "/v2/cloudimages/action", { rawBody: "name=ims_verify", contentType: "text/plain" }, { status: [400, 415] }, "a body of another media type is refused (415, or 400 IMG.0001)"],
    ["an unknown job", "GET", `/v1/${project}/jobs/${jobId}`, {}, { status: 404, code: "IMG.0121" }, UNKNOWN_RULE],
    ["an unknown job's progress", "GET", `/v1/cloudimages/job/${jobId}`, {}, { status: 404, code: "IMG.0121" }, UNKNOWN_RULE],
    ["an unknown image", "GET", `/v2/images/${imageId}`, {}, { status: 404, code: "IMG.0121" }, UNKNOWN_RULE],
    ["an update of an unknown image", "PATCH", `/v2/cloudimages/${imageId}`, { body: [{ op: "replace", path: "/name", value: "ims_verify" }] }, { status: 404, code: "IMG.0121" }, UNKNOWN_RULE],
    ["a native update of an unknown image", "PATCH", `/v2/images/${imageId}`, { body: [{ op: "replace", path: "/name", value: "ims_verify" }], contentType: "application/openstack-images-v2.1-json-patch" }, { status: 404, code: "IMG.0121" }, UNKNOWN_RULE],
    ["a delete of an unknown image", "DELETE", `/v2/images/${imageId}`, {}, { status: 404, code: "IMG.0121" }, UNKNOWN_RULE],
    ["the tags of an unknown image", "GET", `/v2/${project}/images/${imageId}/tags`, {}, { status: 404, code: "IMG.0121" }, UNKNOWN_RULE],
    ["a tag change of an unknown image", "POST", `/v2/${project}/images/${imageId}/tags/action`, { body: { action: "create", tags: [{ key: "ims_verify", value: "x" }] } }, { status: 404, code: "IMG.0121" }, UNKNOWN_RULE],
    ["a marker that names no image", "GET", `/v2/cloudimages?marker=${imageId}`, {}, { status: 400, code: "IMG.0027" }, "ListImages: a marker that names no image is 400 IMG.0027"],
    ["a method the path does not take", "PUT", "/v2/cloudimages/action", { body: { name: "ims_verify" } }, { status: [404, 405] }, "a method an IMS path does not take is refused (405, or the gateway's 404), never served"],
  ];
  await Promise.all(expectations.map(([name, method, target, options, expected, rule]) => run.expect("refusal", name, rule, method, target, options, expected)));
  const emptyRule = "ListImages ?id= of an image that does not exist answers an empty list";
  const empty = await run.expect("refusal", "?id= of an unknown image lists nothing", emptyRule, "GET", `/v2/cloudimages?id=${imageId}`, {}, { status: 200 });
  if (empty.status === 200) {
    const images = (empty.json as { images?: unknown[] } | undefined)?.images;
    run.hold("refusal", "?id= of an unknown image: the list is empty", emptyRule, Array.isArray(images) && images.length === 0, `listed ${JSON.stringify(images).slice(0, 200)}`, empty);
  }
}

/**
 * Rules a lax provider skips most often, each broken alone, on both create paths; the status and IMG code are
 * the contract's own verdict on the body (the rule's `x-ims-error-code`), so this list holds no codes of its own.
 */
export async function checkCreateRules(run: Run): Promise<void> {
  const { instanceId } = run.settings.sources;
  const base = { name: "ims_verify_rule", instance_id: instanceId };
  const bodies: [string, Record<string, unknown>][] = [
    ["both tags and image_tags", { ...base, tags: ["ims_verify.a"], image_tags: [{ key: "ims_verify", value: "a" }] }],
    ["image_tags that repeat a key", { ...base, image_tags: [{ key: "ims_verify", value: "a" }, { key: "ims_verify", value: "b" }] }],
    ["tags that repeat a key", { ...base, tags: ["ims_verify.a", "ims_verify.b"] }],
    ["a name of 129 characters", { ...base, name: "n".repeat(129) }],
    ["min_ram above max_ram", { ...base, min_ram: 4096, max_ram: 2048 }],
    ["a misspelt field beside the right ones", { ...base, os_typ: "Linux" }],
  ];
  for (const [path, operationId] of [["/v2/cloudimages/action", "CreateImage"], ["/v2.1/cloudimages/action", "CreateImageInSafeMode"]] as const) {
    for (const [what, body] of bodies) {
      const expected = run.contract.expectedRefusal(operationId, body);
      if (!expected) continue;
      await run.expect("refusal", `${operationId}: ${what}`, `the contract refuses ${what}: ${expected.status} ${expected.code}`, "POST", path, { body }, expected);
    }
  }
}

/** Changes the contract refuses whatever the image: read-only or unknown attributes, an op JSON-patch IMS does not take. */
export async function checkUpdateRules(run: Run, imageId: string): Promise<void> {
  const patches: [string, unknown][] = [
    ["a replace of the read-only /id", [{ op: "replace", path: "/id", value: "ims-verify" }]],
    ["a replace of the read-only /status", [{ op: "replace", path: "/status", value: "deleted" }]],
    ["an op IMS does not take (move)", [{ op: "move", path: "/name", value: "ims_verify" }]],
    ["a valid change beside a refused one", [{ op: "replace", path: "/name", value: "ims_verify_half" }, { op: "replace", path: "/owner", value: "ims-verify" }]],
  ];
  for (const [what, patch] of patches) {
    const expected = run.contract.expectedRefusal("UpdateImage", patch);
    if (!expected) continue;
    await run.expect("refusal", `UpdateImage: ${what}`, `the contract refuses ${what}: ${expected.status} ${expected.code}, and the image is unchanged`, "PATCH", `/v2/cloudimages/${imageId}`, { body: patch }, expected);
  }
}

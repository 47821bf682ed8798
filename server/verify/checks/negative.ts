// Generated negative tests: valid bodies of each operation, each spoiled in one way (a field dropped, a value of
// the wrong type or out of range, an unknown field, two request bodies mixed, not an object at all), kept only
// when the contract itself refuses the result, and sent: each must be refused with 400 and an IMG code, never
// accepted and never a 5xx (Schemathesis's `negative_data_rejection`). Seeded: `--seed` replays a run's bodies.
import type { Run } from "../run.js";
import { unknownImageId } from "./samples.js";
import { seededRandom } from "../../seeded-random.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const OTHER_TYPES: Json[] = [42, -1, "ims-verify", true, null, [], {}, 1.5];

/** The path of every value inside a JSON value (the root's own excepted), as keys. */
function nodes(value: Json, at: (string | number)[] = []): (string | number)[][] {
  const children: [string | number, Json][] = Array.isArray(value) ? value.map((item, i) => [i, item]) : value && typeof value === "object" ? Object.entries(value) : [];
  return children.flatMap(([key, item]) => [[...at, key], ...nodes(item, [...at, key])]);
}

function setAt(root: Json, path: (string | number)[], value: Json | undefined): Json {
  const copy = structuredClone(root);
  let node = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path.at(-1)!;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = value;
  return copy;
}

const getAt = (root: Json, path: (string | number)[]) => path.reduce<Json>((node, key) => (node as Record<string | number, Json>)[key]!, root);

/** One body spoiled one way, with a word for how. */
function spoil(base: Json, others: readonly Json[], random: () => number): { body: Json; how: string } {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const paths = nodes(base);
  switch (pick(["drop", "type", "range", "unknown", "mix", "shape"] as const)) {
    case "drop": {
      const path = pick(paths);
      return { body: setAt(base, path, undefined), how: `without ${path.join(".")}` };
    }
    case "type": {
      const path = pick(paths);
      const value = pick(OTHER_TYPES.filter((v) => typeof v !== typeof getAt(base, path)));
      return { body: setAt(base, path, value), how: `${path.join(".")} = ${JSON.stringify(value)}` };
    }
    case "range": {
      const path = pick(paths);
      const current = getAt(base, path);
      const value = typeof current === "number" ? pick([-1, 2 ** 31, 0.5]) : typeof current === "string" ? pick(["x".repeat(1025), "", " ", "%%%"]) : pick(OTHER_TYPES);
      return { body: setAt(base, path, value), how: `${path.join(".")} = ${JSON.stringify(value).slice(0, 20)}` };
    }
    case "unknown": {
      const objects = [[], ...paths].filter((path) => {
        const node = path.length === 0 ? base : getAt(base, path);
        return node !== null && typeof node === "object" && !Array.isArray(node);
      });
      // Every base is an object or holds one, so there is always somewhere to put it.
      const path = pick(objects);
      return { body: setAt(base, [...path, "ims_verify_unknown"], "x"), how: `an unknown field at ${path.join(".") || "the top"}` };
    }
    case "mix": {
      const other = pick(others);
      if (base && typeof base === "object" && !Array.isArray(base) && other && typeof other === "object" && !Array.isArray(other)) {
        return { body: { ...other, ...base }, how: "two request bodies in one" };
      }
      return { body: [base, other], how: "two bodies in an array" };
    }
    default: {
      const value = pick([[base], "ims-verify", 7, null, Array.isArray(base) ? { items: base } : []] as Json[]);
      return { body: value, how: `a ${value === null ? "null" : Array.isArray(value) ? "array" : typeof value} body` };
    }
  }
}

type Target = { operationId: string; method: string; target: string; contentType?: string; bases: Json[] };

function targets(run: Run, imageId: string): Target[] {
  const { instanceId, volumeId, imageUrl } = run.settings.sources;
  const creates: Json[] = [
    { name: "ims_verify_negative", instance_id: instanceId, description: "ims-verify", min_ram: 1024, max_ram: 2048, tags: ["ims_verify.negative"] },
    { data_images: [{ name: "ims_verify_negative", volume_id: volumeId, description: "ims-verify" }] },
    { name: "ims_verify_negative", image_url: imageUrl, min_disk: 40, os_version: "CentOS 7.0 64bit" },
    { name: "ims_verify_negative", volume_id: volumeId, os_version: "CentOS 7.0 64bit", image_tags: [{ key: "ims_verify", value: "negative" }] },
  ];
  const patch: Json[] = [[{ op: "replace", path: "/name", value: "ims_verify_negative" }], [{ op: "add", path: "/__description", value: "ims-verify" }, { op: "replace", path: "/min_ram", value: 1024 }]];
  const project = run.provider.projectId;
  return [
    { operationId: "CreateImage", method: "POST", target: "/v2/cloudimages/action", bases: creates },
    { operationId: "CreateImageInSafeMode", method: "POST", target: "/v2.1/cloudimages/action", bases: creates },
    { operationId: "UpdateImage", method: "PATCH", target: `/v2/cloudimages/${imageId}`, bases: patch },
    { operationId: "GlanceUpdateImage", method: "PATCH", target: `/v2/images/${imageId}`, contentType: "application/openstack-images-v2.1-json-patch", bases: patch },
    { operationId: "BatchAddOrDeleteTags", method: "POST", target: `/v2/${project}/images/${imageId}/tags/action`, bases: [{ action: "create", tags: [{ key: "ims_verify", value: "negative" }] }, { action: "delete", tags: [{ key: "ims_verify", value: "" }] }] },
  ];
}

/**
 * Sends `perOperation` spoiled bodies to each operation with a body. With the ID of an image the run owns, an
 * image operation must answer 400; with an unknown image, 404 is as good a refusal.
 */
export async function checkNegativeBodies(run: Run, perOperation: number, ownImageId?: string): Promise<void> {
  const random = seededRandom(run.settings.seed + (ownImageId ? 1 : 0));
  const imageId = ownImageId ?? unknownImageId();
  for (const target of targets(run, imageId)) {
    // With an image of its own the run checks the image operations here; the creates were checked without one.
    if (ownImageId && !target.target.includes(imageId)) continue;
    const seen = new Set<string>();
    const cases: { body: Json; how: string }[] = [];
    for (let tries = 0; cases.length < perOperation && tries < perOperation * 20; tries++) {
      const spoiled = spoil(target.bases[Math.floor(random() * target.bases.length)]!, target.bases, random);
      const key = JSON.stringify(spoiled.body);
      if (seen.has(key) || run.contract.expectedRefusal(target.operationId, spoiled.body) === undefined) continue;
      seen.add(key);
      cases.push(spoiled);
    }
    const isImageOperation = target.target.includes(imageId);
    const statuses = isImageOperation && !ownImageId ? [400, 404] : [400];
    for (const { body, how } of cases) {
      await run.expect(
        "negative",
        `refuses a body ${how}`,
        "a request body the contract's schema refuses is answered 400 with an IMG code, never accepted (IMS: IMG.0001 and the field's own code)",
        target.method,
        target.target,
        { body, ...(target.contentType && { contentType: target.contentType }) },
        { status: statuses, code: /^IMG\.\d{4}$/ },
      );
    }
  }
}

/** Query parameters out of their documented range or enum: 400 with an IMG code. */
export async function checkNegativeParameters(run: Run): Promise<void> {
  for (const query of ["limit=0", "limit=abc", "sort_dir=up", "sort_key=ims_verify", "status=bogus"]) {
    await run.expect("negative", `refuses ListImages ?${query}`, "ListImages's query parameters outside their documented values are refused with 400 and an IMG code", "GET", `/v2/cloudimages?${query}`, {}, { status: 400, code: /^IMG\.\d{4}$/ });
  }
}

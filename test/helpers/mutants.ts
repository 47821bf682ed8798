// Provider mutants: each is one realistic bug of another team's IMS mock or of a regressed service, applied by the
// mutating proxy (mutating-proxy.ts) in front of an honest stub. Each breaks a rule the contract or the IMS docs
// state, named in its `rule`; none changes a behaviour the contract leaves open. `ims-verify` should fail each
// (test/contract/mutants.test.ts measures how many it does).
import { loadSpec } from "../../server/contract/spec.ts";
import { type Answer, type Behaviour, type Exchange, type ProviderContext, imsError, jsonAnswer, jsonOf, withJson } from "./mutating-proxy.ts";

export type MutantClass = "lax-validation" | "wrong-refusal" | "state" | "protocol" | "response-types" | "isolation" | "path";

export const MUTANT_CLASSES: readonly MutantClass[] = ["lax-validation", "wrong-refusal", "state", "protocol", "response-types", "isolation", "path"];

export type Mutant = {
  id: string;
  class: MutantClass;
  /** The contract's operations whose answers the bug changes. */
  operations: readonly string[];
  /** What the faulty provider does. */
  description: string;
  /** The rule it breaks, and where the contract or the IMS docs state it. */
  rule: string;
  /** A fresh instance of the bug (a mutant may keep memory: a cache, what it deleted). */
  create(): Behaviour;
};

const CREATES = ["CreateImage", "CreateImageInSafeMode"];
const IMAGE_ANSWERS = ["ListImages", "GlanceShowImage", "UpdateImage", "GlanceUpdateImage"];
/** A server of the stub's world: a create from it succeeds. */
const KNOWN_SERVER = "877a2cda-ba63-4e1e-b95f-e67e48b6129a";

function bodyOf(exchange: Exchange): any {
  try {
    return exchange.body ? JSON.parse(exchange.body.toString("utf8")) : undefined;
  } catch {
    return undefined;
  }
}

function withBody(exchange: Exchange, body: unknown): Exchange {
  return { ...exchange, body: Buffer.from(JSON.stringify(body)) };
}

const codeOf = (answer: Answer): string | undefined => jsonOf(answer)?.error?.code;
const isObject = (value: unknown): value is Record<string, any> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Runs `change` on every image an answer holds: ListImages' `images[]`, or the flat image of the others. */
function eachImage(exchange: Exchange, answer: Answer, change: (image: Record<string, any>) => void): Answer | undefined {
  if (answer.status !== 200 || !IMAGE_ANSWERS.includes(exchange.operationId ?? "")) return undefined;
  const body = jsonOf(answer);
  if (!isObject(body)) return undefined;
  for (const image of exchange.operationId === "ListImages" ? (Array.isArray(body.images) ? body.images : []) : [body]) change(image);
  return withJson(answer, body);
}

/** What the honest stub shows of an image now (GlanceShowImage), or undefined when it shows none. */
async function currentImage(context: ProviderContext, id: string): Promise<Record<string, any> | undefined> {
  const { status, json } = await context.call("GET", `/v2/images/${encodeURIComponent(id)}`);
  return status === 200 && isObject(json) ? json : undefined;
}

async function currentTags(context: ProviderContext, id: string): Promise<{ key: string; value: string }[] | undefined> {
  const { status, json } = await context.call("GET", `/v2/${context.projectId}/images/${encodeURIComponent(id)}/tags`);
  return status === 200 && Array.isArray(json?.tags) ? json.tags : undefined;
}

const changeTags = (context: ProviderContext, id: string, action: "create" | "delete", tags: { key: string; value: string }[]) =>
  context.call("POST", `/v2/${context.projectId}/images/${encodeURIComponent(id)}/tags/action`, { action, tags });

/** Every field a CreateImage body (any of its branches) or a data_images item may have. */
const CREATE_FIELDS = (() => {
  const schemas = loadSpec("openapi").components.schemas as Record<string, { properties?: Record<string, unknown> }>;
  const fields = (names: string[]) => new Set(names.flatMap((name) => Object.keys(schemas[name]?.properties ?? {})));
  return {
    body: fields(["CreateSystemImageFromServer", "CreateDataImagesFromServer", "CreateImageFromFile", "CreateSystemImageFromVolume"]),
    item: fields(["ServerDataImage", "FileDataImage"]),
  };
})();

const pick = (object: Record<string, unknown>, keep: Set<string>) => Object.fromEntries(Object.entries(object).filter(([key]) => keep.has(key)));

/** Keeps the last of each repeated tag key. */
function lastOfEachKey(tags: unknown): unknown {
  if (!Array.isArray(tags)) return tags;
  const byKey = new Map<unknown, unknown>();
  for (const tag of tags) byKey.set(isObject(tag) ? tag.key : tag, tag);
  return [...byKey.values()];
}

/** A change of the request on the way in, for the operations named. */
function onRequest(operations: readonly string[], change: (exchange: Exchange, context: ProviderContext) => Promise<Exchange | Answer | undefined> | Exchange | Answer | undefined): Behaviour {
  return { request: (exchange, context) => (operations.includes(exchange.operationId ?? "") ? change(exchange, context) : undefined) };
}

/** A change of the answer on the way out, for the operations named. */
function onAnswer(operations: readonly string[], change: (exchange: Exchange, answer: Answer, context: ProviderContext) => Promise<Answer | undefined> | Answer | undefined): Behaviour {
  return { response: (exchange, answer, context) => (operations.includes(exchange.operationId ?? "") ? change(exchange, answer, context) : undefined) };
}

/** A create body, changed when it parses as an object. */
function createBody(change: (body: Record<string, any>) => Record<string, any> | undefined): Behaviour {
  return onRequest(CREATES, (exchange) => {
    const body = bodyOf(exchange);
    if (!isObject(body)) return undefined;
    const changed = change(body);
    return changed ? withBody(exchange, changed) : undefined;
  });
}

/** Another project's ID in the path is taken as the caller's: the mock never compares them. */
function ignorePathProject(operation: string): Behaviour {
  return onRequest([operation], (exchange, context) => {
    const other = exchange.params.project_id;
    if (other === undefined || other === context.projectId) return undefined;
    return { ...exchange, path: exchange.path.replace(`/${encodeURIComponent(other)}/`, `/${context.projectId}/`), params: { ...exchange.params, project_id: context.projectId } };
  });
}

export const MUTANTS: readonly Mutant[] = [
  // ── lax validation: a body or a parameter the contract refuses is taken ──
  {
    id: "lax-name-too-long",
    class: "lax-validation",
    operations: CREATES,
    description: "An image name over 128 characters is cut to 128 and the image is made.",
    rule: "A name has 1 to 128 characters; a longer one is 400 IMG.0002 (ImageName.yaml; ims-api-facts §3.1, IMG.0002).",
    create: () =>
      createBody((body) => {
        const cut = (item: Record<string, any>) => (typeof item.name === "string" && item.name.length > 128 ? { ...item, name: item.name.slice(0, 128) } : item);
        if (!(typeof body.name === "string" && body.name.length > 128) && !(Array.isArray(body.data_images) && body.data_images.some((i: any) => i?.name?.length > 128))) return undefined;
        return { ...cut(body), ...(Array.isArray(body.data_images) && { data_images: body.data_images.map((item: unknown) => (isObject(item) ? cut(item) : item)) }) };
      }),
  },
  {
    id: "lax-unknown-field",
    class: "lax-validation",
    operations: CREATES,
    description: "Fields no create body lists (a misspelt `instanceId`, `os_typ`) are dropped silently and the image is made from the rest.",
    rule: "Every create body is closed: a field its table does not list is 400 IMG.0001 (CreateImageRequestBody.yaml: additionalProperties false).",
    create: () =>
      createBody((body) => {
        const items = Array.isArray(body.data_images) ? body.data_images : undefined;
        const unknown = Object.keys(body).some((key) => !CREATE_FIELDS.body.has(key)) || items?.some((item: unknown) => isObject(item) && Object.keys(item).some((key) => !CREATE_FIELDS.item.has(key)));
        if (!unknown) return undefined;
        return { ...pick(body, CREATE_FIELDS.body), ...(items && { data_images: items.map((item: unknown) => (isObject(item) ? pick(item, CREATE_FIELDS.item) : item)) }) };
      }),
  },
  {
    id: "lax-tags-and-image-tags",
    class: "lax-validation",
    operations: CREATES,
    description: "A body with both `tags` and `image_tags` is taken: the old-format `tags` are dropped.",
    rule: "`tags` and `image_tags` cannot be used together (seed: tags和image_tags只能使用一个; each create body's `not: required [tags, image_tags]`), 400.",
    create: () => createBody((body) => (body.tags !== undefined && body.image_tags !== undefined ? (({ tags: _tags, ...rest }) => rest)(body) : undefined)),
  },
  {
    id: "lax-min-ram-above-max-ram",
    class: "lax-validation",
    operations: CREATES,
    description: "`min_ram` above `max_ram` is taken (each is checked alone): the image is made with max_ram raised to min_ram.",
    rule: "A min_ram above a non-zero max_ram is 400 IMG.0055 (MinRam.yaml), a rule no schema keyword can say.",
    create: () =>
      createBody((body) =>
        typeof body.min_ram === "number" && typeof body.max_ram === "number" && body.max_ram !== 0 && body.min_ram > body.max_ram ? { ...body, max_ram: body.min_ram } : undefined,
      ),
  },
  {
    id: "lax-safe-mode-unchecked",
    class: "lax-validation",
    operations: ["CreateImageInSafeMode"],
    description: "The v2.1 create checks no body: what v2 refuses, v2.1 takes and makes an image from the server it defaults to.",
    rule: "CreateImageInSafeMode takes the same body with the same rules and codes as CreateImage (v2.1_cloudimages_action.yaml; ims-image-api §2).",
    create: () =>
      onAnswer(["CreateImageInSafeMode"], (exchange, answer, context) => {
        if (answer.status !== 400 || ["IMG.0015", "IMG.0060"].includes(codeOf(answer) ?? "")) return undefined;
        return context.forward({ ...withBody(exchange, { name: "ims_safe_mode", instance_id: KNOWN_SERVER }), headers: { ...exchange.headers, "content-type": "application/json" } });
      }),
  },
  {
    id: "lax-update-skips-invalid",
    class: "lax-validation",
    operations: ["UpdateImage"],
    description: "An update with an operation the contract refuses (a read-only path such as /id, an op `move`) skips it and answers 200 with the image.",
    rule: "A read-only or unknown attribute, or an op other than add/replace/remove, is 400 IMG.0001, and an update applies all its changes or none (UpdateImageOperation.yaml).",
    create: () =>
      onAnswer(["UpdateImage"], async (exchange, answer, context) => {
        if (answer.status !== 400 || codeOf(answer) !== "IMG.0001") return undefined;
        const image = await currentImage(context, exchange.params.image_id!);
        return image ? jsonAnswer(200, image) : undefined;
      }),
  },
  {
    id: "lax-repeated-tag-keys",
    class: "lax-validation",
    operations: ["BatchAddOrDeleteTags", ...CREATES],
    description: "Tags that repeat a key (in a tags call or a create's image_tags) are taken: the last one wins.",
    rule: "Tag keys are unique within one request: a repeated key is 400 IMG.0115 (BatchImageTagsRequest.yaml; the stub's checkBeyondSchema for image_tags).",
    create: () =>
      onRequest(["BatchAddOrDeleteTags", ...CREATES], (exchange) => {
        const body = bodyOf(exchange);
        if (!isObject(body)) return undefined;
        const field = exchange.operationId === "BatchAddOrDeleteTags" ? "tags" : "image_tags";
        if (!Array.isArray(body[field])) return undefined;
        return withBody(exchange, { ...body, [field]: lastOfEachKey(body[field]) });
      }),
  },

  // ── wrong refusal: refused, but with the wrong status or IMG code ──
  {
    id: "wrong-code-safe-mode-generic",
    class: "wrong-refusal",
    operations: ["CreateImageInSafeMode"],
    description: "The v2.1 create has a validator of its own that answers every refusal of a body IMG.0001 (a name too long, min_disk out of range, a bad image_url…).",
    rule: "Each documented refusal has its own IMG code on both create paths (refusedBodies; v2.1_cloudimages_action.yaml; ims-api-facts §2.2).",
    create: () =>
      onAnswer(["CreateImageInSafeMode"], (_exchange, answer) => {
        const code = codeOf(answer);
        if (answer.status !== 400 || !code || ["IMG.0001", "IMG.0007", "IMG.0015", "IMG.0060"].includes(code)) return undefined;
        return imsError(400, "IMG.0001", "The request message format is invalid.");
      }),
  },
  {
    id: "wrong-code-min-ram-above-max-ram",
    class: "wrong-refusal",
    operations: ["CreateImage"],
    description: "min_ram above max_ram is refused, but as IMG.0001 (the mock's cross-field check throws a generic error).",
    rule: "A min_ram above a non-zero max_ram is 400 IMG.0055 (MinRam.yaml; ims-api-facts §2.2: IMG.0055 memory or disk size invalid).",
    create: () =>
      onAnswer(["CreateImage"], (exchange, answer) => {
        const body = bodyOf(exchange);
        if (codeOf(answer) !== "IMG.0055" || !isObject(body) || !(body.min_ram > body.max_ram)) return undefined;
        return imsError(400, "IMG.0001", "The request message format is invalid.");
      }),
  },
  {
    id: "wrong-status-422",
    class: "wrong-refusal",
    operations: ["CreateImage"],
    description: "Refusals of a v2 create body are 422 Unprocessable Entity (a web framework's default) with the right IMG code.",
    rule: "IMS answers a body it refuses with 400 and the IMG code (ims-api-facts §2.1, HW-0908: 所有的扩展接口发生400错误时…; CreateImage responses: 400).",
    create: () => onAnswer(["CreateImage"], (_exchange, answer) => (answer.status === 400 ? { ...answer, status: 422 } : undefined)),
  },
  {
    id: "wrong-status-unknown-image-400",
    class: "wrong-refusal",
    operations: ["GlanceShowImage", "UpdateImage", "GlanceUpdateImage", "GlanceDeleteImage", "ListImageTags", "BatchAddOrDeleteTags"],
    description: "An unknown image is 400 IMG.0027 \"The image ID in the request does not exist\" instead of 404.",
    rule: "An unknown or deleted image is 404 (ImageNotFound.yaml; GlanceShowImage: a client waiting for a deletion polls until 404).",
    create: () =>
      onAnswer(["GlanceShowImage", "UpdateImage", "GlanceUpdateImage", "GlanceDeleteImage", "ListImageTags", "BatchAddOrDeleteTags"], (_exchange, answer) =>
        answer.status === 404 ? imsError(400, "IMG.0027", "The image ID in the request does not exist.") : undefined,
      ),
  },
  {
    id: "wrong-status-unknown-job-500",
    class: "wrong-refusal",
    operations: ["ShowJob", "ShowJobProgress"],
    description: "A job ID that names no job is a 500 IMG.0061 (the service dereferences the missing job).",
    rule: "A job that does not exist, or is another project's, is 404 IMG.0121 (NotFound.yaml; refusedCalls' unknownJob).",
    create: () => onAnswer(["ShowJob", "ShowJobProgress"], (_exchange, answer) => (answer.status === 404 ? imsError(500, "IMG.0061", "Unknown system error.") : undefined)),
  },
  {
    id: "wrong-status-delete-running-409",
    class: "wrong-refusal",
    operations: ["GlanceDeleteImage"],
    description: "A delete of an image whose job still runs is refused as 409 Conflict instead of 400.",
    rule: "Deleting an image whose creating job runs is 400 IMG.0090 (v2_images_{image_id}.yaml GlanceDeleteImage; ims-image-api §1.4).",
    create: () => onAnswer(["GlanceDeleteImage"], (_exchange, answer) => (codeOf(answer) === "IMG.0090" ? { ...answer, status: 409 } : undefined)),
  },
  {
    id: "wrong-code-attribute-conflict",
    class: "wrong-refusal",
    operations: ["UpdateImage", "GlanceUpdateImage"],
    description: "A `replace` of an attribute the image lacks is IMG.0001, so Terraform never retries with `add`.",
    rule: "A replace or remove of an absent attribute is 400 IMG.0035 (UpdateImageOperation.yaml; ims-image-api §1.3, Terraform's processUpdateDescriptionError).",
    create: () => onAnswer(["UpdateImage", "GlanceUpdateImage"], (_exchange, answer) => (codeOf(answer) === "IMG.0035" ? imsError(400, "IMG.0001", "The request message format is invalid.") : undefined)),
  },

  // ── state: what the provider does, not only what it answers ──
  {
    id: "quota-not-counted",
    class: "state",
    operations: ["ShowImageQuota"],
    description: "The quota is a constant: `used` is 0 whatever the project creates (a mock without quota accounting).",
    rule: "ShowImageQuota's `used` counts the project's private images; a create adds to it, a delete frees its place (ImageQuota.yaml; ims-api-facts §5).",
    create: () =>
      onAnswer(["ShowImageQuota"], (_exchange, answer) => {
        const body = jsonOf(answer);
        if (answer.status !== 200 || !Array.isArray(body?.quotas?.resources)) return undefined;
        for (const resource of body.quotas.resources) if (resource.type === "image") resource.used = 0;
        return withJson(answer, body);
      }),
  },
  {
    id: "quota-delete-not-freed",
    class: "state",
    operations: ["ShowImageQuota", "GlanceDeleteImage"],
    description: "A delete never frees its place in the quota: `used` only grows.",
    rule: "Deleting an image frees its place in the quota (GlanceDeleteImage description; ImageQuota.yaml).",
    create() {
      let deleted = 0;
      return {
        response(exchange, answer) {
          if (exchange.operationId === "GlanceDeleteImage" && answer.status === 204) deleted += 1;
          if (exchange.operationId !== "ShowImageQuota" || answer.status !== 200) return undefined;
          const body = jsonOf(answer);
          for (const resource of body?.quotas?.resources ?? []) if (resource.type === "image") resource.used += deleted;
          return withJson(answer, body);
        },
      };
    },
  },
  {
    id: "paging-marker-inclusive",
    class: "state",
    operations: ["ListImages"],
    description: "The page after a marker starts at the marker's image (an off-by-one: `>=` for `>`), so paging shows that image twice.",
    rule: "A page starts after the image `marker` names (ListImages' marker parameter: \"this page starts after it\").",
    create: () =>
      onAnswer(["ListImages"], async (exchange, answer, context) => {
        const marker = exchange.query.get("marker");
        const body = jsonOf(answer);
        if (answer.status !== 200 || !marker || exchange.query.has("id") || !Array.isArray(body?.images)) return undefined;
        const image = await currentImage(context, marker);
        if (!image) return undefined;
        const limit = Number(exchange.query.get("limit") ?? 500);
        return withJson(answer, { ...body, images: [image, ...body.images].slice(0, limit) });
      }),
  },
  {
    id: "paging-sort-dir-ignored",
    class: "state",
    operations: ["ListImages"],
    description: "`sort_dir` is ignored: pages are always newest first.",
    rule: "Pages follow sort_key and sort_dir (asc or desc) (ListImages: \"Pages follow sort_key and sort_dir\").",
    create: () =>
      onRequest(["ListImages"], (exchange) => {
        if (!exchange.query.has("sort_dir")) return undefined;
        const query = new URLSearchParams(exchange.query);
        query.delete("sort_dir");
        return { ...exchange, query };
      }),
  },
  {
    id: "delete-cache-show",
    class: "state",
    operations: ["GlanceShowImage"],
    description: "GlanceShowImage answers from a cache that a delete never invalidates: a deleted image is still shown (200).",
    rule: "After a delete the image is gone: GlanceShowImage answers 404 (GlanceDeleteImage description; Terraform's and the Go SDK's delete waits poll for 404).",
    create() {
      const cache = new Map<string, Answer>();
      return onAnswer(["GlanceShowImage"], (exchange, answer) => {
        const id = exchange.params.image_id!;
        if (answer.status === 200) cache.set(id, answer);
        else if (answer.status === 404 && cache.has(id)) return cache.get(id);
        return undefined;
      });
    },
  },
  {
    id: "delete-soft-list",
    class: "state",
    operations: ["ListImages", "GlanceDeleteImage"],
    description: "A deleted image stays in ListImages with status `deleted` (a soft delete the list does not filter).",
    rule: "After a delete, ListImages with ?id= answers an empty list: the image is gone (GlanceDeleteImage description; Terraform waits for images[0] to be null).",
    create() {
      const gone = new Map<string, Record<string, any>>();
      return {
        async request(exchange, context) {
          if (exchange.operationId !== "GlanceDeleteImage") return undefined;
          const image = await currentImage(context, exchange.params.image_id!);
          const answer = await context.forward(exchange);
          if (answer.status === 204 && image) gone.set(image.id, { ...image, status: "deleted" });
          return answer;
        },
        response(exchange, answer) {
          const body = jsonOf(answer);
          if (exchange.operationId !== "ListImages" || answer.status !== 200 || !Array.isArray(body?.images) || gone.size === 0) return undefined;
          const id = exchange.query.get("id");
          const filters = [...exchange.query.keys()].filter((key) => !["limit", "marker", "sort_key", "sort_dir"].includes(key));
          const limit = Number(exchange.query.get("limit") ?? 500);
          if (id !== null && filters.length === 1 && gone.has(id)) return withJson(answer, { images: [gone.get(id)] });
          if (filters.length > 0 || body.images.length >= limit) return undefined;
          return withJson(answer, { images: [...body.images, ...gone.values()].slice(0, limit) });
        },
      };
    },
  },
  {
    id: "delete-twice-204",
    class: "state",
    operations: ["GlanceDeleteImage"],
    description: "A second delete of an image already deleted answers 204 again (an \"idempotent\" delete).",
    rule: "An unknown image, or one already deleted, is 404 (GlanceDeleteImage description).",
    create() {
      const deleted = new Set<string>();
      return onAnswer(["GlanceDeleteImage"], (exchange, answer) => {
        const id = exchange.params.image_id!;
        if (answer.status === 204) deleted.add(id);
        if (answer.status === 404 && deleted.has(id)) return { status: 204, headers: { "x-request-id": answer.headers["x-request-id"] ?? "" }, body: "" };
        return undefined;
      });
    },
  },
  {
    id: "delete-while-job-runs",
    class: "state",
    operations: ["GlanceDeleteImage", "GlanceShowImage", "ListImages", "ListImageTags", "ShowImageQuota"],
    description: "An image whose creating job still runs is deleted (204) at once; the provider hides it and drops it when the job ends.",
    rule: "An image whose creating job has not finished cannot be deleted: 400 IMG.0090 (GlanceDeleteImage description; ims-api-facts §2.3 IMG.0090).",
    create() {
      const hidden = new Set<string>();
      const pending = new Set<string>();
      const timers = new Set<NodeJS.Timeout>();
      const notFound = (id: string) => imsError(404, "IMG.0121", `No image ${id} in this project.`);
      return {
        request(exchange) {
          const id = exchange.params.image_id;
          if (id !== undefined && hidden.has(id) && ["GlanceShowImage", "ListImageTags", "UpdateImage", "GlanceUpdateImage", "BatchAddOrDeleteTags"].includes(exchange.operationId ?? "")) return notFound(id);
          return undefined;
        },
        response(exchange, answer, context) {
          const id = exchange.params.image_id;
          if (exchange.operationId === "GlanceDeleteImage" && id !== undefined) {
            if (hidden.has(id)) return notFound(id);
            if (codeOf(answer) !== "IMG.0090") return undefined;
            hidden.add(id);
            pending.add(id);
            const timer = setInterval(async () => {
              const { status } = await context.call("DELETE", `/v2/images/${encodeURIComponent(id)}`).catch(() => ({ status: 0 }));
              if (status === 204 || status === 404) {
                pending.delete(id);
                clearInterval(timer);
                timers.delete(timer);
              }
            }, 200);
            timer.unref();
            timers.add(timer);
            return { status: 204, headers: { "x-request-id": answer.headers["x-request-id"] ?? "" }, body: "" };
          }
          const body = jsonOf(answer);
          if (exchange.operationId === "ListImages" && answer.status === 200 && Array.isArray(body?.images) && hidden.size > 0) {
            return withJson(answer, { images: body.images.filter((image: { id?: string }) => !hidden.has(image.id ?? "")) });
          }
          if (exchange.operationId === "ShowImageQuota" && answer.status === 200 && pending.size > 0) {
            for (const resource of body?.quotas?.resources ?? []) if (resource.type === "image") resource.used = Math.max(0, resource.used - pending.size);
            return withJson(answer, body);
          }
          return undefined;
        },
        close() {
          for (const timer of timers) clearInterval(timer);
        },
      };
    },
  },
  {
    id: "tags-delete-noop",
    class: "state",
    operations: ["BatchAddOrDeleteTags"],
    description: "A tag delete answers 204 and deletes nothing.",
    rule: "`delete` removes each tag whose key the image has; read the result with ListImageTags (BatchImageTagsRequest.yaml).",
    create: () =>
      onRequest(["BatchAddOrDeleteTags"], async (exchange, context) => {
        const body = bodyOf(exchange);
        if (body?.action !== "delete") return undefined;
        const before = await currentTags(context, exchange.params.image_id!);
        const answer = await context.forward(exchange);
        if (answer.status === 204 && before?.length) await changeTags(context, exchange.params.image_id!, "create", before);
        return answer;
      }),
  },
  {
    id: "tags-create-replaces-all",
    class: "state",
    operations: ["BatchAddOrDeleteTags"],
    description: "A tag create replaces the image's tags with those given: the tags it had under other keys are lost.",
    rule: "`create` adds each tag; a key the image has gets the new value, the others stay (BatchImageTagsRequest.yaml).",
    create: () =>
      onRequest(["BatchAddOrDeleteTags"], async (exchange, context) => {
        const body = bodyOf(exchange);
        if (body?.action !== "create" || !Array.isArray(body.tags)) return undefined;
        const before = await currentTags(context, exchange.params.image_id!);
        const answer = await context.forward(exchange);
        const given = new Set(body.tags.map((tag: { key?: string }) => tag?.key));
        const others = (before ?? []).filter((tag) => !given.has(tag.key));
        if (answer.status === 204 && others.length) await changeTags(context, exchange.params.image_id!, "delete", others);
        return answer;
      }),
  },
  {
    id: "update-answers-before",
    class: "state",
    operations: ["UpdateImage"],
    description: "UpdateImage stores the change but answers the image as it was before it.",
    rule: "An update answers the updated image (UpdateImage 200: \"The image, updated\"; ims-image-api §1.3).",
    create: () =>
      onRequest(["UpdateImage"], async (exchange, context) => {
        const before = await currentImage(context, exchange.params.image_id!);
        const answer = await context.forward(exchange);
        return answer.status === 200 && before ? withJson(answer, before) : answer;
      }),
  },
  {
    id: "glance-update-not-stored",
    class: "state",
    operations: ["GlanceUpdateImage"],
    description: "GlanceUpdateImage answers the changed image but does not keep the change: a read afterwards shows the image as it was.",
    rule: "GlanceUpdateImage changes the image and answers it updated, with the same rules as UpdateImage (v2_images_{image_id}.yaml).",
    create: () =>
      onRequest(["GlanceUpdateImage"], async (exchange, context) => {
        const id = exchange.params.image_id!;
        const before = await currentImage(context, id);
        const answer = await context.forward(exchange);
        const operations = bodyOf(exchange);
        if (answer.status !== 200 || !before || !Array.isArray(operations)) return answer;
        const paths = [...new Set(operations.map((operation: { path?: string }) => operation?.path).filter((path): path is string => typeof path === "string"))];
        const undo = paths.map((path) => (path.slice(1) in before ? { op: "replace", path, value: before[path.slice(1)] } : { op: "remove", path }));
        await context.call("PATCH", `/v2/images/${encodeURIComponent(id)}`, undo);
        return answer;
      }),
  },
  {
    id: "update-patch-media-type-ignored",
    class: "state",
    operations: ["UpdateImage", "GlanceUpdateImage"],
    description: "An update sent as application/openstack-images-v2.1-json-patch (Huawei's Go client) is not read: 200 with the image unchanged.",
    rule: "Both update paths take application/json and application/openstack-images-v2.1-json-patch and answer the updated image (v2_cloudimages_{image_id}.yaml, v2_images_{image_id}.yaml).",
    create: () =>
      onRequest(["UpdateImage", "GlanceUpdateImage"], async (exchange, context) => {
        if (!exchange.headers["content-type"]?.startsWith("application/openstack-images-v2.1-json-patch")) return undefined;
        const image = await currentImage(context, exchange.params.image_id!);
        return image ? jsonAnswer(200, image) : undefined;
      }),
  },

  // ── protocol ──
  {
    id: "no-content-type-job",
    class: "protocol",
    operations: ["ShowJob", "ShowJobProgress"],
    description: "Job answers carry no Content-Type header (the handler writes the JSON text itself).",
    rule: "ShowJob and ShowJobProgress answer application/json (their 200 and error responses' content).",
    create: () =>
      onAnswer(["ShowJob", "ShowJobProgress"], (_exchange, answer) => {
        const { "content-type": _dropped, ...headers } = answer.headers;
        return { ...answer, headers };
      }),
  },
  {
    id: "text-plain-refusals",
    class: "protocol",
    operations: ["*"],
    description: "Every 4xx answer is labelled text/plain (the JSON error body is unchanged).",
    rule: "Refusals are application/json, the IMS ErrorBody or the gateway's flat body (every 4xx response of the contract; HW-0908).",
    create: () => ({
      response: (_exchange, answer) => (answer.status >= 400 && answer.status < 500 ? { ...answer, headers: { ...answer.headers, "content-type": "text/plain; charset=utf-8" } } : undefined),
    }),
  },
  {
    id: "delete-204-with-body",
    class: "protocol",
    operations: ["GlanceDeleteImage"],
    description: "A delete answers 204 with a JSON body and its Content-Type and Content-Length.",
    rule: "GlanceDeleteImage's 204 has no body (\"Deleted. No body.\"; RFC 9110 §15.3.5: a 204 has no content).",
    create: () =>
      onAnswer(["GlanceDeleteImage"], (_exchange, answer) =>
        answer.status === 204 ? { status: 204, headers: { ...answer.headers, "content-type": "application/json" }, body: JSON.stringify({ deleted: true }), rawBody: true } : undefined,
      ),
  },
  {
    id: "tags-200-with-body",
    class: "protocol",
    operations: ["BatchAddOrDeleteTags"],
    description: "A tags call answers 200 {} instead of 204.",
    rule: "BatchAddOrDeleteTags answers 204, no body (v2_{project_id}_images_{image_id}_tags_action.yaml; ims-image-api §1.5).",
    create: () => onAnswer(["BatchAddOrDeleteTags"], (_exchange, answer) => (answer.status === 204 ? jsonAnswer(200, {}, { "x-request-id": answer.headers["x-request-id"] ?? "" }) : undefined)),
  },

  // ── response types: an answer off the contract's schema ──
  {
    id: "max-ram-number",
    class: "response-types",
    operations: IMAGE_ANSWERS,
    description: "An image's `max_ram` is a number (4096), not a string.",
    rule: "Image.max_ram is a string of digits (Image.yaml; Terraform's flattenMaxRAM asserts a string, ims-api-facts §4.1).",
    create: () => ({
      response: (exchange, answer) =>
        eachImage(exchange, answer, (image) => {
          if (typeof image.max_ram === "string") image.max_ram = Number(image.max_ram);
        }),
    }),
  },
  {
    id: "disk-format-uppercase",
    class: "response-types",
    operations: ["GlanceShowImage", "ListImages"],
    description: "An image's `disk_format` is upper case (ZVHD2), a value off the enum.",
    rule: "Image.disk_format is one of vhd, zvhd, zvhd2, raw, qcow2, iso (Image.yaml; ims-api-facts §3.4).",
    create: () => ({
      response: (exchange, answer) =>
        ["GlanceShowImage", "ListImages"].includes(exchange.operationId ?? "")
          ? eachImage(exchange, answer, (image) => {
              if (typeof image.disk_format === "string") image.disk_format = image.disk_format.toUpperCase();
            })
          : undefined,
    }),
  },
  {
    id: "job-missing-job-type",
    class: "response-types",
    operations: ["ShowJob"],
    description: "ShowJob's answer has no `job_type`.",
    rule: "A job always has job_type (Job.yaml: required in JobInProgress, JobSucceeded and JobFailed).",
    create: () =>
      onAnswer(["ShowJob"], (_exchange, answer) => {
        const body = jsonOf(answer);
        if (answer.status !== 200 || !isObject(body)) return undefined;
        delete body.job_type;
        return withJson(answer, body);
      }),
  },
  {
    id: "job-success-empty-error",
    class: "response-types",
    operations: ["ShowJobProgress"],
    description: "A succeeded job shows `error_code: \"\"` and `fail_reason: \"\"` instead of null (a Go mock's zero strings).",
    rule: "On SUCCESS error_code and fail_reason are null (JobSucceeded.yaml; ims-api-facts §1.2 and §1.5 examples).",
    create: () =>
      onAnswer(["ShowJobProgress"], (_exchange, answer) => {
        const body = jsonOf(answer);
        if (answer.status !== 200 || body?.status !== "SUCCESS") return undefined;
        return withJson(answer, { ...body, error_code: "", fail_reason: "" });
      }),
  },
  {
    id: "quota-missing-min-max",
    class: "response-types",
    operations: ["ShowImageQuota"],
    description: "The quota's resources have no `min` and `max`.",
    rule: "Each quota resource has type, used, quota, min and max (ImageQuota.yaml: required; ims-api-facts §5).",
    create: () =>
      onAnswer(["ShowImageQuota"], (_exchange, answer) => {
        const body = jsonOf(answer);
        if (answer.status !== 200 || !Array.isArray(body?.quotas?.resources)) return undefined;
        return withJson(answer, { quotas: { resources: body.quotas.resources.map(({ min: _min, max: _max, ...rest }: Record<string, unknown>) => rest) } });
      }),
  },
  {
    id: "tags-as-map",
    class: "response-types",
    operations: ["ListImageTags"],
    description: "ListImageTags answers the tags as an object {key: value} instead of an array of {key, value}.",
    rule: "ListImageTags answers {\"tags\": [{key, value}]} (ImageTags.yaml; ims-image-api §1.5).",
    create: () =>
      onAnswer(["ListImageTags"], (_exchange, answer) => {
        const body = jsonOf(answer);
        if (answer.status !== 200 || !Array.isArray(body?.tags)) return undefined;
        return withJson(answer, { tags: Object.fromEntries(body.tags.map((tag: { key: string; value: string }) => [tag.key, tag.value])) });
      }),
  },

  // ── isolation ──
  {
    id: "job-other-project",
    class: "isolation",
    operations: ["ShowJob"],
    description: "ShowJob answers a job under any project ID in the path: another project's path answers this project's job.",
    rule: "The path's project must be the caller's: a job of another project is not found, 404 (ProjectId.yaml; NotFound.yaml).",
    create: () => ignorePathProject("ShowJob"),
  },
  {
    id: "tags-other-project",
    class: "isolation",
    operations: ["ListImageTags"],
    description: "ListImageTags answers an image's tags under any project ID in the path.",
    rule: "In a path with a project, only the caller's own project's images exist: another project's path is 404 (ProjectId.yaml; ImageNotFound.yaml).",
    create: () => ignorePathProject("ListImageTags"),
  },
  {
    id: "batch-tags-other-project",
    class: "isolation",
    operations: ["BatchAddOrDeleteTags"],
    description: "BatchAddOrDeleteTags changes an image's tags under any project ID in the path.",
    rule: "In a path with a project, only the caller's own project's images exist: another project's path is 404 (ProjectId.yaml; ImageNotFound.yaml).",
    create: () => ignorePathProject("BatchAddOrDeleteTags"),
  },
  {
    id: "no-credentials-reads",
    class: "isolation",
    operations: ["ShowJob", "ShowJobProgress", "ListImages", "GlanceShowImage", "ListImageTags", "ShowImageQuota"],
    description: "Reads need no credentials: only writes are checked (a mock whose auth filter covers POST, PATCH and DELETE).",
    rule: "Every operation needs an X-Auth-Token or an AK/SK signature; none is 401 APIG.0301 (Unauthorized.yaml; each operation's security).",
    create: () => ({
      request: (exchange) =>
        exchange.method === "GET" && exchange.operationId && !exchange.headers["x-auth-token"] && !exchange.headers.authorization ? { ...exchange, headers: { ...exchange.headers, "x-auth-token": "anonymous" } } : undefined,
    }),
  },
  {
    id: "signature-not-checked",
    class: "isolation",
    operations: ["*"],
    description: "An Authorization header is taken as proof of identity: the AK/SK signature is never checked.",
    rule: "A request whose SDK-HMAC-SHA256 signature does not verify is 401 APIG.0301 (Unauthorized.yaml: an invalid token or signature; aksk-signing).",
    create: () => ({
      request(exchange) {
        if (!exchange.headers.authorization || !exchange.operationId) return undefined;
        const { authorization: _signature, ...headers } = exchange.headers;
        return { ...exchange, headers: { ...headers, "x-auth-token": "signed" } };
      },
    }),
  },

  // ── path: an operation missing, or on the wrong method ──
  {
    id: "safe-mode-missing",
    class: "path",
    operations: ["CreateImageInSafeMode"],
    description: "POST /v2.1/cloudimages/action is not served (404): the provider has only the v2 create.",
    rule: "CreateImageInSafeMode, POST /v2.1/cloudimages/action, is part of the contract (v2.1_cloudimages_action.yaml; ims-image-api §2).",
    create: () => onRequest(["CreateImageInSafeMode"], (exchange) => imsError(404, "IMG.0121", `No API at ${exchange.method} ${exchange.path}.`)),
  },
  {
    id: "show-job-progress-missing",
    class: "path",
    operations: ["ShowJobProgress"],
    description: "GET /v1/cloudimages/job/{job_id} is not served (404): the provider has only ShowJob.",
    rule: "ShowJobProgress, GET /v1/cloudimages/job/{job_id}, is part of the contract (v1_cloudimages_job_{job_id}.yaml; ims-api-facts §1.1).",
    create: () => onRequest(["ShowJobProgress"], (exchange) => imsError(404, "IMG.0121", `No API at ${exchange.method} ${exchange.path}.`)),
  },
  {
    id: "update-image-on-put",
    class: "path",
    operations: ["UpdateImage"],
    description: "UpdateImage is routed on PUT: PATCH /v2/cloudimages/{image_id} is 405.",
    rule: "UpdateImage is PATCH /v2/cloudimages/{image_id} (v2_cloudimages_{image_id}.yaml; ims-image-api §1.3).",
    create: () => ({
      request(exchange) {
        if (exchange.operationId === "UpdateImage") return { ...imsError(405, "IMG.0001", "Method PATCH is not allowed."), headers: { "content-type": "application/json", allow: "PUT" } };
        if (exchange.method === "PUT" && /^\/v2\/cloudimages\/[^/]+$/.test(exchange.path) && exchange.path !== "/v2/cloudimages/action") {
          return { ...exchange, method: "PATCH", operationId: "UpdateImage", params: { image_id: decodeURIComponent(exchange.path.split("/")[3]!) } };
        }
        return undefined;
      },
    }),
  },
  {
    id: "quota-path-missing",
    class: "path",
    operations: ["ShowImageQuota"],
    description: "GET /v1/cloudimages/quota is not served (404): the mock put it under /v1/{project_id}/cloudimages/quota.",
    rule: "ShowImageQuota is GET /v1/cloudimages/quota (v1_cloudimages_quota.yaml; ims-api-facts §5).",
    create: () => onRequest(["ShowImageQuota"], (exchange) => imsError(404, "IMG.0121", `No API at ${exchange.method} ${exchange.path}.`)),
  },
];


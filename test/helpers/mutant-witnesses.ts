// For each provider mutant, a few requests that show its bug: true when the provider breaks the rule. They prove
// the mutants are alive (each witness is false on the honest provider and true on its mutant), so a mutant that
// survives `ims-verify` is a check the verifier lacks, not a harness that changed nothing.
import { connect } from "node:net";

export type Reply = { status: number; headers: Headers; text: string; json: any };

export type WitnessApi = {
  projectId: string;
  /** A call to the provider, with a token unless `credentials: false`. */
  call(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string>; credentials?: boolean }): Promise<Reply>;
  /** A create (v2 unless another path is given), with `Prefer: job-progression=immediate`. */
  create(body: Record<string, unknown>, path?: string): Promise<Reply>;
  /** A new active image of the project; its ID. */
  image(extra?: Record<string, unknown>): Promise<string>;
  /** A new image whose creating job runs for a minute; its ID. */
  runningImage(): Promise<string>;
  /** The answer as the bytes that came back, head and body. */
  raw(method: string, path: string): Promise<string>;
};

const SERVER = "877a2cda-ba63-4e1e-b95f-e67e48b6129a";
const UNKNOWN_ID = "00000000-0000-0000-0000-000000000000";
const OTHER_PROJECT = "fedcba9876543210fedcba9876543210";
const LONG_NAME = "a".repeat(129);
const DISK_FORMATS = ["vhd", "zvhd", "zvhd2", "raw", "qcow2", "iso"];

const refusedWith = (reply: Reply, status: number, code: string) => reply.status === status && reply.json?.error?.code === code;

export function witnessApi(url: string, projectId: string): WitnessApi {
  const call: WitnessApi["call"] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...(options.credentials !== false && { "X-Auth-Token": "witness" }), ...(options.body !== undefined && { "Content-Type": "application/json" }), ...options.headers };
    const response = await fetch(`${url}${path}`, { method, headers, ...(options.body !== undefined && { body: JSON.stringify(options.body) }) });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: response.status, headers: response.headers, text, json };
  };
  const create: WitnessApi["create"] = (body, path = "/v2/cloudimages/action") => call("POST", path, { body, headers: { Prefer: "job-progression=immediate" } });
  return {
    projectId,
    call,
    create,
    async image(extra = {}) {
      const created = await create({ name: "witness", instance_id: SERVER, ...extra });
      const job = await call("GET", `/v1/${projectId}/jobs/${created.json?.job_id}`);
      const id = job.json?.entities?.image_id;
      if (job.json?.status !== "SUCCESS" || typeof id !== "string") throw new Error(`witness: no image made: ${created.text} ${job.text}`);
      return id;
    },
    async runningImage() {
      const name = `witness_running_${Math.random().toString(36).slice(2, 8)}`;
      const created = await call("POST", "/v2/cloudimages/action", { body: { name, instance_id: SERVER }, headers: { Prefer: "job-progression=timed, job-duration=60000" } });
      const found = await call("GET", `/v2/cloudimages?name=${name}`);
      const id = found.json?.images?.[0]?.id;
      if (created.status !== 200 || typeof id !== "string") throw new Error(`witness: no running image: ${created.text} ${found.text}`);
      return id;
    },
    raw(method, path) {
      // Straight from the socket: an HTTP client's parser drops a 204's body, which is what is looked for.
      const { hostname, port } = new URL(url);
      return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        const socket = connect(Number(port), hostname, () =>
          socket.write(`${method} ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nX-Auth-Token: witness\r\nConnection: close\r\n\r\n`),
        );
        socket.on("data", (chunk: Buffer) => chunks.push(chunk));
        socket.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        socket.on("error", reject);
      });
    },
  };
}

type Witness = (api: WitnessApi) => Promise<boolean>;

async function quotaUsed(api: WitnessApi): Promise<number> {
  return (await api.call("GET", "/v1/cloudimages/quota")).json.quotas.resources.find((r: { type: string }) => r.type === "image").used;
}

async function tagKeys(api: WitnessApi, id: string): Promise<string[]> {
  return ((await api.call("GET", `/v2/${api.projectId}/images/${id}/tags`)).json?.tags ?? []).map((tag: { key: string }) => tag.key);
}

const tagsCall = (api: WitnessApi, id: string, action: string, tags: { key: string; value: string }[], project = api.projectId) =>
  api.call("POST", `/v2/${project}/images/${id}/tags/action`, { body: { action, tags } });

export const WITNESSES: Record<string, Witness> = {
  "lax-name-too-long": async (api) => !refusedWith(await api.create({ name: LONG_NAME, instance_id: SERVER }), 400, "IMG.0002"),
  "lax-unknown-field": async (api) => !refusedWith(await api.create({ name: "w", instance_id: SERVER, instanceId: SERVER }), 400, "IMG.0001"),
  "lax-tags-and-image-tags": async (api) => (await api.create({ name: "w", instance_id: SERVER, tags: ["a.1"], image_tags: [{ key: "b", value: "2" }] })).status !== 400,
  "lax-min-ram-above-max-ram": async (api) => (await api.create({ name: "w", instance_id: SERVER, min_ram: 4096, max_ram: 1024 })).status !== 400,
  "lax-safe-mode-unchecked": async (api) => (await api.create({ name: LONG_NAME, instance_id: SERVER }, "/v2.1/cloudimages/action")).status !== 400,
  "lax-update-skips-invalid": async (api) => (await api.call("PATCH", `/v2/cloudimages/${await api.image()}`, { body: [{ op: "replace", path: "/id", value: "x" }] })).status !== 400,
  "lax-repeated-tag-keys": async (api) =>
    (
      await tagsCall(api, await api.image(), "create", [
        { key: "k", value: "1" },
        { key: "k", value: "2" },
      ])
    ).status !== 400,

  "wrong-code-safe-mode-generic": async (api) => !refusedWith(await api.create({ name: LONG_NAME, instance_id: SERVER }, "/v2.1/cloudimages/action"), 400, "IMG.0002"),
  "wrong-code-min-ram-above-max-ram": async (api) => !refusedWith(await api.create({ name: "w", instance_id: SERVER, min_ram: 4096, max_ram: 1024 }), 400, "IMG.0055"),
  "wrong-status-422": async (api) => (await api.create({ name: LONG_NAME, instance_id: SERVER })).status !== 400,
  "wrong-status-unknown-image-400": async (api) => (await api.call("GET", `/v2/images/${UNKNOWN_ID}`)).status !== 404,
  "wrong-status-unknown-job-500": async (api) => (await api.call("GET", `/v1/${api.projectId}/jobs/${"0".repeat(32)}`)).status !== 404,
  "wrong-status-delete-running-409": async (api) => !refusedWith(await api.call("DELETE", `/v2/images/${await api.runningImage()}`), 400, "IMG.0090"),
  "wrong-code-attribute-conflict": async (api) =>
    !refusedWith(await api.call("PATCH", `/v2/cloudimages/${await api.image()}`, { body: [{ op: "replace", path: "/__description", value: "d" }] }), 400, "IMG.0035"),

  "quota-not-counted": async (api) => {
    const before = await quotaUsed(api);
    await api.image();
    return (await quotaUsed(api)) !== before + 1;
  },
  "quota-delete-not-freed": async (api) => {
    const id = await api.image();
    const before = await quotaUsed(api);
    await api.call("DELETE", `/v2/images/${id}`);
    return (await quotaUsed(api)) !== before - 1;
  },
  "paging-marker-inclusive": async (api) => {
    for (let i = 0; i < 3; i++) await api.image();
    const first = (await api.call("GET", "/v2/cloudimages?limit=2")).json.images;
    const second = (await api.call("GET", `/v2/cloudimages?limit=2&marker=${first[1].id}`)).json.images;
    return second.some((image: { id: string }) => image.id === first[1].id);
  },
  "paging-sort-dir-ignored": async (api) => {
    const older = await api.image();
    const newer = await api.image();
    const ids = (await api.call("GET", "/v2/cloudimages?sort_dir=asc")).json.images.map((image: { id: string }) => image.id);
    return ids.indexOf(older) > ids.indexOf(newer);
  },
  "delete-cache-show": async (api) => {
    const id = await api.image();
    await api.call("GET", `/v2/images/${id}`);
    await api.call("DELETE", `/v2/images/${id}`);
    return (await api.call("GET", `/v2/images/${id}`)).status !== 404;
  },
  "delete-soft-list": async (api) => {
    const id = await api.image();
    await api.call("DELETE", `/v2/images/${id}`);
    return (await api.call("GET", `/v2/cloudimages?id=${id}`)).json.images.length !== 0;
  },
  "delete-twice-204": async (api) => {
    const id = await api.image();
    await api.call("DELETE", `/v2/images/${id}`);
    return (await api.call("DELETE", `/v2/images/${id}`)).status !== 404;
  },
  "delete-while-job-runs": async (api) => (await api.call("DELETE", `/v2/images/${await api.runningImage()}`)).status === 204,
  "tags-delete-noop": async (api) => {
    const id = await api.image({ image_tags: [{ key: "a", value: "1" }] });
    await tagsCall(api, id, "delete", [{ key: "a", value: "1" }]);
    return (await tagKeys(api, id)).includes("a");
  },
  "tags-create-replaces-all": async (api) => {
    const id = await api.image({ image_tags: [{ key: "a", value: "1" }] });
    await tagsCall(api, id, "create", [{ key: "b", value: "2" }]);
    return !(await tagKeys(api, id)).includes("a");
  },
  "update-answers-before": async (api) =>
    (await api.call("PATCH", `/v2/cloudimages/${await api.image()}`, { body: [{ op: "add", path: "/__description", value: "after" }] })).json?.__description !== "after",
  "glance-update-not-stored": async (api) => {
    const id = await api.image();
    await api.call("PATCH", `/v2/images/${id}`, { body: [{ op: "replace", path: "/min_disk", value: 77 }] });
    return (await api.call("GET", `/v2/images/${id}`)).json?.min_disk !== 77;
  },
  "update-patch-media-type-ignored": async (api) =>
    (
      await api.call("PATCH", `/v2/cloudimages/${await api.image()}`, {
        body: [{ op: "add", path: "/__description", value: "typed" }],
        headers: { "Content-Type": "application/openstack-images-v2.1-json-patch" },
      })
    ).json?.__description !== "typed",

  "no-content-type-job": async (api) => {
    const { json } = await api.create({ name: "w", instance_id: SERVER });
    return !(await api.call("GET", `/v1/${api.projectId}/jobs/${json.job_id}`)).headers.get("content-type")?.startsWith("application/json");
  },
  "text-plain-refusals": async (api) => !(await api.create({})).headers.get("content-type")?.startsWith("application/json"),
  "delete-204-with-body": async (api) => {
    const raw = await api.raw("DELETE", `/v2/images/${await api.image()}`);
    const [head = "", body = ""] = raw.split("\r\n\r\n", 2);
    return body.length > 0 || /content-length: [1-9]/i.test(head);
  },
  "tags-200-with-body": async (api) => (await tagsCall(api, await api.image(), "create", [{ key: "b", value: "2" }])).status !== 204,

  "max-ram-number": async (api) => typeof (await api.call("GET", `/v2/images/${await api.image({ max_ram: 4096 })}`)).json?.max_ram !== "string",
  "disk-format-uppercase": async (api) => !DISK_FORMATS.includes((await api.call("GET", `/v2/images/${await api.image()}`)).json?.disk_format),
  "job-missing-job-type": async (api) => {
    const { json } = await api.create({ name: "w", instance_id: SERVER });
    return typeof (await api.call("GET", `/v1/${api.projectId}/jobs/${json.job_id}`)).json?.job_type !== "string";
  },
  "job-success-empty-error": async (api) => {
    const { json } = await api.create({ name: "w", instance_id: SERVER });
    const job = (await api.call("GET", `/v1/cloudimages/job/${json.job_id}`)).json;
    return job?.status === "SUCCESS" && (job.error_code !== null || job.fail_reason !== null);
  },
  "quota-missing-min-max": async (api) => {
    const [resource] = (await api.call("GET", "/v1/cloudimages/quota")).json.quotas.resources;
    return typeof resource.min !== "number" || typeof resource.max !== "number";
  },
  "tags-as-map": async (api) => !Array.isArray((await api.call("GET", `/v2/${api.projectId}/images/${await api.image({ image_tags: [{ key: "a", value: "1" }] })}/tags`)).json?.tags),

  "job-other-project": async (api) => {
    const { json } = await api.create({ name: "w", instance_id: SERVER });
    return (await api.call("GET", `/v1/${OTHER_PROJECT}/jobs/${json.job_id}`)).status !== 404;
  },
  "tags-other-project": async (api) => (await api.call("GET", `/v2/${OTHER_PROJECT}/images/${await api.image()}/tags`)).status !== 404,
  "batch-tags-other-project": async (api) => (await tagsCall(api, await api.image(), "create", [{ key: "b", value: "2" }], OTHER_PROJECT)).status !== 404,
  "no-credentials-reads": async (api) => (await api.call("GET", "/v2/cloudimages", { credentials: false })).status !== 401,
  "signature-not-checked": async (api) => {
    const sdkDate = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const forged = { Authorization: `SDK-HMAC-SHA256 Access=EXAMPLEAK1234567890, SignedHeaders=host;x-sdk-date, Signature=${"0".repeat(64)}`, "X-Sdk-Date": sdkDate };
    return (await api.call("GET", "/v2/cloudimages", { credentials: false, headers: forged })).status !== 401;
  },

  "safe-mode-missing": async (api) => (await api.create({ name: "w", instance_id: SERVER }, "/v2.1/cloudimages/action")).status !== 200,
  "show-job-progress-missing": async (api) => {
    const { json } = await api.create({ name: "w", instance_id: SERVER });
    return (await api.call("GET", `/v1/cloudimages/job/${json.job_id}`)).status !== 200;
  },
  "update-image-on-put": async (api) => (await api.call("PATCH", `/v2/cloudimages/${await api.image()}`, { body: [{ op: "replace", path: "/name", value: "renamed" }] })).status !== 200,
  "quota-path-missing": async (api) => (await api.call("GET", "/v1/cloudimages/quota")).status !== 200,
};

// The validators compile each operation's schemas on its first request (express-openapi-validator builds a
// route's request and response validators then, Ajv a refused body's). Shared by every stub in the process, they
// are compiled once: here, eagerly, by a private stub that sends each operation of the contract once, with the
// contract's own examples, so that no test's first create or first poll pays for the compile. The stub a test
// gets never sees these requests.
import type { AddressInfo } from "node:net";
import { createApp, shareRequestPrototypes } from "./app.js";
import { compiledContract } from "./contract/compiled.js";
import { resolveRef, type OpenApiDocument } from "./contract/spec.js";
import { DEFAULT_PROJECT_ID } from "./config.js";
import { serve } from "./http/serve.js";

type Operation = { method: string; path: string; operationId: string; bodies: { contentType: string; body: unknown }[] };
type MediaObject = { examples?: Record<string, { $ref?: string; value?: unknown }>; example?: unknown };
type OperationObject = { operationId?: string; requestBody?: { $ref?: string; content?: Record<string, MediaObject> } };

const METHODS = new Set(["get", "put", "post", "delete", "patch"]);

/** Each operation, with one example body per media type its request body documents (the first example given). */
function operationsOf(spec: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, pathItem] of Object.entries(spec.paths)) {
    for (const [method, value] of Object.entries(pathItem)) {
      const operation = value as OperationObject;
      if (!METHODS.has(method) || !operation?.operationId) continue;
      const requestBody = operation.requestBody?.$ref ? resolveRef<OperationObject["requestBody"]>(spec, operation.requestBody.$ref) : operation.requestBody;
      const media = Object.entries(requestBody?.content ?? {});
      const exampleOf = (medium: MediaObject) => {
        const first = Object.values(medium.examples ?? {})[0];
        return first === undefined ? medium.example : first.$ref ? resolveRef<{ value: unknown }>(spec, first.$ref).value : first.value;
      };
      const anyExample = media.map(([, medium]) => exampleOf(medium)).find((example) => example !== undefined);
      const bodies = media.map(([contentType, medium]) => ({ contentType, body: exampleOf(medium) ?? anyExample ?? {} }));
      operations.push({ method: method.toUpperCase(), path, operationId: operation.operationId, bodies });
    }
  }
  // Creates first (they make the job and the image the others read), deletes last.
  const rank = (operation: Operation) => (operation.method === "DELETE" ? 2 : operation.method === "POST" && operation.path.endsWith("/action") && !operation.path.includes("{") ? 0 : 1);
  return operations.sort((a, b) => rank(a) - rank(b));
}

async function send(url: string, method: string, contentType?: string, body?: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method,
    headers: { "X-Auth-Token": "warm-up", ...(contentType && { "Content-Type": contentType }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Sends every operation of both contracts once to a stub of its own, then closes it. */
async function sendEachOperation(): Promise<void> {
  const { spec, controlSpec } = compiledContract();
  const app = createApp({ progression: "immediate", log: false });
  shareRequestPrototypes(app);
  const server = await serve(app, 0, "127.0.0.1");
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const ids: Record<string, string> = { project_id: DEFAULT_PROJECT_ID, job_id: "0".repeat(32), image_id: "00000000-0000-0000-0000-000000000000" };
    const pathOf = (path: string) => path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(ids[name] ?? "x"));
    for (const operation of operationsOf(spec)) {
      const url = `${base}${pathOf(operation.path)}`;
      if (operation.bodies.length === 0) {
        await send(url, operation.method);
        continue;
      }
      for (const { contentType, body } of operation.bodies) {
        const answer = (await send(url, operation.method, contentType, body)) as { job_id?: string } | undefined;
        if (answer?.job_id && ids.job_id === "0".repeat(32)) {
          ids.job_id = answer.job_id;
          const job = (await send(`${base}/v1/cloudimages/job/${answer.job_id}`, "GET")) as { entities?: { image_id?: string } } | undefined;
          if (job?.entities?.image_id) ids.image_id = job.entities.image_id;
        }
      }
      // A refused body: the classifier's validators (Ajv, every error) compile too.
      if (operation.method === "POST" && operation.path.endsWith("/cloudimages/action")) await send(url, "POST", "application/json", {});
    }
    for (const operation of operationsOf(controlSpec)) {
      const reads = operation.method === "GET" && !operation.path.includes("{");
      if (reads || operation.operationId === "ResetState") await send(`${base}${operation.path}`, operation.method);
    }
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

let warming: Promise<void> | undefined;

/** Compiles the shipped contract's validators, once per process; later calls wait for the first. */
export function warmUp(): Promise<void> {
  // A failed warm-up only leaves the compile to the first requests: never a reason to refuse a stub.
  warming ??= sendEachOperation().catch(() => undefined);
  return warming;
}

// One server for the benchmark, in its own process, listening on `--port`.
// - `bare`: node:http that parses the JSON and answers fixed bodies: the limit of this machine.
// - `express`: Express 5 with express.json() and fixed answers: what any Express app pays.
// - `floor`: that plus express-openapi-validator on the bundled contract, validating requests, responses and
//   both security schemes (async handlers that accept), with handlers answering fixed valid bodies (a job and
//   an image the stub produced; ListImages: that image for `?id=`, a hundred like it for any other query): what
//   the stub cannot go below while it validates everything with this library.
// (The stub itself runs as `ims-stub` does: dist/server/main.js.)
// And the variants that take the floor apart (`npm run bench -- --floor-parts`):
// - `floor-no-stack-traces`: the floor with `Error.stackTraceLimit = 0`;
// - `floor-no-security`: the floor with `validateSecurity: false`;
// - `express-promise-hops`: plain Express with as many resolved-promise hops per request as the validator's chain.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import express, { type ErrorRequestHandler } from "express";
import * as OpenApiValidator from "express-openapi-validator";
import { loadSpec } from "../dist/server/contract/spec.js";

const { values } = parseArgs({ options: { kind: { type: "string" }, port: { type: "string", default: "0" } } });
const { kind } = values;
const port = Number(values.port);
const FLOORS = new Set(["floor", "floor-no-stack-traces", "floor-no-security"]);
const JOB_CREATED = '{"job_id":"8a12fc664fb4daa3014fb4e581380005"}';

type Answers = { job: string; image: Record<string, unknown> };

/**
 * A finished job and its image as the stub answers them, so that the baselines send (and the floor validates) the
 * same bodies. Asked of a stub in a process of its own (`--kind answers`): loading the stub into this one would
 * give the floor the stub's speed-ups of express-openapi-validator (server/contract/validator-speedups.ts), and
 * the floor is the library as it ships.
 */
function answersTheStubProduced(): Answers {
  return JSON.parse(execFileSync(process.execPath, ["--import", "tsx", import.meta.filename, "--kind", "answers"], { encoding: "utf8" })) as Answers;
}

/** The answers, from a stub in this process. The bench's creates carry a tag: so does this one. */
async function answersOfAStub(): Promise<Answers> {
  const { createApp } = await import("../dist/server/index.js");
  const stub = createApp({ progression: "immediate" });
  const { job_id: jobId } = await new Promise<{ job_id: string }>((resolve) => {
    const server = stub.listen(0, "127.0.0.1", async () => {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const created = await (
        await fetch(`${base}/v2/cloudimages/action`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-auth-token": "bench" },
          body: JSON.stringify({ name: "bench-ecs", instance_id: "877a2cda-ba63-4e1e-b95f-e67e48b6129a", tags: ["aaa.111"] }),
        })
      ).json();
      server.close();
      resolve(created);
    });
  });
  const job = stub.jobs.list().find((entry) => entry.job.job_id === jobId)!.job;
  const [image] = stub.images.all();
  return { job: JSON.stringify(job), image: stub.images.view(image!) as Record<string, unknown> };
}

/** ListImages' fixed answers: the image alone (`?id=`), or a page of a hundred like it, each its own ID. */
function imageLists(image: Record<string, unknown>): { byId: string; page: string } {
  const copy = (id: string) => ({ ...image, id, self: `/v2/images/${id}`, file: `/v2/images/${id}/file` });
  return { byId: JSON.stringify({ images: [image] }), page: JSON.stringify({ images: Array.from({ length: 100 }, () => copy(randomUUID())) }) };
}

if (kind === "answers") {
  process.stdout.write(JSON.stringify(await answersOfAStub()));
  process.exit(0);
} else if (kind === "bare") {
  const { job } = answersTheStubProduced();
  const server = createServer((req, res) => {
    let data = "";
    req.on("data", (chunk) => (data += chunk));
    req.on("end", () => {
      try {
        if (data) JSON.parse(data);
        res.writeHead(200, { "Content-Type": "application/json" }).end(req.method === "POST" ? JOB_CREATED : job);
      } catch {
        res.writeHead(400, { "Content-Type": "application/json" }).end('{"error":{"code":"IMG.0001","message":"bad"}}');
      }
    });
  });
  server.listen(port, "127.0.0.1");
} else if (kind === "express" || kind === "express-promise-hops" || FLOORS.has(kind!)) {
  const { job, image } = answersTheStubProduced();
  const lists = imageLists(image);
  if (kind === "floor-no-stack-traces") Error.stackTraceLimit = 0;
  const app = express();
  app.use(express.json());
  if (FLOORS.has(kind!)) {
    const accept = async () => true;
    app.use(
      OpenApiValidator.middleware({
        apiSpec: loadSpec("openapi") as never,
        validateRequests: { allErrors: false },
        validateResponses: true,
        validateSecurity: kind === "floor-no-security" ? false : { handlers: { token: accept, aksk: accept } },
      }),
    );
  }
  if (kind === "express-promise-hops") {
    const settled = Promise.resolve();
    for (let hop = 0; hop < 6; hop++) app.use((_req, _res, next) => void settled.then(() => next()));
  }
  // res.json, as the stub answers: the validator checks responses sent that way.
  app.post("/v2/cloudimages/action", (_req, res) => void res.json(JSON.parse(JOB_CREATED)));
  app.get(["/v1/:project/jobs/:job", "/v1/cloudimages/job/:job"], (_req, res) => void res.json(JSON.parse(job)));
  app.get("/v2/cloudimages", (req, res) => void res.json(JSON.parse(req.query.id === undefined ? lists.page : lists.byId)));
  app.use(((err, _req, res, _next) => void res.status(err.status ?? 500).json({ error: { code: "IMG.0001", message: err.message } })) as ErrorRequestHandler);
  app.listen(port, "127.0.0.1");
} else {
  console.error("usage: bench-server --kind bare|express|floor|floor-no-stack-traces|floor-no-security|express-promise-hops --port N");
  process.exit(2);
}
process.once("SIGINT", () => process.exit(0));
process.once("SIGTERM", () => process.exit(0));

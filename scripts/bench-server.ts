// One server for the benchmark, in its own process: `stub` (the real stub), `no-validation` (the same app with
// request and response validation off), `express` (Express 5 with express.json() and one route answering a fixed
// job_id: the floor any Express app pays) or `bare` (node:http that parses the JSON and answers the same).
// Prints `port=N` once it listens.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import express from "express";
import { createApp } from "../server/app.ts";
import { serve } from "../server/http.ts";

const { values } = parseArgs({ options: { kind: { type: "string" }, progression: { type: "string", default: "immediate" }, "max-jobs": { type: "string", default: "10000" } } });
const kind = values.kind;

if (kind === "bare") {
  const server = createServer((req, res) => {
    let data = "";
    req.on("data", (chunk) => (data += chunk));
    req.on("end", () => {
      try {
        if (data) JSON.parse(data);
        res.writeHead(200, { "Content-Type": "application/json" }).end('{"job_id":"8a12fc664fb4daa3014fb4e581380005"}');
      } catch {
        res.writeHead(400, { "Content-Type": "application/json" }).end('{"error":{"code":"IMG.0001","message":"bad"}}');
      }
    });
  });
  server.listen(0, "127.0.0.1", () => console.log(`port=${(server.address() as AddressInfo).port}`));
} else if (kind === "express") {
  const app = express();
  app.use(express.json());
  app.post("/v2/cloudimages/action", (_req, res) => void res.json({ job_id: "8a12fc664fb4daa3014fb4e581380005" }));
  app.get(["/v1/:project/jobs/:job", "/v1/cloudimages/job/:job"], (_req, res) => void res.json({ status: "SUCCESS" }));
  const server = app.listen(0, "127.0.0.1", () => console.log(`port=${(server.address() as AddressInfo).port}`));
} else if (kind === "stub" || kind === "no-validation") {
  const app = createApp({
    validate: kind === "stub",
    progression: values.progression as "immediate",
    maxJobs: Number(values["max-jobs"]),
  });
  const server = await serve(app, 0, "127.0.0.1");
  console.log(`port=${(server.address() as AddressInfo).port}`);
} else {
  console.error("usage: bench-server --kind stub|no-validation|express|bare");
  process.exit(2);
}
process.once("SIGINT", () => process.exit(0));

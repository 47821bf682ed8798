// The control API's operations (generated/control-openapi.json), keyed by operationId.
import type { Handler } from "../http/handler.js";
import type { ImsBackend } from "../ims/backend.js";
import type { OutcomeRule, World } from "../ims/scenario.js";
import type { ContractProxy } from "../proxy/proxy.js";
import type { ControlOperationId, TestingOperationId } from "./operation-ids.js";

/** The control operations but those of client teams' tests (testing-handlers.ts). */
export function controlHandlers(backend: ImsBackend, proxy?: ContractProxy): Record<Exclude<ControlOperationId, TestingOperationId>, Handler> {
  const { jobs, images, scenario } = backend;
  return {
    GetHealth(_req, res) {
      res.json({ status: "ok", jobs: jobs.size });
    },
    ResetState(_req, res) {
      backend.reset();
      proxy?.clear();
      res.status(204).end();
    },
    ListJobs(_req, res) {
      res.json({ jobs: jobs.list() });
    },
    ListStubImages(_req, res) {
      res.json({ images: images.all().map((image) => images.view(image)) });
    },
    AddOutcomeRule(req, res) {
      res.status(201).json({ rule_id: scenario.addRule(req.body as OutcomeRule) });
    },
    ClearOutcomeRules(_req, res) {
      scenario.clearRules();
      res.status(204).end();
    },
    LoadWorld(req, res) {
      backend.loadWorld(req.body as World);
      res.status(204).end();
    },
    ListViolations(_req, res) {
      res.json({ violations: proxy?.violations ?? [] });
    },
    ClearWorld(_req, res) {
      backend.clearWorld();
      res.status(204).end();
    },
  };
}

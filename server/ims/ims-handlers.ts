// The operations of the emulated IMS, keyed by operationId; each resource's handlers live beside its store.
// Validation has already happened (in the contract): handlers do only what a schema cannot.
import type { operations } from "../../generated/openapi.js";
import type { Handler } from "../http/handler.js";
import type { ImsBackend } from "./backend.js";
import { createImageHandlers } from "./create-image/create-image-handlers.js";
import { imageHandlers } from "./images/image-handlers.js";
import { jobHandlers } from "./jobs/job-handlers.js";

export type ImsOperationId = keyof operations;

export function imsHandlers(backend: ImsBackend): Record<ImsOperationId, Handler> {
  return { ...createImageHandlers(backend), ...jobHandlers(backend), ...imageHandlers(backend) } satisfies Record<ImsOperationId, Handler>;
}

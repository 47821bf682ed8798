// The control API's operationIds, and which of them serve client teams' tests (testing-handlers.ts); both
// handler files name their operations by these, so neither needs the other.
import type { operations } from "../../generated/control-openapi.js";

export type ControlOperationId = keyof operations;
export type TestingOperationId = "ListRequests" | "AddFaultRule" | "ListFaultRules" | "ClearFaultRules";

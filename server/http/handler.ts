// What every operation handler is: a function of the request, keyed by operationId in the handler tables of the
// emulated service (ims/), the control API (control/) and the proxy (proxy/).
import type { Request, Response } from "express";
import type { Caller } from "./auth.js";

export type StubRequest = Request & { caller?: Caller; preferences?: ReadonlyMap<string, string> };
export type Handler = (req: StubRequest, res: Response) => void | Promise<void>;

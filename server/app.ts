// Builds the stub's Express app from the bundled specs. It never listens: main.ts does.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import cors from "cors";
import express, { type ErrorRequestHandler, type NextFunction, type RequestHandler, type Response } from "express";
import * as OpenApiValidator from "express-openapi-validator";
import { authenticate, schemeNotAccepted, type Caller, type RequestWithBody } from "./auth.js";
import { classifyCreateImageBody, type Branch } from "./classify.js";
import { defaultSettings, type StubSettings } from "./config.js";
import { controlHandlers } from "./control.js";
import { GatewayError, ImsError, sendGatewayError, sendImsError } from "./errors.js";
import { imsHandlers, type Handler, type ImsOperationId, type StubRequest } from "./handlers.js";
import { JobStore } from "./jobs.js";
import { parsePrefer } from "./prefer.js";
import { Scenario } from "./scenario.js";
import { documentedResponses, generatedDir, loadSpec, resolveRef, schemaValidators, type OpenApiDocument, type ResponseObject } from "./spec.js";
import { deferSpecMetaValidation } from "./validator-startup.js";
import { ContractProxy, forwardsRefused, proxyHandlers, type ProxySettings } from "./proxy.js";
import { randomHexId } from "./ids.js";
import { jsonLineLogger, type LogEntry } from "./log.js";
import { refusalWithUnknownFields, unknownBodyFields } from "./near-miss.js";

deferSpecMetaValidation();

export type { LogEntry };

export type CreateAppOptions = Partial<StubSettings> & {
  /** The clock jobs and signatures are checked against (ms since the epoch). */
  now?: () => number;
  /** Where request log lines go; by default stdout when `log` is on. */
  logger?: (entry: LogEntry) => void;
  /** Replaces operation handlers, for tests of the stub itself. */
  handlers?: Partial<Record<ImsOperationId, Handler>>;
  maxClockSkewMs?: number;
  docsDir?: string;
  /** With `upstream`: sign every accepted request with this key pair (see ProxySettings.signAs). */
  upstreamSignAs?: ProxySettings["signAs"];
  /** The bundled contract; generated/openapi.json by default. */
  spec?: OpenApiDocument;
};

export type StubApp = ReturnType<typeof express> & { jobs: JobStore; scenario: Scenario };

const CONTROL_PREFIX = "/_stub";

type Examples = Map<string, Map<number, Map<string, unknown>>>;

/** operationId → status → example name → value, from the bundled spec. */
function responseExamples(spec: OpenApiDocument): Examples {
  const examplesOf = (response: ResponseObject) =>
    new Map(
      Object.entries(response.content?.["application/json"]?.examples ?? {}).map(([name, example]) => [
        name,
        example.$ref ? resolveRef<{ value: unknown }>(spec, example.$ref).value : example.value,
      ]),
    );
  return new Map([...documentedResponses(spec)].map(([operationId, byStatus]) => [operationId, new Map([...byStatus].map(([status, response]) => [status, examplesOf(response)]))]));
}

/** Prism's `Prefer: code=NNN` and `example=NAME`: a documented response instead of the real one. */
function cannedResponse(examples: Examples, operationId: string, preferences: ReadonlyMap<string, string>): { status: number; body: unknown } | undefined {
  const code = preferences.get("code");
  const exampleName = preferences.get("example");
  if (code === undefined && exampleName === undefined) return undefined;
  const byStatus = examples.get(operationId)!;
  const status = code === undefined ? 200 : Number(code);
  const named = byStatus.get(status);
  if (!named) {
    throw new ImsError("IMG.0001", `Prefer: code=${code} is not a documented response of ${operationId} (documented: ${[...byStatus.keys()].join(", ")}).`);
  }
  const name = exampleName ?? named.keys().next().value;
  if (name === undefined || !named.has(name)) {
    throw new ImsError("IMG.0001", `Prefer: ${operationId} ${status} has no example ${JSON.stringify(exampleName)} (examples: ${[...named.keys()].join(", ") || "none"}).`);
  }
  return { status, body: named.get(name) };
}

const isJsonContentType = (req: { headers: Record<string, unknown> }) => {
  const type = String(req.headers["content-type"] ?? "").split(";", 1)[0]!.trim().toLowerCase();
  return type === "application/json" || /^application\/[a-z0-9.+-]*\+json$/.test(type);
};

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

type OperationObject = { operationId?: string; security?: Record<string, string[]>[] };
type MountedOperation = { method: "get"; expressPath: string; operationId: string; operation: OperationObject };

/** Each operation of a spec with its Express path (`{job_id}` becomes `:job_id`). */
function operationsOf(apiDoc: OpenApiDocument): MountedOperation[] {
  return Object.entries(apiDoc.paths).flatMap(([path, pathItem]) =>
    Object.entries(pathItem as Record<string, OperationObject>)
      .filter(([method, operation]) => HTTP_METHODS.has(method) && operation.operationId)
      .map(([method, operation]) => ({ method: method as "get", expressPath: path.replace(/\{([^}]+)\}/g, ":$1"), operationId: operation.operationId!, operation })),
  );
}

/**
 * Mounts each operation of a spec as a plain Express route with its own steps: a request is matched against the
 * operation's path once, then walks only what that operation needs. (The validator's `operationHandlers` would
 * put a second router with its own path-parameter callbacks in every request's way.)
 */
function mountOperations(router: express.Router, apiDoc: OpenApiDocument, stepsFor: (operation: MountedOperation) => RequestHandler[]): void {
  for (const operation of operationsOf(apiDoc)) router[operation.method](operation.expressPath, ...stepsFor(operation));
}

/** The handler an operation ID names; a spec operation without one stops start-up. */
function handlerFor(handlers: Record<string, Handler>, operationId: string): Handler {
  const handler = handlers[operationId];
  if (!handler) throw new Error(`no handler for operation ${operationId}`);
  return handler;
}

const CHECKED_SCHEMES = new Set<string>(["token", "aksk"] satisfies Caller["scheme"][]);

/**
 * The schemes an operation accepts (its own security requirements, else the document's), or undefined when it
 * asks for none. A requirement the stub cannot check (another scheme, or two schemes at once) stops start-up.
 */
function acceptedSchemes(apiDoc: OpenApiDocument, { operationId, operation }: MountedOperation): ReadonlySet<string> | undefined {
  const requirements = operation.security ?? (apiDoc.security as OperationObject["security"]) ?? [];
  if (requirements.length === 0 || requirements.some((requirement) => Object.keys(requirement).length === 0)) return undefined;
  const schemes = new Set(requirements.flatMap((requirement) => Object.keys(requirement)));
  if ([...schemes].some((scheme) => !CHECKED_SCHEMES.has(scheme)) || requirements.some((requirement) => Object.keys(requirement).length > 1)) {
    throw new Error(`operation ${operationId} asks for security the stub cannot check: ${JSON.stringify(requirements)}`);
  }
  return schemes;
}

export function createApp(options: CreateAppOptions = {}): StubApp {
  const settings: StubSettings = { ...defaultSettings(), log: false, ...options };
  const now = options.now ?? Date.now;
  // The shipped contract was checked when it was built (lint, the OpenAPI 3.1 meta-schema, every schema compiled
  // by the tests), so start-up does not check it again; a contract passed in is checked here, before any request.
  const checkContract = options.spec !== undefined;
  const spec = options.spec ?? loadSpec("openapi");
  const controlSpec = loadSpec("control-openapi");
  const validatorFor = schemaValidators(spec);
  if (checkContract) {
    for (const branch of ["CreateSystemImageFromServer", "CreateDataImagesFromServer", "CreateImageFromFile", "CreateSystemImageFromVolume"] satisfies Branch[]) {
      try {
        validatorFor(branch);
      } catch (error) {
        throw new Error(`the contract's schema ${branch} does not compile: ${(error as Error).message}`);
      }
    }
  }
  const examples = responseExamples(spec);
  const jobs = new JobStore(settings.maxJobs, now);
  const scenario = new Scenario({ progression: settings.progression, durationMs: settings.jobDurationMs }, settings.world);
  const logger = options.logger ?? (settings.log ? jsonLineLogger() : undefined);
  const proxy = settings.upstream
    ? new ContractProxy(
        spec,
        { upstream: settings.upstream, strict: settings.upstreamStrict, timeoutMs: settings.upstreamTimeoutMs, credentials: settings.credentials, ...(options.upstreamSignAs && { signAs: options.upstreamSignAs }) },
        logger,
      )
    : undefined;
  const handlers = proxy ? proxyHandlers(proxy) : { ...imsHandlers(jobs, scenario), ...options.handlers };
  const control = controlHandlers(jobs, scenario, proxy);
  const authSettings = { projectId: settings.projectId, credentials: settings.credentials, maxClockSkewMs: options.maxClockSkewMs ?? 15 * 60_000, now };

  const app = express() as StubApp;
  app.jobs = jobs;
  app.scenario = scenario;
  app.locals.unknownBodyFields = unknownBodyFields([spec, controlSpec]);
  app.disable("x-powered-by");
  app.set("etag", false);

  // With one configured origin, the CORS headers of every answer are the same: they are set here with the request
  // ID, in the one middleware every request walks; the cors library answers the preflights.
  const { corsOrigin } = settings;
  const corsHeaders: [string, string][] =
    corsOrigin === false ? [] : [["Access-Control-Allow-Origin", corsOrigin], ["Access-Control-Expose-Headers", "X-Request-Id"], ...(corsOrigin === "*" ? [] : [["Vary", "Origin"] as [string, string]])];
  const preflight = corsOrigin === false ? undefined : cors({ origin: corsOrigin, exposedHeaders: ["X-Request-Id"], maxAge: 600 });
  // One listener function for every answer (no closure per request); what it logs travels in res.locals.
  function logFinished(this: Response) {
    const { req, locals } = this;
    logger!({
      time: new Date().toISOString(),
      request_id: locals.requestId as string,
      method: req.method,
      path: req.originalUrl.split("?", 1)[0],
      status: this.statusCode,
      operation: locals.operationId as string | undefined,
      duration_ms: Math.round((performance.now() - (locals.started as number)) * 1000) / 1000,
      error_code: locals.errorCode as string | undefined,
    });
  }
  app.use((req, res, next) => {
    const requestId = randomHexId();
    res.setHeader("X-Request-Id", requestId);
    for (const [name, value] of corsHeaders) res.setHeader(name, value);
    if (logger) {
      res.locals.requestId = requestId;
      res.locals.started = performance.now();
      res.on("finish", logFinished);
    }
    if (preflight && req.method === "OPTIONS") return preflight(req, res, next);
    next();
  });

  const bundled = { json: readFileSync(join(generatedDir, "openapi.json")), yaml: readFileSync(join(generatedDir, "openapi.yaml")) };
  app.get("/openapi.json", (_req, res) => void res.type("application/json").send(bundled.json));
  app.get("/openapi.yaml", (_req, res) => void res.type("application/yaml").send(bundled.yaml));
  const docsFile = join(options.docsDir ?? join(generatedDir, "docs"), "index.html");
  app.get(["/docs", "/docs/"], (_req, res, next) => (existsSync(docsFile) ? res.type("html").sendFile(docsFile) : next()));
  const iconFile = join(docsFile, "..", "favicon.svg");
  app.get("/favicon.ico", (_req, res, next) => (existsSync(iconFile) ? res.type("image/svg+xml").sendFile(iconFile) : next()));

  app.use(
    express.json({
      limit: settings.bodyLimitBytes,
      strict: false,
      type: isJsonContentType,
      verify: (req, _res, buffer) => {
        (req as RequestWithBody).rawBody = buffer;
      },
    }),
  );

  const handle =
    (operationId: string, handler: Handler): RequestHandler =>
    (req: StubRequest, res: Response, next: NextFunction) => {
      try {
        res.locals.operationId = operationId;
        req.preferences = parsePrefer(req.get("prefer"));
        // A proxy passes Prefer on to its upstream rather than answer it.
        const canned = !proxy && examples.has(operationId) ? cannedResponse(examples, operationId, req.preferences) : undefined;
        if (canned) {
          res.setHeader("Preference-Applied", req.get("prefer")!);
          res.status(canned.status).json(canned.body);
          return;
        }
        handler(req, res)?.catch(next);
      } catch (error) {
        next(error);
      }
    };

  // The contract's security requirements are checked first, as the gateway checks them in front of IMS: a request
  // without valid credentials is refused before its body is looked at. They are checked here rather than by the
  // validator's `validateSecurity`, which asks every scheme in turn through a chain of promises and builds an
  // Error, stack trace and all, for each scheme a request does not use. Most requests carry a token and are
  // admitted without a promise; a signature is checked with Web Crypto.
  const requireCaller = (schemes: ReadonlySet<string>): RequestHandler => {
    const admit = (req: StubRequest, result: Caller | GatewayError, next: NextFunction) => {
      if (result instanceof GatewayError) return next(result);
      if (!schemes.has(result.scheme)) return next(schemeNotAccepted(result.scheme));
      req.caller = result;
      next();
    };
    return (req: StubRequest, _res, next) => {
      const result = authenticate(req as RequestWithBody, authSettings);
      // Express passes a rejection of the returned promise on to the error handler.
      if (result instanceof Promise) return result.then((settled) => admit(req, settled, next));
      admit(req, result, next);
    };
  };

  // The control API has its own validator; requests elsewhere skip it entirely rather than walk its chain.
  const controlRouter = express.Router();
  controlRouter.use(
    OpenApiValidator.middleware({
      apiSpec: controlSpec as never,
      validateApiSpec: false,
      validateRequests: { allErrors: false },
      validateResponses: true,
    }),
  );
  mountOperations(controlRouter, controlSpec, ({ operationId }) => [handle(operationId, handlerFor(control, operationId))]);
  app.use((req, res, next) => (req.path.startsWith(`${CONTROL_PREFIX}/`) ? controlRouter(req, res, next) : next()));

  const validator = OpenApiValidator.middleware({
    apiSpec: structuredClone(spec) as never,
    validateApiSpec: checkContract,
    ignorePaths: (path: string) => path.startsWith(`${CONTROL_PREFIX}/`) || path === "/openapi.json" || path === "/openapi.yaml" || path === "/docs" || path === "/docs/" || path === "/favicon.ico",
    validateRequests: { allErrors: false },
    validateResponses: true,
    validateSecurity: false,
    // The contract has no multipart bodies: no multipart step for every request to walk.
    fileUploader: false,
  });
  mountOperations(app.router, spec, (operation) => {
    const schemes = acceptedSchemes(spec, operation);
    return [...(schemes ? [requireCaller(schemes)] : []), ...validator, handle(operation.operationId, handlerFor(handlers, operation.operationId))];
  });
  // What no operation's route took: the validator answers a documented path's other methods (405 with Allow).
  app.use(validator);
  app.use((req, _res, next) => next(new ImsError("IMG.0121", `No API at ${req.method} ${req.path}.`, 404)));
  app.use(errorHandler((body) => classifyCreateImageBody(body, validatorFor, spec.components.schemas), logger, proxy));
  return app;
}

type ValidatorError = Error & {
  status?: number;
  type?: string;
  errors?: { path: string; message: string }[];
  headers?: Record<string, string>;
};

type BodyClassifier = (body: unknown) => ImsError;

function toImsError(err: ValidatorError, req: StubRequest, classifyBody: BodyClassifier): ImsError | GatewayError {
  if (err instanceof ImsError || err instanceof GatewayError) return err;
  const raw = (req as RequestWithBody).rawBody;
  const emptyBody = raw === undefined ? !Number(req.headers["content-length"] ?? 0) : raw.toString("utf8").trim() === "";
  switch (err.type) {
    case "entity.parse.failed":
      return emptyBody ? new ImsError("IMG.0007") : new ImsError("IMG.0001", `The body is not valid JSON: ${err.message}`);
    case "entity.too.large":
      return new ImsError("IMG.0001", `The request body is larger than ${(err as { limit?: number }).limit} bytes.`, 413);
    case "charset.unsupported":
    case "encoding.unsupported":
      return new ImsError("IMG.0001", err.message, 415);
  }
  const status = err.status ?? 500;
  if (status === 404) return new ImsError("IMG.0121", `No API at ${req.method} ${req.path}.`, 404);
  if (status === 405) return new ImsError("IMG.0001", `${req.method} is not allowed on ${req.path}.`, 405, { Allow: err.headers?.Allow ?? "" });
  if (status === 415) {
    return emptyBody && req.method === "POST" ? new ImsError("IMG.0007") : new ImsError("IMG.0001", `Unsupported content type ${req.headers["content-type"] ?? "(none)"}: send application/json.`, 415);
  }
  if (status === 400) {
    const first = err.errors?.[0];
    const operationId = (req as StubRequest & { openapi?: { schema?: { operationId?: string } } }).openapi?.schema?.operationId;
    if (first?.path.startsWith("/body") && operationId === "CreateImage") {
      return emptyBody ? new ImsError("IMG.0007") : classifyBody(req.body);
    }
    const where = first ? first.path.replace(/^\/(body|params|query|headers)\/?/, "").replace(/\//g, ".") || "body" : "request";
    return new ImsError("IMG.0001", first ? refusalWithUnknownFields(first.path, `${where} ${first.message}.`, req.app.locals.unknownBodyFields(operationId, req.body)) : err.message);
  }
  // Any other refusal keeps its status (406 for an Accept the API cannot answer, for instance).
  if (status >= 400 && status < 500) return new ImsError("IMG.0001", err.message, status);
  return new ImsError("IMG.0061", undefined, 500);
}

function errorHandler(classifyBody: BodyClassifier, logger: ((entry: LogEntry) => void) | undefined, proxy: ContractProxy | undefined): ErrorRequestHandler {
  return (err: ValidatorError, req, res, _next) => {
    const mapped = toImsError(err, req as StubRequest, classifyBody);
    // A proxy in warn mode forwards what the stub would refuse, and reports why.
    if (proxy && !proxy.settings.strict && !res.headersSent && forwardsRefused(req, mapped.status, err.type)) {
      const where = err.errors?.[0]?.path.replace(/^\//, "") || "request";
      const operationId = (req as StubRequest & { openapi?: { schema?: { operationId?: string } } }).openapi?.schema?.operationId ?? (res.locals.operationId as string | undefined);
      void proxy.forward(req, res, operationId, [{ location: "request", path: where, message: mapped.message }]);
      return;
    }
    if (mapped instanceof ImsError && mapped.status >= 500) {
      logger?.({ time: new Date().toISOString(), level: "error", request_id: String(res.getHeader("X-Request-Id")), error: err.message });
    }
    if (res.headersSent) return;
    res.locals.errorCode = mapped.code;
    // Sent as text, not res.json: an error body must not go through response validation a second time.
    if (mapped instanceof GatewayError) sendGatewayError(res, mapped);
    else sendImsError(res, mapped);
  };
}

// Builds the stub's Express app from the bundled contracts. It never listens: main.ts does. The pieces it puts
// together: the request context (ID, CORS, log), the static files, the control API, and each IMS operation's
// route (security, validation, handler), then the error handler that answers every refusal in the IMS shape.
import express from "express";
import * as OpenApiValidator from "express-openapi-validator";
import { bodyRefusals } from "./contract/body-refusal.js";
import { unknownBodyFields } from "./contract/near-miss.js";
import { responseExamples } from "./contract/canned-responses.js";
import { loadSpec, schemaValidators, type OpenApiDocument } from "./contract/spec.js";
import { deferSpecMetaValidation } from "./contract/validator-startup.js";
import { defaultSettings, type StubSettings } from "./config.js";
import { controlHandlers } from "./control/control-handlers.js";
import { requireControlToken } from "./control/auth.js";
import { withTestingHandlers } from "./control/testing-handlers.js";
import { errorHandler } from "./http/error-handler.js";
import { FaultRules } from "./http/faults.js";
import type { Handler } from "./http/handler.js";
import { RequestJournal } from "./http/journal.js";
import { jsonBody } from "./http/json-body.js";
import { jsonLineLogger, type LogEntry } from "./http/log.js";
import { requestContext } from "./http/request-context.js";
import { RateLimiter } from "./http/rate-limit.js";
import { acceptedSchemes, handle, handlerFor, mountOperations, requireCaller } from "./http/routes.js";
import { mountStaticFiles, STATIC_PATHS } from "./http/static-files.js";
import { ImsBackend } from "./ims/backend.js";
import { bodyClassifier, CREATE_IMAGE_BRANCHES } from "./ims/create-image/classify.js";
import { ImsError } from "./ims/errors.js";
import { imsHandlers, type ImsOperationId } from "./ims/ims-handlers.js";
import { ContractProxy, proxyHandlers, type ProxySettings } from "./proxy/proxy.js";

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

export type StubApp = ReturnType<typeof express> & Pick<ImsBackend, "jobs" | "images" | "scenario">;

const CONTROL_PREFIX = "/_stub";

/**
 * The validators of the shipped contracts, built once per process. Building one (loading its contract,
 * compiling each operation's schemas on first use) is most of a stub's start-up, and a validator holds nothing
 * of any one stub: every stub of a process (a `startStub()` per test) shares them.
 */
/** The shipped contract's schema validators (for refused bodies), compiled on first use, shared likewise. */
let shippedSchemaValidators: ReturnType<typeof schemaValidators> | undefined;
function shippedSchemaValidatorsOf(spec: OpenApiDocument) {
  if (!shippedSchemaValidators) shippedSchemaValidators = schemaValidators(spec);
  return shippedSchemaValidators;
}
const sharedValidators = new Map<"ims" | "control", ReturnType<typeof OpenApiValidator.middleware>>();
function sharedValidator(contract: "ims" | "control", build: () => ReturnType<typeof OpenApiValidator.middleware>) {
  let validator = sharedValidators.get(contract);
  if (!validator) {
    validator = build();
    sharedValidators.set(contract, validator);
  }
  return validator;
}

export function createApp(options: CreateAppOptions = {}): StubApp {
  const settings: StubSettings = { ...defaultSettings(), log: false, ...options };
  const now = options.now ?? Date.now;
  // The shipped contract was checked when it was built (lint, the OpenAPI 3.1 meta-schema, every schema compiled
  // by the tests), so start-up does not check it again; a contract passed in is checked here, before any request.
  const checkContract = options.spec !== undefined;
  const spec = options.spec ?? loadSpec("openapi");
  const controlSpec = loadSpec("control-openapi");
  const validatorFor = checkContract ? schemaValidators(spec) : shippedSchemaValidatorsOf(spec);
  if (checkContract) {
    for (const branch of CREATE_IMAGE_BRANCHES) {
      try {
        validatorFor(branch);
      } catch (error) {
        throw new Error(`the contract's schema ${branch} does not compile: ${(error as Error).message}`);
      }
    }
  }
  const backend = new ImsBackend(settings, now);
  const logger = options.logger ?? (settings.log ? jsonLineLogger() : undefined);
  const proxy = settings.upstream
    ? new ContractProxy(
        spec,
        { upstream: settings.upstream, strict: settings.upstreamStrict, timeoutMs: settings.upstreamTimeoutMs, credentials: settings.credentials, ...(options.upstreamSignAs && { signAs: options.upstreamSignAs }) },
        logger,
      )
    : undefined;
  const handlers = proxy ? proxyHandlers(proxy, spec) : { ...imsHandlers(backend), ...options.handlers };
  // A proxy passes Prefer on to its upstream rather than answer it.
  const documentedExamples = responseExamples(spec);
  const examples = proxy ? undefined : documentedExamples;
  // For client teams' tests: faults, throttling (only when asked for) and the request journal.
  const faults = new FaultRules(spec, documentedExamples);
  const rateLimiter = settings.rateLimit > 0 ? new RateLimiter(settings.rateLimit) : undefined;
  const journal = new RequestJournal(settings.journalSize);
  const authSettings = { projectId: settings.projectId, credentials: settings.credentials, maxClockSkewMs: options.maxClockSkewMs ?? 15 * 60_000, now };

  const app = Object.assign(express(), { jobs: backend.jobs, images: backend.images, scenario: backend.scenario }) as StubApp;
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(requestContext(settings.corsOrigin, logger, journal));
  mountStaticFiles(app.router, options.docsDir);
  app.use(jsonBody(settings.bodyLimitBytes));

  // The control API has its own validator; requests elsewhere skip it entirely rather than walk its chain.
  const control = withTestingHandlers(controlHandlers(backend, proxy), { journal, faults, rateLimiter, operationIds: [...documentedExamples.keys()] });
  const controlRouter = express.Router();
  controlRouter.use(requireControlToken(settings.controlToken, controlSpec));
  // The token was checked in front of the validator (control/auth.ts), and a stub started without one asks for none.
  controlRouter.use(
    sharedValidator("control", () =>
      OpenApiValidator.middleware({ apiSpec: controlSpec as never, validateApiSpec: false, validateSecurity: false, validateRequests: { allErrors: false }, validateResponses: true }),
    ),
  );
  mountOperations(controlRouter, controlSpec, ({ operationId }) => [handle(operationId, handlerFor(control, operationId), undefined)]);
  app.use((req, res, next) => (req.path.startsWith(`${CONTROL_PREFIX}/`) ? controlRouter(req, res, next) : next()));

  const buildValidator = () =>
    OpenApiValidator.middleware({
    apiSpec: structuredClone(spec) as never,
    validateApiSpec: checkContract,
    ignorePaths: (path: string) => path.startsWith(`${CONTROL_PREFIX}/`) || STATIC_PATHS.has(path),
    // Unknown query parameters are ignored, as IMS ignores them (ListImages says so in the contract).
    validateRequests: { allErrors: false, allowUnknownQueryParameters: true },
    validateResponses: true,
    validateSecurity: false,
    // The contract has no multipart bodies: no multipart step for every request to walk.
    fileUploader: false,
  });
  // A contract passed in gets a validator of its own; the shipped one's is shared (see sharedValidator).
  const validator = checkContract ? buildValidator() : sharedValidator("ims", buildValidator);
  mountOperations(app.router, spec, (operation) => {
    const schemes = acceptedSchemes(spec, operation);
    return [
      faults.step(operation.operationId),
      ...(schemes ? [requireCaller(schemes, authSettings)] : []),
      ...(rateLimiter ? [rateLimiter.step()] : []),
      ...validator,
      handle(operation.operationId, handlerFor(handlers, operation.operationId), examples),
    ];
  });
  // What no operation's route took: the validator answers a documented path's other methods (405 with Allow).
  app.use(validator);
  app.use((req, _res, next) => next(new ImsError("IMG.0121", `No API at ${req.method} ${req.path}.`, 404)));
  const createImageRefusal = bodyClassifier(validatorFor, spec.components.schemas);
  const bodyRefusal = bodyRefusals(spec, validatorFor);
  const classifyBody = (operationId: string | undefined, body: unknown) => createImageRefusal(operationId, body) ?? bodyRefusal(operationId, body);
  app.use(errorHandler(classifyBody, unknownBodyFields([spec, controlSpec]), logger, proxy));
  return app;
}

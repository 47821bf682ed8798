// Builds the stub's Express app from the bundled contracts. It never listens: main.ts does. The pieces it puts
// together: the request context (ID, CORS, log), the static files, the control API, and each IMS operation's
// route (security, validation, handler), then the error handler that answers every refusal in the IMS shape.
import express, { type RequestHandler } from "express";
import { compiledContract, CONTROL_PREFIX } from "./contract/compiled.js";
import type { OpenApiDocument } from "./contract/spec.js";
import { checkOptions, defaultSettings, isFunction, isObject, isText, isWholeNumber, settingKeys, type ExtraOptions, type StubSettings } from "./config.js";
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
import { mountStaticFiles } from "./http/static-files.js";
import { ImsBackend } from "./ims/backend.js";
import { ImsError } from "./ims/errors.js";
import { imsHandlers, type ImsOperationId } from "./ims/ims-handlers.js";
import { ContractProxy, proxyHandlers, type ProxySettings } from "./proxy/proxy.js";

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

/** createApp()'s options besides the settings, each with its check. */
export const CREATE_APP_EXTRAS = {
  now: isFunction,
  logger: isFunction,
  handlers: isObject,
  maxClockSkewMs: isWholeNumber,
  docsDir: isText,
  upstreamSignAs: isObject,
  spec: isObject,
} satisfies ExtraOptions & Record<Exclude<keyof CreateAppOptions, keyof StubSettings>, unknown>;

/**
 * express-openapi-validator keys the validators it compiles by the request's Content-Type as well: a GET that
 * carries one (some SDKs send it on every request) would compile its operation's validators a second time, on
 * a request a test times. An operation that takes no body has no use for it.
 */
const ignoreContentType: RequestHandler = (req, _res, next) => {
  delete req.headers["content-type"];
  next();
};

/** The Express settings of every stub's app. */
function configureExpress(app: ReturnType<typeof express>): void {
  app.disable("x-powered-by");
  app.set("etag", false);
}

let sharedPrototypes: Pick<StubApp, "request" | "response"> | undefined;

/**
 * Express gives each app request and response prototypes of its own (`req.app` is set on them): each new app's
 * requests then have shapes V8 has not met, and in a process that started a hundred stubs every request goes
 * through property look-ups that have seen a hundred shapes. Apps that are never handed out (startStub()'s, the
 * warm-up's) all have the settings createApp gives, and share one pair, whose `app` is a template with those
 * settings (which serves nothing and holds no stub's state).
 */
export function shareRequestPrototypes(app: StubApp): void {
  if (!sharedPrototypes) {
    const template = express();
    configureExpress(template);
    sharedPrototypes = { request: template.request, response: template.response };
  }
  app.request = sharedPrototypes.request;
  app.response = sharedPrototypes.response;
}

export function createApp(options: CreateAppOptions = {}): StubApp {
  // Checked as the command line is: a misspelt option, a wrong type or a value out of range stops here, named.
  const settings: StubSettings = { ...defaultSettings(), log: false, ...checkOptions("createApp()", options, settingKeys(), CREATE_APP_EXTRAS) };
  const now = options.now ?? Date.now;
  // The contract, compiled once per process and shared: this stub builds only its own state and routes.
  // (The shipped contract was checked when it was built; a contract passed in is checked on its first use.)
  const contract = compiledContract(options.spec);
  const { spec, controlSpec, examples: documentedExamples } = contract;
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
  const examples = proxy ? undefined : documentedExamples;
  // For client teams' tests: faults, throttling (only when asked for) and the request journal.
  const faults = new FaultRules(spec, documentedExamples);
  const rateLimiter = settings.rateLimit > 0 ? new RateLimiter(settings.rateLimit) : undefined;
  const journal = new RequestJournal(settings.journalSize);
  const authSettings = { projectId: settings.projectId, credentials: settings.credentials, maxClockSkewMs: options.maxClockSkewMs ?? 15 * 60_000, now };

  const app = Object.assign(express(), { jobs: backend.jobs, images: backend.images, scenario: backend.scenario }) as StubApp;
  configureExpress(app);
  app.use(requestContext(settings.corsOrigin, logger, journal));
  mountStaticFiles(app.router, contract.bundled, options.docsDir);
  app.use(jsonBody(settings.bodyLimitBytes));

  // The control API has its own validator; requests elsewhere skip it entirely rather than walk its chain.
  const control = withTestingHandlers(controlHandlers(backend, proxy), { journal, faults, rateLimiter, operationIds: [...documentedExamples.keys()] });
  const controlRouter = express.Router();
  controlRouter.use(requireControlToken(settings.controlToken, controlSpec));
  controlRouter.use(contract.controlValidator);
  mountOperations(controlRouter, controlSpec, ({ operationId }) => [handle(operationId, handlerFor(control, operationId), undefined)]);
  app.use((req, res, next) => (req.path.startsWith(`${CONTROL_PREFIX}/`) ? controlRouter(req, res, next) : next()));

  const { validator } = contract;
  mountOperations(app.router, spec, (operation) => {
    const schemes = acceptedSchemes(spec, operation);
    return [
      faults.step(operation.operationId),
      ...(schemes ? [requireCaller(schemes, authSettings)] : []),
      ...(rateLimiter ? [rateLimiter.step()] : []),
      ...("requestBody" in operation.operation ? [] : [ignoreContentType]),
      ...validator,
      handle(operation.operationId, handlerFor(handlers, operation.operationId), examples),
    ];
  });
  // What no operation's route took: the validator answers a documented path's other methods (405 with Allow).
  app.use(...validator);
  app.use((req, _res, next) => next(new ImsError("IMG.0121", `No API at ${req.method} ${req.path}.`, 404)));
  app.use(errorHandler(contract.classifyBody, contract.unknownBodyFields, logger, proxy));
  return app;
}

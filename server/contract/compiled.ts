// What depends only on the contract, built once per process and shared by every stub in it: the parsed specs,
// the validators (express-openapi-validator's chains and Ajv's by schema name), the operations and their security,
// the canned answers and the body classifiers. A stub per test then costs an Express app and its own state
// (jobs, images, rules, journal, settings), never a re-read or a re-compile of the contract.
// Nothing here holds a stub's state: the validators' caches are compiled schemas, the same for every stub.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RequestHandler } from "express";
import * as OpenApiValidator from "express-openapi-validator";
import type { ValidateFunction } from "ajv";
import { bodyClassifier, CREATE_IMAGE_BRANCHES } from "../ims/create-image/classify.js";
import type { BodyClassifier, UnknownFieldFinder } from "../http/error-handler.js";
import { STATIC_PATHS, type BundledFiles } from "../http/static-files.js";
import { bodyRefusals } from "./body-refusal.js";
import { responseExamples, type ResponseExamples } from "./canned-responses.js";
import { unknownBodyFields } from "./near-miss.js";
import { generatedDir, loadSpec, schemaValidators, type OpenApiDocument } from "./spec.js";
import { deferSpecMetaValidation, rememberRouteRegexps, resolveRefsByPointer } from "./validator-speedups.js";

deferSpecMetaValidation();
resolveRefsByPointer();
rememberRouteRegexps();

/** The control API's paths, which the IMS validator never looks at. */
export const CONTROL_PREFIX = "/_stub";

export type CompiledContract = {
  readonly spec: OpenApiDocument;
  readonly controlSpec: OpenApiDocument;
  /** Ajv validators of the contract's component schemas, by name, compiled on first use and kept. */
  readonly validatorFor: (name: string) => ValidateFunction;
  /** express-openapi-validator's chain for the IMS API: requests and responses. */
  readonly validator: readonly RequestHandler[];
  /** Its chain for the control API, as one step, built on the first control request. */
  readonly controlValidator: RequestHandler;
  readonly examples: ResponseExamples;
  readonly classifyBody: BodyClassifier;
  readonly unknownBodyFields: UnknownFieldFinder;
  /** The bundled contract as served at /openapi.json and /openapi.yaml. */
  readonly bundled: BundledFiles;
};

/**
 * express-openapi-validator installs path-parameter callbacks on the first app a request of its chain reaches
 * (`app.param`), which a chain shared by several apps would give to one of them only. They copy the parameters
 * it parsed over Express's own, the same strings for this contract (every path parameter is a string): dropped,
 * every app routes alike.
 */
function withoutPathParamsStep(chain: RequestHandler[]): RequestHandler[] {
  return chain.filter((step) => step.name !== "pathParamsMiddleware");
}

/** The steps of a chain built on first use, walked as one step. */
function lazyChain(build: () => RequestHandler[]): RequestHandler {
  let chain: RequestHandler[] | undefined;
  return (req, res, next) => {
    chain ??= build();
    const steps = chain;
    let index = 0;
    const step = (error?: unknown) => {
      if (error !== undefined) return next(error);
      const current = steps[index++];
      if (!current) return next();
      try {
        current(req, res, step);
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}

/** Freezes a parsed JSON document, so that no stub can change what every other one reads. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function compile(spec: OpenApiDocument, checkContract: boolean): CompiledContract {
  const controlSpec = sharedControlSpec();
  const validatorFor = schemaValidators(spec);
  if (checkContract) {
    for (const branch of CREATE_IMAGE_BRANCHES) {
      try {
        validatorFor(branch);
      } catch (error) {
        throw new Error(`the contract's schema ${branch} does not compile: ${(error as Error).message}`);
      }
    }
  }
  const validator = withoutPathParamsStep(
    OpenApiValidator.middleware({
      // The validator adds to the document it is given: its own copy.
      apiSpec: structuredClone(spec) as never,
      validateApiSpec: checkContract,
      ignorePaths: (path: string) => path.startsWith(`${CONTROL_PREFIX}/`) || STATIC_PATHS.has(path),
      // Unknown query parameters are ignored, as IMS ignores them (ListImages says so in the contract).
      validateRequests: { allErrors: false, allowUnknownQueryParameters: true },
      validateResponses: true,
      validateSecurity: false,
      // The contract has no multipart bodies: no multipart step for every request to walk.
      fileUploader: false,
    }),
  );
  // The control token is checked in front of this validator (control/auth.ts), and a stub started without one asks for none.
  // Built when first asked for: the validator loads its document as soon as it is made, and ims-stub's first
  // answer (an IMS request) should not wait for the control API's.
  const controlValidator = lazyChain(() =>
    withoutPathParamsStep(
      OpenApiValidator.middleware({
        apiSpec: structuredClone(controlSpec) as never,
        validateApiSpec: false,
        validateSecurity: false,
        validateRequests: { allErrors: false },
        validateResponses: true,
        fileUploader: false,
      }),
    ),
  );
  const createImageRefusal = bodyClassifier(validatorFor, spec.components.schemas);
  const bodyRefusal = bodyRefusals(spec, validatorFor);
  return Object.freeze({
    spec,
    controlSpec,
    validatorFor,
    validator: Object.freeze(validator),
    controlValidator,
    examples: responseExamples(spec),
    classifyBody: (operationId: string | undefined, body: unknown) => createImageRefusal(operationId, body) ?? bodyRefusal(operationId, body),
    unknownBodyFields: unknownBodyFields([spec, controlSpec]),
    bundled: bundledFiles(),
  });
}

let shipped: CompiledContract | undefined;
let control: OpenApiDocument | undefined;
let files: BundledFiles | undefined;
/** Contracts passed in (createApp's `spec`), each compiled and checked once. */
const passedIn = new WeakMap<OpenApiDocument, CompiledContract>();

function sharedControlSpec(): OpenApiDocument {
  control ??= deepFreeze(loadSpec("control-openapi"));
  return control;
}

function bundledFiles(): BundledFiles {
  files ??= Object.freeze({ json: readFileSync(join(generatedDir, "openapi.json")), yaml: readFileSync(join(generatedDir, "openapi.yaml")) });
  return files;
}

/**
 * The contract compiled: the shipped one (generated/openapi.json) by default, built on the first call and shared
 * after; a contract passed in is checked (the OpenAPI meta-schema, its body schemas compiled) on its first use.
 */
export function compiledContract(spec?: OpenApiDocument): CompiledContract {
  if (spec === undefined) {
    shipped ??= compile(deepFreeze(loadSpec("openapi")), false);
    return shipped;
  }
  let compiled = passedIn.get(spec);
  if (!compiled) {
    compiled = compile(spec, true);
    passedIn.set(spec, compiled);
  }
  return compiled;
}

/** The shipped control contract, parsed once (the world file's schema, the control API). */
export function controlContract(): OpenApiDocument {
  return sharedControlSpec();
}

// What express-openapi-validator 5.6 does that costs the stub and gives it nothing, undone from outside the
// library, each a change the library could make itself. Should the library's layout change, each does nothing and
// the stub is only slower.
import { createRequire } from "node:module";

const requireHere = createRequire(import.meta.url);

/** A module as express-openapi-validator loads it (a file of its own, or a package it depends on); undefined if none. */
function libraryModule<T>(specifier: string): T | undefined {
  try {
    return createRequire(requireHere.resolve("express-openapi-validator"))(specifier) as T;
  } catch {
    return undefined;
  }
}

type SchemaValidatorModule = {
  OpenAPISchemaValidator: new (options: { version: string; validateApiSpec: boolean }) => { validate(doc: object): { errors: unknown[] } };
};

/**
 * The library compiles the whole OpenAPI 3.1 meta-schema for every middleware it builds, even with
 * `validateApiSpec: false`, when nothing will ever use it: that one compile was about half of the stub's start-up.
 * This defers it to the first spec that asks to be checked (upstream: compile in OpenAPISchemaValidator.validate(),
 * only when validateApiSpec is on).
 */
export function deferSpecMetaValidation(): void {
  const module = libraryModule<SchemaValidatorModule>("./framework/openapi.schema.validator.js");
  if (!module) return;
  const Compiled = module.OpenAPISchemaValidator;
  if (typeof Compiled !== "function" || (Compiled as { deferred?: boolean }).deferred) return;
  module.OpenAPISchemaValidator = class DeferredSchemaValidator {
    static deferred = true;
    constructor(private readonly options: { version: string; validateApiSpec: boolean }) {}
    validate(doc: object) {
      return this.options.validateApiSpec ? new Compiled(this.options).validate(doc) : { errors: [] };
    }
  };
}

type PreprocessorModule = {
  SchemaPreprocessor: { prototype: { resolveSchema(this: { apiDoc: unknown; resolvedSchemaCache: Map<string, unknown> }, schema: unknown): unknown; resolvesByPointer?: boolean } };
};

/** The node a local `#/a/b` reference points to in the document, or undefined. */
function byPointer(document: unknown, ref: string): unknown {
  let node = document;
  for (const part of ref.slice(2).split("/")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[part.replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  return node;
}

/**
 * Before it builds a single validator, express-openapi-validator 5.6 walks the document and resolves each `$ref`
 * it meets by compiling the schema it names with Ajv (`ajv.getSchema(ref).schema`), then throws the compiled
 * function away: the schema object is all it keeps, the very object the document holds at that pointer. That
 * compile was a third of ims-stub's start-up. A local reference is resolved here by its pointer instead (the same
 * object); any other goes the library's way.
 */
export function resolveRefsByPointer(): void {
  const module = libraryModule<PreprocessorModule>("./middlewares/parsers/schema.preprocessor.js");
  if (!module) return;
  const prototype = module.SchemaPreprocessor?.prototype;
  if (typeof prototype?.resolveSchema !== "function" || prototype.resolvesByPointer) return;
  const compiling = prototype.resolveSchema;
  prototype.resolvesByPointer = true;
  prototype.resolveSchema = function resolveSchema(schema) {
    const ref = (schema as { $ref?: unknown } | null | undefined)?.$ref;
    if (typeof ref !== "string" || !ref.startsWith("#/")) return compiling.call(this, schema);
    const cached = this.resolvedSchemaCache.get(ref);
    if (cached !== undefined) return cached;
    const resolved = byPointer(this.apiDoc, ref);
    if (resolved === undefined) return compiling.call(this, schema);
    this.resolvedSchemaCache.set(ref, resolved);
    return resolved;
  };
}

type PathToRegexpModule = { pathToRegexp: PathToRegexp & { memoized?: boolean } };
type PathToRegexp = (path: unknown, options?: Record<string, unknown>) => unknown;

/** Routes remembered at most: the contract's and the control API's paths, with room to spare. */
const MAX_REMEMBERED_ROUTES = 256;

/**
 * express-openapi-validator 5.6 finds a request's operation (`lookupRoute`) by compiling `path-to-regexp` for each
 * of the contract's routes in turn, on every request, until one matches: about a tenth of the stub's CPU per
 * request. The answer depends only on the route and two options, and the library only reads it (`regexp.exec`,
 * `keys`), so each is compiled once here and handed out again. The module is the one the library resolves; were
 * it shared with the caller's own code, a call with the same route and the same two options would get the same
 * object too (data nobody has reason to change), and any other call what it got before: a route past the limit,
 * or options besides the two, are compiled afresh.
 */
export function rememberRouteRegexps(): void {
  const module = libraryModule<PathToRegexpModule>("path-to-regexp");
  if (!module) return;
  const compile = module.pathToRegexp;
  if (typeof compile !== "function" || compile.memoized) return;
  // One map per combination of the two options, so that a lookup builds no key.
  const remembered = [new Map<string, unknown>(), new Map<string, unknown>(), new Map<string, unknown>(), new Map<string, unknown>()];
  let count = 0;
  const memoized: PathToRegexpModule["pathToRegexp"] = (path, options = {}) => {
    if (typeof path !== "string") return compile(path, options);
    for (const key in options) if (key !== "sensitive" && key !== "strict") return compile(path, options);
    const routes = remembered[(options.sensitive ? 2 : 0) + (options.strict ? 1 : 0)]!;
    const known = routes.get(path);
    if (known !== undefined) return known;
    const compiled = compile(path, options);
    if (count < MAX_REMEMBERED_ROUTES) {
      routes.set(path, compiled);
      count++;
    }
    return compiled;
  };
  memoized.memoized = true;
  module.pathToRegexp = memoized;
}

// express-openapi-validator 5.6 compiles the whole OpenAPI 3.1 meta-schema for every middleware it builds, even
// with `validateApiSpec: false`, when nothing will ever use it: that one compile was about half of the stub's
// start-up. This defers it to the first spec that asks to be checked. The fix proposed upstream is the same
// thing inside OpenAPISchemaValidator (compile in validate(), only when validateApiSpec is on). Should the
// library's layout change, this does nothing and start-up is only slower.
import { createRequire } from "node:module";

type SchemaValidatorModule = {
  OpenAPISchemaValidator: new (options: { version: string; validateApiSpec: boolean }) => { validate(doc: object): { errors: unknown[] } };
};

export function deferSpecMetaValidation(): void {
  let module: SchemaValidatorModule;
  try {
    module = createRequire(import.meta.url)("express-openapi-validator/dist/framework/openapi.schema.validator.js") as SchemaValidatorModule;
  } catch {
    return;
  }
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
 * object); any other goes the library's way. Should the library's layout change, this does nothing.
 */
export function resolveRefsByPointer(): void {
  let module: PreprocessorModule;
  try {
    module = createRequire(import.meta.url)("express-openapi-validator/dist/middlewares/parsers/schema.preprocessor.js") as PreprocessorModule;
  } catch {
    return;
  }
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

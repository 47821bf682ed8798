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

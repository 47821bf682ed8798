// The IMS error for a request body the validator refused, for any operation: the body is validated again against
// its schema with every error, the first is put in words, and its IMG code is the one the contract gives the rule
// it breaks (`x-ims-error-code` on an `allOf` member of the object the error is in), else the field's own code.
import type { ErrorObject, ValidateFunction } from "ajv";
import { errorFromValidation, type Condition } from "../ims/create-image/classify.js";
import { localRefs, unknownFields } from "./near-miss.js";
import type { ImsError } from "../ims/errors.js";
import { resolveRef, type OpenApiDocument } from "./spec.js";

type Schema = { $ref?: string; items?: Schema; properties?: Record<string, Schema>; allOf?: (Schema & Condition)[] };

const COMPONENT_PREFIX = "#/components/schemas/";

/** operationId → the component name of its request body's schema. */
function requestBodySchemas(spec: OpenApiDocument): Map<string, string> {
  const names = new Map<string, string>();
  for (const pathItem of Object.values(spec.paths)) {
    for (const operation of Object.values(pathItem)) {
      const content = (operation as { requestBody?: { content?: Record<string, { schema?: Schema }> } })?.requestBody?.content;
      const ref = Object.values(content ?? {})[0]?.schema?.$ref;
      if (operation?.operationId && ref?.startsWith(COMPONENT_PREFIX)) names.set(operation.operationId, ref.slice(COMPONENT_PREFIX.length));
    }
  }
  return names;
}

export function bodyRefusals(spec: OpenApiDocument, validatorFor: (name: string) => ValidateFunction) {
  const schemaNames = requestBodySchemas(spec);
  const resolve = (schema: Schema): Schema => (schema.$ref ? resolve(resolveRef<Schema>(spec, schema.$ref)) : schema);
  const ruleValidators = new Map<Schema, ValidateFunction>();

  /** Each object along the error's instance path, deepest first, with its schema. */
  function objectsAlong(root: Schema, body: unknown, instancePath: string): { schema: Schema; data: unknown; pointer: string }[] {
    const found: { schema: Schema; data: unknown; pointer: string }[] = [];
    let schema: Schema | undefined = resolve(root);
    let data = body;
    let pointer = "";
    found.push({ schema, data, pointer });
    for (const part of instancePath.split("/").slice(1)) {
      if (!schema || data === null || typeof data !== "object") break;
      schema = Array.isArray(data) ? schema.items : schema.properties?.[part];
      if (!schema) break;
      schema = resolve(schema);
      data = (data as Record<string, unknown>)[part];
      pointer = `${pointer}/${part}`;
      found.unshift({ schema, data, pointer });
    }
    return found;
  }

  /** The first rule with an IMG code that the data at the error's object breaks, if any. */
  function ruleBroken(root: Schema, body: unknown, error: ErrorObject): Condition | undefined {
    for (const { schema, data, pointer } of objectsAlong(root, body, error.instancePath)) {
      if (!error.instancePath.startsWith(pointer)) continue;
      for (const rule of schema.allOf ?? []) {
        if (!rule["x-ims-error-code"]) continue;
        let validate = ruleValidators.get(rule);
        if (!validate) {
          const index = schema.allOf!.indexOf(rule);
          validate = validatorFor(`${nameOf(schema)}/allOf/${index}`);
          ruleValidators.set(rule, validate);
        }
        if (!validate(data)) return rule;
      }
    }
    return undefined;
  }

  const names = new Map<Schema, string>(Object.entries(spec.components.schemas).map(([name, schema]) => [schema as Schema, name]));
  const nameOf = (schema: Schema) => names.get(schema) ?? "";

  /** The refusal of an operation's body, or undefined when the operation has no body schema of its own. */
  return (operationId: string | undefined, body: unknown): ImsError | undefined => {
    const name = operationId === undefined ? undefined : schemaNames.get(operationId);
    if (!name) return undefined;
    const validate = validatorFor(name);
    if (validate(body)) return undefined;
    const root = spec.components.schemas[name] as Schema;
    const unknown = unknownFields(root, body, localRefs(spec));
    return errorFromValidation(validate.errors ?? [], root as Record<string, unknown>, unknown, (error) => ruleBroken(root, body, error));
  };
}

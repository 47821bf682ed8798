// The bundled contract, loaded once, and JSON Schema validators compiled from its components.
// Everything that validates (the stub, the spec tests) reads generated/, never spec/ directly,
// so that all tools see the same document.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

export const generatedDir = fileURLToPath(new URL("../../generated/", import.meta.url));

export type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> } & Record<string, unknown>>>;
  components: { schemas: Record<string, unknown> } & Record<string, unknown>;
} & Record<string, unknown>;

export function loadSpec(stem: "openapi" | "control-openapi" = "openapi"): OpenApiDocument {
  return JSON.parse(readFileSync(`${generatedDir}${stem}.json`, "utf8")) as OpenApiDocument;
}

const SPEC_ID = "https://ims.contract/openapi.json";

/** Compiles validators for the spec's component schemas, by name, with every error reported. */
export function schemaValidators(spec: OpenApiDocument = loadSpec()): (name: string) => ValidateFunction {
  let ajv: Ajv2020 | undefined;
  const cache = new Map<string, ValidateFunction>();
  return (name) => {
    let validate = cache.get(name);
    if (!validate) {
      // A name may go on into the schema (`UpdateImageOperation/allOf/2`): one rule of it, validated alone.
      if (!(name.split("/", 1)[0]! in spec.components.schemas)) throw new Error(`no schema ${name} in the spec`);
      // Made on first use: the stub needs these only for refused bodies, and start-up should not wait for them.
      // verbose: errors carry the schema they broke (its title names the rule). strict:false because the container is an OpenAPI document, not a schema: its `components` key is not a keyword.
      if (!ajv) {
        ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });
        addFormats.default(ajv);
        ajv.addSchema({ $id: SPEC_ID, components: spec.components });
      }
      validate = ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/${name}` });
      cache.set(name, validate);
    }
    return validate;
  };
}

/** Resolves a local `#/a/b` reference of the bundled document. */
export function resolveRef<T>(spec: OpenApiDocument, ref: string): T {
  if (!ref.startsWith("#/")) throw new Error(`not a local reference: ${ref}`);
  let node: unknown = spec;
  for (const part of ref.slice(2).split("/")) {
    node = (node as Record<string, unknown>)[part.replaceAll("~1", "/").replaceAll("~0", "~")];
    if (node === undefined) throw new Error(`unresolved reference: ${ref}`);
  }
  return node as T;
}

export type MediaObject = { schema?: { $ref?: string }; examples?: Record<string, { $ref?: string; value?: unknown }> };
export type ResponseObject = { content?: Record<string, MediaObject> };

/** operationId → status → its documented response (a shared response's `$ref` resolved), from the bundled contract. */
export function documentedResponses(spec: OpenApiDocument): Map<string, Map<number, ResponseObject>> {
  const byOperation = new Map<string, Map<number, ResponseObject>>();
  for (const pathItem of Object.values(spec.paths)) {
    for (const operation of Object.values(pathItem)) {
      if (!operation?.operationId) continue;
      const byStatus = new Map<number, ResponseObject>();
      for (const [status, value] of Object.entries(operation.responses ?? {})) {
        const ref = (value as { $ref?: string }).$ref;
        byStatus.set(Number(status), ref ? resolveRef<ResponseObject>(spec, ref) : (value as ResponseObject));
      }
      byOperation.set(operation.operationId, byStatus);
    }
  }
  return byOperation;
}

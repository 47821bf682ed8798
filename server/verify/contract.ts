// What the contract says about an exchange: which operation a method and path are, the statuses it documents,
// whether an answer matches the documented response of its status, and the IMS error a body should get.
import type { ValidateFunction } from "ajv";
import { bodyRefusals } from "../contract/body-refusal.js";
import { documentedResponses, loadSpec, schemaValidators, type OpenApiDocument, type ResponseObject } from "../contract/spec.js";
import { bodyClassifier, checkBeyondSchema, CREATE_IMAGE_OPERATIONS } from "../ims/create-image/classify.js";

type Route = { operationId: string; method: string; template: string; pattern: RegExp; requestSchema?: string };

const COMPONENT = /^#\/components\/schemas\/(.+)$/;

export class Contract {
  readonly spec: OpenApiDocument;
  readonly routes: Route[];
  readonly responses: Map<string, Map<number, ResponseObject>>;
  readonly validatorFor: (name: string) => ValidateFunction;
  private readonly refusalOf: ReturnType<typeof bodyRefusals>;
  private readonly createRefusalOf: ReturnType<typeof bodyClassifier>;

  constructor(spec: OpenApiDocument = loadSpec()) {
    this.spec = spec;
    this.validatorFor = schemaValidators(spec);
    this.responses = documentedResponses(spec);
    this.refusalOf = bodyRefusals(spec, this.validatorFor);
    this.createRefusalOf = bodyClassifier(this.validatorFor, spec.components.schemas);
    this.routes = [];
    for (const [template, item] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!operation?.operationId) continue;
        const content = (operation.requestBody as { content?: Record<string, { schema?: { $ref?: string } }> } | undefined)?.content;
        const requestSchema = COMPONENT.exec(Object.values(content ?? {})[0]?.schema?.$ref ?? "")?.[1];
        const pattern = new RegExp(`^${template.replace(/[.]/g, "\\.").replace(/\{[^}]+\}/g, "[^/]+")}$`);
        this.routes.push({ operationId: operation.operationId, method: method.toUpperCase(), template, pattern, ...(requestSchema && { requestSchema }) });
      }
    }
  }

  /** The operation a request is, by its method and path (without the query). */
  operationOf(method: string, path: string): string | undefined {
    return this.routes.find((route) => route.method === method.toUpperCase() && route.pattern.test(path))?.operationId;
  }

  route(operationId: string): Route {
    const route = this.routes.find((r) => r.operationId === operationId);
    if (!route) throw new Error(`no operation ${operationId} in the contract`);
    return route;
  }

  /** The statuses the contract documents for an operation. */
  documentedStatuses(operationId: string): number[] {
    return [...(this.responses.get(operationId)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /**
   * What is wrong with an answer, against the response the contract documents for its status: an undocumented
   * status, a content type or a body that is not the documented one. Empty when it keeps the contract.
   */
  answerProblems(operationId: string, status: number, contentType: string | undefined, text: string, contentLength?: number): string[] {
    const documented = this.responses.get(operationId)?.get(status);
    if (!documented) return [`status ${status} is not documented for ${operationId} (documented: ${this.documentedStatuses(operationId).join(", ")})`];
    // (A Content-Type on a 204 is let be: OpenStack's services send one with Content-Length 0.)
    const bytes = Math.max(text.length, contentLength ?? 0);
    if (!documented.content) return bytes > 0 ? [`a ${status} of ${operationId} has no body in the contract, but ${bytes} bytes came`] : [];
    const [mediaType, media] = Object.entries(documented.content)[0]!;
    const problems: string[] = [];
    if (!contentType) problems.push(`no Content-Type (the contract's is ${mediaType})`);
    else if (contentType.split(";", 1)[0]!.trim().toLowerCase() !== mediaType) problems.push(`Content-Type ${contentType}, not ${mediaType}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [...problems, `the body is not JSON: ${JSON.stringify(text.slice(0, 80))}`];
    }
    const schema = COMPONENT.exec(media.schema?.$ref ?? "")?.[1];
    if (schema) {
      const validate = this.validatorFor(schema);
      if (!validate(body)) {
        const first = validate.errors?.[0];
        problems.push(`the body is not a ${schema}: ${first?.instancePath || "(root)"} ${first?.message ?? ""}`.trim());
      }
    }
    return problems;
  }

  /** The IMS error a body should get from an operation, by the contract's rules (undefined: it is valid). */
  expectedRefusal(operationId: string, body: unknown): { status: number; code: string } | undefined {
    if (CREATE_IMAGE_OPERATIONS.has(operationId)) {
      const refusal = this.validatorFor(this.requestSchema(operationId)!)(body)
        ? checkBeyondSchema(body as Record<string, unknown>)
        : this.createRefusalOf(operationId, body);
      return refusal && { status: refusal.status, code: refusal.code };
    }
    const refusal = this.refusalOf(operationId, body);
    return refusal && { status: refusal.status, code: refusal.code };
  }

  /** The request body schema's name of an operation. */
  requestSchema(operationId: string): string | undefined {
    return this.route(operationId).requestSchema;
  }
}

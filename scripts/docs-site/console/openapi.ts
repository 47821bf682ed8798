// What the console reads from the bundled contract embedded in the page: every operation with its parameters,
// request bodies and their named examples, security requirements and response links. Nothing here names an
// operation: a new path in the contract is a new entry in the console.

type Json = unknown;
type JsonObject = Record<string, Json>;

export type Schema = { type?: string | string[]; enum?: Json[]; default?: Json; items?: Schema; $ref?: string; [key: string]: Json };

export type Parameter = {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required: boolean;
  description: string;
  schema: Schema;
  /** The first documented example value, shown as a placeholder. */
  example: string | undefined;
};

export type BodyExample = { name: string; title: string; value: Json };

export type MediaType = { contentType: string; examples: BodyExample[]; schema: Schema };

export type AuthKind = "token" | "aksk";

/** How a security scheme is sent: a token in a header, or Huawei's AK/SK signature in `Authorization`. */
export type Scheme = { name: string; kind: AuthKind; header: string };

export type Link = { name: string; operationId: string; parameters: Record<string, string>; description: string };

export type Operation = {
  /** The operationId, or `METHOD path` without one. */
  id: string;
  method: string;
  path: string;
  summary: string;
  tag: string;
  parameters: Parameter[];
  body: { required: boolean; media: MediaType[] } | undefined;
  /** The schemes any one of which the operation accepts; empty when it needs no credentials. */
  schemes: Scheme[];
  /** Links documented on each response status. */
  links: Map<string, Link[]>;
};

export type OpenApiDocument = {
  info?: { title?: string };
  servers?: { url: string; description?: string; variables?: Record<string, { default: string }> }[];
  paths?: Record<string, JsonObject>;
  components?: JsonObject;
  security?: Record<string, string[]>[];
  tags?: { name: string; "x-displayName"?: string }[];
};

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

const isObject = (value: Json): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

/** Follows local `$ref`s (`#/components/...`) until an object without one. */
export function resolve<T = JsonObject>(document: OpenApiDocument, value: Json): T {
  let current = value;
  for (let hops = 0; isObject(current) && typeof current.$ref === "string" && hops < 32; hops++) {
    const ref = current.$ref as string;
    if (!ref.startsWith("#/")) break;
    current = ref
      .slice(2)
      .split("/")
      .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
      .reduce<Json>((node, key) => (isObject(node) ? node[key] : undefined), document);
  }
  return (current ?? {}) as T;
}

function exampleText(value: Json): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

function parameterOf(document: OpenApiDocument, raw: Json): Parameter | undefined {
  const p = resolve(document, raw);
  if (typeof p.name !== "string" || !["path", "query", "header", "cookie"].includes(p.in as string)) return undefined;
  const examples = isObject(p.examples) ? Object.values(p.examples).map((example) => resolve(document, example).value) : [];
  const schema = resolve<Schema>(document, p.schema ?? {});
  return {
    name: p.name,
    in: p.in as Parameter["in"],
    required: p.required === true || p.in === "path",
    description: typeof p.description === "string" ? p.description : "",
    schema,
    example: exampleText(p.example ?? examples[0] ?? schema.examples?.[0 as never] ?? schema.default),
  };
}

function mediaTypesOf(document: OpenApiDocument, content: Json): MediaType[] {
  if (!isObject(content)) return [];
  return Object.entries(content).map(([contentType, rawMedia]) => {
    const media = resolve(document, rawMedia);
    const examples: BodyExample[] = isObject(media.examples)
      ? Object.entries(media.examples).map(([name, rawExample]) => {
          const example = resolve(document, rawExample);
          return { name, title: typeof example.summary === "string" ? example.summary : name, value: example.value };
        })
      : [];
    if (examples.length === 0 && media.example !== undefined) examples.push({ name: "example", title: "example", value: media.example });
    return { contentType, examples, schema: resolve<Schema>(document, media.schema ?? {}) };
  });
}

function schemesOf(document: OpenApiDocument, requirements: Record<string, string[]>[] | undefined): Scheme[] {
  if (!requirements || requirements.length === 0 || requirements.some((requirement) => Object.keys(requirement).length === 0)) return [];
  const declared = isObject(document.components?.securitySchemes) ? (document.components.securitySchemes as JsonObject) : {};
  const schemes: Scheme[] = [];
  for (const name of new Set(requirements.flatMap((requirement) => Object.keys(requirement)))) {
    const scheme = resolve(document, declared[name]);
    if (scheme.type !== "apiKey" || scheme.in !== "header" || typeof scheme.name !== "string") continue;
    // Huawei's AK/SK signature travels in Authorization; any other header scheme carries a token as it is.
    schemes.push({ name, kind: scheme.name.toLowerCase() === "authorization" ? "aksk" : "token", header: scheme.name });
  }
  return schemes;
}

function linksOf(document: OpenApiDocument, responses: Json): Map<string, Link[]> {
  const links = new Map<string, Link[]>();
  if (!isObject(responses)) return links;
  for (const [status, rawResponse] of Object.entries(responses)) {
    const response = resolve(document, rawResponse);
    if (!isObject(response.links)) continue;
    links.set(
      status,
      Object.entries(response.links).flatMap(([name, rawLink]) => {
        const link = resolve(document, rawLink);
        if (typeof link.operationId !== "string") return [];
        const parameters = isObject(link.parameters) ? Object.fromEntries(Object.entries(link.parameters).filter((entry): entry is [string, string] => typeof entry[1] === "string")) : {};
        return [{ name, operationId: link.operationId, parameters, description: typeof link.description === "string" ? link.description : "" }];
      }),
    );
  }
  return links;
}

/** Every operation of the contract, in the order of its paths. */
export function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, rawItem] of Object.entries(document.paths ?? {})) {
    const item = resolve(document, rawItem);
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      // An operation's own parameter replaces the path item's of the same name and location.
      const byKey = new Map<string, Parameter>();
      for (const raw of [...shared, ...(Array.isArray(operation.parameters) ? operation.parameters : [])]) {
        const parameter = parameterOf(document, raw);
        if (parameter) byKey.set(`${parameter.in}:${parameter.name}`, parameter);
      }
      const requestBody = operation.requestBody === undefined ? undefined : resolve(document, operation.requestBody);
      const media = requestBody ? mediaTypesOf(document, requestBody.content) : [];
      operations.push({
        id: typeof operation.operationId === "string" ? operation.operationId : `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        summary: typeof operation.summary === "string" ? operation.summary : "",
        tag: Array.isArray(operation.tags) && typeof operation.tags[0] === "string" ? operation.tags[0] : "",
        parameters: [...byKey.values()],
        body: requestBody && media.length > 0 ? { required: requestBody.required === true, media } : undefined,
        schemes: schemesOf(document, (operation.security as Record<string, string[]>[] | undefined) ?? document.security),
        links: linksOf(document, operation.responses),
      });
    }
  }
  return operations;
}

/** The server URLs the contract names, with their variables at their defaults. */
export function serverUrls(document: OpenApiDocument): { url: string; description: string }[] {
  return (document.servers ?? []).map((server) => ({
    url: server.url.replace(/\{([^}]+)\}/g, (whole, name: string) => server.variables?.[name]?.default ?? whole),
    description: server.description ?? "",
  }));
}

/** A tag's display name (`x-displayName`, which the translation sets) or its name. */
export function tagLabel(document: OpenApiDocument, tag: string): string {
  return document.tags?.find((candidate) => candidate.name === tag)?.["x-displayName"] ?? tag;
}

/** A body to start from when the contract gives no example: the empty value of the schema's type. */
export function emptyBody(schema: Schema): string {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  return type === "array" ? "[]" : "{}";
}

/** Reads `$response.body#/job_id` (an OpenAPI runtime expression) from a JSON body; other expressions give undefined. */
export function evaluateExpression(expression: string, body: Json): string | undefined {
  const match = /^\$response\.body#(\/.*)?$/.exec(expression);
  if (!match) return undefined;
  const value = (match[1] ?? "")
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<Json>((node, key) => (isObject(node) ? node[key] : Array.isArray(node) ? node[Number(key)] : undefined), body);
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}

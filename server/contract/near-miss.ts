// Names the unknown fields of a body, each with the known field it most likely meant ("instanceId is not a field
// of this body: did you mean instance_id?"), from the contract's own schemas: a field is unknown where the
// schema that describes its object is closed (`additionalProperties: false`), and the known fields are that
// schema's `properties`. Where the schema is a choice (`oneOf`, `anyOf`), the branch the object most resembles
// is the one meant. Pure functions: the schema, the body and a `$ref` resolver in, the fields out.
import { closestName } from "../../client/suggest.js";

export type UnknownField = {
  /** Where, as the stub's messages write it: `instanceId`, `data_images[0].imageUrl`. */
  path: string;
  /** The unknown name itself. */
  name: string;
  /** The known field of the same object it most likely meant, if one is close. */
  suggestion?: string;
};

type Schema = {
  $ref?: string;
  properties?: Record<string, unknown>;
  additionalProperties?: unknown;
  unevaluatedProperties?: unknown;
  items?: unknown;
  allOf?: unknown[];
  oneOf?: unknown[];
  anyOf?: unknown[];
};

/** Resolves a `$ref` of the document the schema came from. */
export type RefResolver = (ref: string) => unknown;

/** A resolver for local `#/a/b` references of a bundled document. */
export function localRefs(document: unknown): RefResolver {
  return (ref) => {
    if (!ref.startsWith("#/")) return undefined;
    let node: unknown = document;
    for (const part of ref.slice(2).split("/")) {
      if (typeof node !== "object" || node === null) return undefined;
      node = (node as Record<string, unknown>)[part.replaceAll("~1", "/").replaceAll("~0", "~")];
    }
    return node;
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function deref(schema: unknown, resolve: RefResolver): Schema {
  let current = schema;
  for (let hops = 0; isObject(current) && typeof current.$ref === "string" && hops < 32; hops++) current = resolve(current.$ref);
  return isObject(current) ? (current as Schema) : {};
}

/** The fields an object may have where a schema describes it, and whether others are refused. */
type Shape = { properties: Map<string, unknown>; closed: boolean };

/** How much an object looks like a shape: its fields the shape knows, then those a shape's field is a near miss of. */
function resemblance(value: Record<string, unknown>, shape: Shape): [number, number] {
  const keys = Object.keys(value);
  const known = keys.filter((key) => shape.properties.has(key)).length;
  const nearMisses = keys.filter((key) => !shape.properties.has(key) && closestName(key, shape.properties.keys()) !== undefined).length;
  return [known, nearMisses];
}

function shapeOf(schema: unknown, value: Record<string, unknown>, resolve: RefResolver, depth = 0): Shape {
  const node = deref(schema, resolve);
  const shape: Shape = { properties: new Map(Object.entries(node.properties ?? {})), closed: node.additionalProperties === false || node.unevaluatedProperties === false };
  if (depth > 16) return shape;
  const merge = (part: Shape) => {
    for (const [name, property] of part.properties) if (!shape.properties.has(name)) shape.properties.set(name, property);
    shape.closed ||= part.closed;
  };
  for (const member of node.allOf ?? []) merge(shapeOf(member, value, resolve, depth + 1));
  for (const choice of [node.oneOf, node.anyOf]) {
    if (!choice?.length) continue;
    const branches = choice.map((branch) => shapeOf(branch, value, resolve, depth + 1));
    // The first of the best keeps the contract's order on a tie.
    let best = branches[0]!;
    let bestScore = resemblance(value, best);
    for (const branch of branches.slice(1)) {
      const score = resemblance(value, branch);
      if (score[0] > bestScore[0] || (score[0] === bestScore[0] && score[1] > bestScore[1])) [best, bestScore] = [branch, score];
    }
    merge(best);
  }
  return shape;
}

const join = (base: string, key: string | number) => (typeof key === "number" ? `${base}[${key}]` : base ? `${base}.${key}` : key);

function collect(schema: unknown, value: unknown, path: string, resolve: RefResolver, found: UnknownField[], depth: number): void {
  if (depth > 32) return;
  if (Array.isArray(value)) {
    const items = deref(schema, resolve).items;
    if (items !== undefined) {
      for (const [index, item] of value.entries()) collect(items, item, join(path, index), resolve, found, depth + 1);
    }
    return;
  }
  if (!isObject(value)) return;
  const shape = shapeOf(schema, value, resolve);
  for (const [key, child] of Object.entries(value)) {
    const property = shape.properties.get(key);
    if (property !== undefined) {
      collect(property, child, join(path, key), resolve, found, depth + 1);
    } else if (shape.closed) {
      // A field the object already has is never the suggestion: `instanceId` beside `instance_id` is just unknown.
      const suggestion = closestName(key, [...shape.properties.keys()].filter((name) => !Object.hasOwn(value, name)));
      found.push({ path: join(path, key), name: key, ...(suggestion !== undefined && suggestion !== key && { suggestion }) });
    }
  }
}

/** Every field of `body` that the schema's closed objects do not know, with the known field each most likely meant. */
export function unknownFields(schema: unknown, body: unknown, resolve: RefResolver): UnknownField[] {
  const found: UnknownField[] = [];
  collect(schema, body, "", resolve, found, 0);
  return found;
}

const described = (field: UnknownField) => (field.suggestion ? `${field.path} (did you mean ${field.suggestion}?)` : field.path);

/**
 * `instanceId is not a field of this body: did you mean instance_id?`, or for several
 * `instanceId (did you mean instance_id?) and descripton (did you mean description?) are not fields of this body.`
 */
export function describeUnknownFields(fields: readonly UnknownField[], of = "this body"): string | undefined {
  const [first] = fields;
  if (!first) return undefined;
  if (fields.length === 1) return `${first.path} is not a field of ${of}${first.suggestion ? `: did you mean ${first.suggestion}?` : "."}`;
  const names = fields.map(described);
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)} are not fields of ${of}.`;
}

/**
 * The words of a generic refusal: the validator's first error (`fallback`), then the body's unknown fields; the
 * unknown fields alone when the first error is one of them.
 */
export function refusalWithUnknownFields(firstErrorPath: string, fallback: string, unknown: readonly UnknownField[]): string {
  const note = describeUnknownFields(unknown);
  if (!note) return fallback;
  const firstField = firstErrorPath.replace(/^\/body\/?/, "");
  const isFirst = unknown.some((field) => field.path.replace(/\[(\d+)\]/g, ".$1").replaceAll(".", "/") === firstField);
  return isFirst ? note : `${fallback} ${note}`;
}

type OperationLike = { operationId?: string; requestBody?: { $ref?: string; content?: Record<string, { schema?: unknown }> } };

/**
 * For the generic refusal of a body (every operation but CreateImage, and the control API): the unknown fields
 * of a body sent to an operation of one of these documents, found through its request body's JSON schema.
 */
export function unknownBodyFields(documents: readonly unknown[]): (operationId: string | undefined, body: unknown) => UnknownField[] {
  const byOperation = new Map<string, { schema: unknown; resolve: RefResolver }>();
  for (const document of documents) {
    const resolve = localRefs(document);
    const paths = isObject(document) && isObject(document.paths) ? document.paths : {};
    for (const pathItem of Object.values(paths)) {
      for (const operation of Object.values(isObject(pathItem) ? pathItem : {}) as OperationLike[]) {
        if (!isObject(operation) || typeof operation.operationId !== "string" || !operation.requestBody) continue;
        const requestBody = (operation.requestBody.$ref ? resolve(operation.requestBody.$ref) : operation.requestBody) as OperationLike["requestBody"];
        const media = Object.entries(requestBody?.content ?? {}).find(([type]) => /json/i.test(type))?.[1];
        if (media?.schema !== undefined) byOperation.set(operation.operationId, { schema: media.schema, resolve });
      }
    }
  }
  return (operationId, body) => {
    const entry = operationId === undefined ? undefined : byOperation.get(operationId);
    return entry ? unknownFields(entry.schema, body, entry.resolve) : [];
  };
}

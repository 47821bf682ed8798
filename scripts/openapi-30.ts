// The OpenAPI 3.0 rendition of the bundled contract (generated/openapi-3.0.json and .yaml), for client generators
// whose 3.1 support fails on this contract: openapi-generator 7.x's Python generator stops on `type: 'null'` and its
// Go generator writes a field of type `nil`. @apiture/openapi-down-convert does the general conversion; the
// constructs it leaves as they are, which 3.0 cannot say, are turned into their nearest 3.0 form here first.
// What a client built from this rendition loses is named in spec/guides/generate-a-client.md.
import { Converter } from "@apiture/openapi-down-convert";

type Node = Record<string, unknown>;

/** The JSON Schema keywords that 3.0 lacks and no 3.0 form can say: the rule is dropped and named. */
const CONDITIONAL_KEYWORDS = ["if", "then", "else"] as const;

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** 3.0 has no boolean schemas (`true`, `false`) except as `additionalProperties`. */
function booleanSchema(value: unknown): unknown {
  if (value === true) return {};
  if (value === false) return { not: {} };
  return value;
}

function lowerSchema(schema: Node): void {
  if (isNode(schema.properties)) {
    for (const [name, property] of Object.entries(schema.properties)) schema.properties[name] = booleanSchema(property);
  }
  for (const keyword of ["items", "not"]) if (keyword in schema) schema[keyword] = booleanSchema(schema[keyword]);
  for (const keyword of ["allOf", "anyOf", "oneOf"]) {
    if (Array.isArray(schema[keyword])) schema[keyword] = (schema[keyword] as unknown[]).map(booleanSchema);
  }
  if (schema.type === "null") {
    // 3.0's way of saying "only null": a nullable type whose one allowed value is null.
    schema.type = "string";
    schema.nullable = true;
    schema.enum = [null];
  } else if (Array.isArray(schema.type) && !schema.type.includes("null")) {
    // `type: [string, number]`: 3.0 has one type per schema, so each becomes a branch of a oneOf.
    const types = schema.type as string[];
    delete schema.type;
    schema.oneOf = types.map((type) => ({ type }));
  }
  const dropped = CONDITIONAL_KEYWORDS.filter((keyword) => keyword in schema);
  if (dropped.length > 0) {
    for (const keyword of dropped) delete schema[keyword];
    schema["x-ims-openapi-3.1-only"] = `this rule's ${dropped.join("/")} (OpenAPI 3.0 has no conditional schemas; the stub enforces it)`;
  }
}

function walk(value: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
  } else if (isNode(value)) {
    visit(value);
    for (const child of Object.values(value)) walk(child, visit);
  }
}

/** Schemas live under components.schemas and in every `schema` of a parameter, header or media type. */
function forEachSchema(document: Node, visit: (schema: Node) => void): void {
  const seen = new Set<Node>();
  const visitSchemaTree = (schema: unknown) =>
    walk(schema, (node) => {
      if (!seen.has(node)) {
        seen.add(node);
        visit(node);
      }
    });
  const components = isNode(document.components) ? document.components : {};
  if (isNode(components.schemas)) for (const schema of Object.values(components.schemas)) visitSchemaTree(schema);
  walk(document, (node) => {
    if (isNode(node.schema)) visitSchemaTree(node.schema);
  });
}

export function toOpenApi30(bundled: object): Node {
  const document = structuredClone(bundled) as Node;
  forEachSchema(document, lowerSchema);
  if (isNode(document.info)) delete document.info.summary;
  const converted = new Converter(document, { convertSchemaComments: true }).convert() as Node;
  return { ...converted, openapi: "3.0.3" };
}

// The docs' translations: one OpenAPI Overlay 1.0 document per language beside the spec
// (spec/translations/<lang>.overlay.yaml), applied to the bundled English contract at build time with
// openapi-format's overlay applier. Each action targets one object of the bundled contract and replaces some of
// its text fields; beside its `update` it records, in `x-english-sha256`, a hash of the English each field
// translates, so that a changed English text (a stale translation) or a target that no longer exists (an orphan)
// is found by `checkTranslations` instead of drifting silently.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openapiOverlay, resolveJsonPath } from "openapi-format";
import { parse } from "yaml";

const projectRoot = join(import.meta.dirname, "..");

export const LANGUAGES = ["zh-CN"] as const;
export type Language = (typeof LANGUAGES)[number];

export const overlayFile = (language: Language) => join(projectRoot, "spec/translations", `${language}.overlay.yaml`);

export type TranslationAction = {
  target: string;
  description?: string;
  /** Field → its translation. Only text fields, each a string. */
  update: Record<string, string>;
  /** English field → the first 16 hex digits of the SHA-256 of the English text that was translated. */
  "x-english-sha256": Record<string, string>;
};

export type TranslationOverlay = { overlay: string; info: { title: string; version: string }; actions: TranslationAction[] };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The text fields a reader reads, wherever they appear (outside example data). */
const TEXT_FIELDS = new Set(["title", "summary", "description"]);
/** A tag's `name` is shown as written unless `x-displayName` says otherwise: the translation of a tag name. */
const TRANSLATED_AS: Record<string, string> = { "x-displayName": "name" };
/** Fields whose values are data, code or identifiers, not prose: never walked. */
const DATA_FIELDS = new Set(["example", "default", "const", "enum", "x-codeSamples", "x-ims-error-code"]);

export const sourceField = (updateField: string) => TRANSLATED_AS[updateField] ?? updateField;

export function englishHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 16);
}

export function loadOverlay(language: Language, file = overlayFile(language)): TranslationOverlay {
  return parse(readFileSync(file, "utf8")) as TranslationOverlay;
}

/** A step of a JSONPath: a field, an array index, or a parameter picked by name and location. */
export type PathSegment = string | number | { name: string; in: string };

const quoted = (value: string) => `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/**
 * `$.paths['/v2/cloudimages/action'].post`: a JSONPath to one node, in the form the overlay's targets use. A
 * parameter is picked by name (`parameters[?@.name=='id' && @.in=='query']`), so that reordering a path's
 * parameters does not move its translations.
 */
export function jsonPath(segments: readonly PathSegment[]): string {
  return `$${segments
    .map((segment) =>
      typeof segment === "object"
        ? `[?@.name==${quoted(segment.name)} && @.in==${quoted(segment.in)}]`
        : typeof segment === "number"
          ? `[${segment}]`
          : /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)
            ? `.${segment}`
            : `[${quoted(segment)}]`,
    )
    .join("")}`;
}

export type Text = {
  /** The object holding the text, and the JSONPath to it. */
  node: JsonObject;
  target: string;
  /** The field as an overlay updates it (`x-displayName` for a tag's name) and the English field it translates. */
  field: string;
  english: string;
  /** Whether the text belongs to an operation (its summary or description), which the tests hold to a higher bar. */
  operation: boolean;
};

/**
 * Some of the contract's texts are Chinese already (the seed's own example titles, such as 使用tags参数及云服务器制作系统盘镜像):
 * they need no translation. A text is taken as Chinese when it has at least as many Chinese characters as Latin letters.
 */
function writtenInChinese(text: string): boolean {
  const chinese = text.match(/[\u3400-\u9fff]/g)?.length ?? 0;
  return chinese > 0 && chinese >= (text.match(/[A-Za-z]/g)?.length ?? 0);
}

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

/**
 * Every text a reader of the docs reads, with where it is: titles, summaries and descriptions of the document, its
 * operations, parameters, responses, schemas and their properties, examples (not their values) and tags' names.
 */
export function translatableTexts(document: JsonObject): Text[] {
  const texts: Text[] = [];
  const add = (node: JsonObject, path: PathSegment[], field: string, english: string) => {
    if (writtenInChinese(english)) return;
    const operation = path.length === 3 && path[0] === "paths" && HTTP_METHODS.has(String(path[2])) && (field === "summary" || field === "description");
    texts.push({ node, target: jsonPath(path), field, english, operation });
  };
  // `kind` says what the node's children are: schemas by name (a `properties` map), example objects by name, or
  // ordinary fields.
  const walk = (node: Json, path: PathSegment[], kind: "fields" | "named-schemas" | "named-examples" | "example") => {
    if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) {
        const parameter = path.at(-1) === "parameters" && item !== null && typeof item === "object" && !Array.isArray(item) && typeof item.name === "string" && typeof item.in === "string";
        walk(item, [...path, parameter ? { name: item.name as string, in: item.in as string } : index], "fields");
      }
      return;
    }
    if (node === null || typeof node !== "object") return;
    if (kind === "named-schemas" || kind === "named-examples") {
      for (const [name, child] of Object.entries(node)) walk(child, [...path, name], kind === "named-schemas" ? "fields" : "example");
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === "string" && TEXT_FIELDS.has(key)) add(node, path, key, value);
      else if (key === "properties" || key === "patternProperties" || (key === "schemas" && path.at(-1) === "components")) walk(value, [...path, key], "named-schemas");
      else if (key === "examples") {
        // A schema's `examples` is a list of values; a media type's (or components') a map of example objects.
        if (!Array.isArray(value)) walk(value, [...path, key], "named-examples");
      } else if (kind === "example" && (key === "value" || key === "externalValue")) continue;
      else if (!DATA_FIELDS.has(key)) walk(value, [...path, key], "fields");
    }
    if (path.length === 2 && path[0] === "tags" && typeof node.name === "string") add(node, path, "x-displayName", node.name);
  };
  walk(document, [], "fields");
  return texts;
}

export type TranslationProblem = {
  kind: "orphan" | "stale" | "unhashed" | "untranslated" | "malformed";
  action: number;
  target: string;
  field?: string;
  message: string;
};

/** The English object an action's target names, or why it names none. */
function targetOf(english: JsonObject, target: string): JsonObject | string {
  const nodes = resolveJsonPath(english, target) as { value: Json }[];
  if (nodes.length === 0) return "points at nothing in the English contract";
  if (nodes.length > 1) return `points at ${nodes.length} places; a translation must name exactly one`;
  const value = nodes[0]!.value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "points at a value that is not an object";
  return value;
}

/** What is wrong with a translation against the English contract: orphaned or stale actions, unhashed fields, untranslated text. */
export function checkTranslations(english: JsonObject, overlay: TranslationOverlay): TranslationProblem[] {
  const problems: TranslationProblem[] = [];
  overlay.actions.forEach((action, index) => {
    const report = (kind: TranslationProblem["kind"], message: string, field?: string) =>
      problems.push({ kind, action: index, target: action.target, ...(field !== undefined && { field }), message: `${action.target}${field ? ` ${field}` : ""}: ${message}` });
    if (typeof action.target !== "string" || action.update === null || typeof action.update !== "object") {
      report("malformed", "an action needs a target and an update object");
      return;
    }
    const node = targetOf(english, action.target);
    if (typeof node === "string") {
      report("orphan", node);
      return;
    }
    const hashes = action["x-english-sha256"] ?? {};
    for (const [field, translation] of Object.entries(action.update)) {
      const source = sourceField(field);
      const text = node[source];
      if (typeof translation !== "string") report("malformed", "a translation must be a string", field);
      else if (typeof text !== "string") report("orphan", `the English contract has no text ${source} here`, field);
      else if (hashes[source] === undefined) report("unhashed", `record x-english-sha256.${source}: ${englishHash(text)}`, field);
      else if (hashes[source] !== englishHash(text)) {
        report("stale", `the English changed since it was translated: update the translation to this text, then record x-english-sha256.${source}: ${englishHash(text)}\n    ${text.trim().replace(/\n/g, "\n    ")}`, field);
      } else if (translation.trim() === text.trim()) report("untranslated", "the translation is the English text", field);
    }
    for (const source of Object.keys(hashes)) {
      if (!Object.keys(action.update).some((field) => sourceField(field) === source)) report("orphan", `x-english-sha256.${source} has no translation beside it`, source);
    }
  });
  return problems;
}

/** The English texts no action translates. */
export function missingTranslations(english: JsonObject, overlay: TranslationOverlay): Text[] {
  const translated = new Map<JsonObject, Set<string>>();
  for (const action of overlay.actions) {
    const node = typeof action.target === "string" ? targetOf(english, action.target) : "malformed";
    if (typeof node === "string") continue;
    const fields = translated.get(node) ?? new Set();
    for (const field of Object.keys(action.update ?? {})) fields.add(field);
    translated.set(node, fields);
  }
  return translatableTexts(english).filter((text) => !translated.get(text.node)?.has(text.field));
}

/** The contract in another language: the overlay applied to a copy of the English one. */
export async function translate(english: JsonObject, overlay: TranslationOverlay): Promise<JsonObject> {
  const { data } = await openapiOverlay(structuredClone(english) as never, { overlaySet: overlay as never });
  return data as JsonObject;
}

// Turns a CreateImage body that the validator refused into the IMS error the client should see.
// The validator only says "no branch of the oneOf matched"; here the branch the client evidently meant is
// chosen by its source field, the body is validated against that branch alone, and its first error is
// mapped to the documented IMG code, with a message that names the field and any field the body has that its
// branch does not know, with the known field it most likely meant (near-miss.ts).
import type { ErrorObject, ValidateFunction } from "ajv";
import { describeUnknownFields, localRefs, unknownFields, type UnknownField } from "../../contract/near-miss.js";
import { ImsError, type ImsCode } from "../errors.js";

export const CREATE_IMAGE_BRANCHES = ["CreateSystemImageFromServer", "CreateDataImagesFromServer", "CreateImageFromFile", "CreateSystemImageFromVolume"] as const;
export type Branch = (typeof CREATE_IMAGE_BRANCHES)[number];

/** The operations whose request body is CreateImageRequestBody. */
export const CREATE_IMAGE_OPERATIONS: ReadonlySet<string> = new Set(["CreateImage", "CreateImageInSafeMode"]);

type Json = Record<string, unknown>;

const SOURCE_FIELDS = ["instance_id", "data_images", "image_url", "volume_id"] as const;

/** The body shape the client meant, or an error when it names no source or several. */
export function intendedBranch(body: Json): Branch | ImsError {
  const has = (key: string) => Object.hasOwn(body, key);
  const sources = [has("instance_id") && "instance_id", has("image_url") && "image_url", has("volume_id") && "volume_id"].filter(
    (s): s is string => typeof s === "string",
  );
  if (sources.length > 1) return new ImsError("IMG.0001", `${sources.join(" and ")} cannot be used together: each names a different image source.`);
  const [source] = sources;
  if (source === "instance_id") {
    return has("data_images")
      ? new ImsError("IMG.0001", "instance_id and data_images cannot be used together: data disk images are made from volumes, without instance_id.")
      : "CreateSystemImageFromServer";
  }
  if (source === "image_url") return "CreateImageFromFile";
  if (source === "volume_id") {
    return has("data_images") ? new ImsError("IMG.0001", "volume_id and data_images cannot be used together.") : "CreateSystemImageFromVolume";
  }
  if (has("data_images")) return "CreateDataImagesFromServer";
  return new ImsError("IMG.0001", `The body names no image source: give one of ${SOURCE_FIELDS.join(", ")}.`);
}

function fieldName(error: ErrorObject): string {
  const base = error.instancePath
    .split("/")
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join("")
    .replace(/^\./, "");
  const missing = error.keyword === "required" ? (error.params as { missingProperty: string }).missingProperty : undefined;
  if (missing) return base ? `${base}.${missing}` : missing;
  return base || "body";
}

/** The last named property of a path such as `data_images[0].tags[2]` → `tags`. */
function leafField(field: string): string {
  const names = field.match(/[A-Za-z_]+/g) ?? [];
  return names.at(-1) ?? "body";
}

type Rule = { properties?: Record<string, { const?: unknown; enum?: unknown[] }>; required?: string[]; allOf?: Rule[]; not?: Rule };
export type Condition = { if?: Rule; then?: Rule; not?: Rule; description?: string; "x-ims-error-code"?: ImsCode };

/** A rule and its `allOf` members: the spec writes rules as `allOf` members so that every validator reads them alike. */
const membersOf = (rule: Rule | undefined): Rule[] => (rule ? [rule, ...(rule.allOf ?? []).flatMap(membersOf)] : []);
const testedProperties = (rule: Rule | undefined) => membersOf(rule).flatMap((member) => Object.entries(member.properties ?? {}));
const requiredOf = (rule: Rule | undefined) => membersOf(rule).flatMap((member) => member.required ?? []);

/** The branch's conditional rule (an `allOf` item with if/then) that an error comes from, if any. */
function conditionOf(error: ErrorObject, branchSchema: Json): Condition | undefined {
  const index = /^#\/allOf\/(\d+)\//.exec(error.schemaPath)?.[1];
  return index === undefined ? undefined : (branchSchema.allOf as Condition[] | undefined)?.[Number(index)];
}

/** A condition's `if`, in words: `type is IsoImage`, `type is one of BMS, Ironic`. */
function describeCondition(condition: Condition): string {
  return testedProperties(condition.if)
    .map(([name, rule]) => (rule.enum ? `${name} is one of ${rule.enum.join(", ")}` : `${name} is ${String(rule.const)}`))
    .join(" and ");
}

function codeFor(error: ErrorObject, field: string, condition: Condition | undefined): ImsCode {
  if (condition?.["x-ims-error-code"]) return condition["x-ims-error-code"];
  const leaf = leafField(field);
  const { keyword } = error;
  if (keyword === "required") return leaf === "name" ? "IMG.0013" : /tags\[/.test(field) ? "IMG.0115" : "IMG.0001";
  if (keyword === "additionalProperties") return "IMG.0001";
  switch (leaf) {
    case "name":
      return keyword === "maxLength" ? "IMG.0002" : keyword === "minLength" ? "IMG.0013" : "IMG.0003";
    case "description":
      return keyword === "maxLength" ? "IMG.0004" : "IMG.0054";
    case "min_disk":
    case "min_ram":
    case "max_ram":
      return "IMG.0055";
    case "image_url":
      return "IMG.0017";
    case "type":
      return "IMG.0024";
    case "architecture":
      return "IMG.0212";
    case "hw_firmware_type":
      return "IMG.0141";
    case "os_type":
      return "IMG.0122";
    case "os_version":
      return "IMG.0056";
    case "enterprise_project_id":
      return "IMG.0155";
    case "key":
    case "value":
      // A tag's key or value; the same names elsewhere (a JSON-patch value) are no tag.
      if (!/tags\[/.test(field)) return "IMG.0001";
      return "IMG.0115";
    case "tags":
    case "image_tags":
      return keyword === "maxItems" ? "IMG.0116" : "IMG.0115";
    case "data_images":
      return keyword === "maxItems" ? "IMG.0194" : "IMG.0001";
    default:
      return "IMG.0001";
  }
}

function explain(error: ErrorObject, field: string, condition: Condition | undefined): string {
  const params = error.params as Record<string, unknown>;
  const when = condition ? ` when ${describeCondition(condition)}` : "";
  switch (error.keyword) {
    case "required":
      return `${field} is required${when}.`;
    case "additionalProperties":
      return `${field === "body" ? "" : `${field}.`}${String(params.additionalProperty)} is not a field of this body.`;
    case "not":
      // A rule of its own (no if): its description says it.
      if (condition && !condition.if) return `${field}: ${condition.description ?? "breaks a rule"} (${JSON.stringify(error.data)}).`;
      return condition
        ? `${requiredOf(condition.then?.not).join(" and ")} cannot be used${when}.`
        : `${field === "body" ? "" : `${field}: `}tags and image_tags cannot be used together.`;
    case "const":
      return `${field} must be ${JSON.stringify(params.allowedValue)}${when}.`;
    case "enum":
      return `${field} must be one of ${(params.allowedValues as unknown[]).join(", ")}.`;
    case "pattern":
      return `${field} ${PATTERN_RULES_BY_TITLE[(error.parentSchema as { title?: string } | undefined)?.title ?? ""] ?? PATTERN_RULES[leafField(field)] ?? "has an invalid format"}.`;
    case "format":
      return `${field} must be a ${String(params.format)}.`;
    case "maxLength":
      return `${field} must have at most ${String(params.limit)} characters.`;
    case "minLength":
      return params.limit === 1 ? `${field} must not be empty.` : `${field} must have at least ${String(params.limit)} characters.`;
    case "maxItems":
      return `${field} must have at most ${String(params.limit)} items.`;
    case "minItems":
      return `${field} must have at least ${String(params.limit)} item${params.limit === 1 ? "" : "s"}.`;
    case "minimum":
    case "maximum":
      return `${field} must be ${error.keyword === "minimum" ? ">=" : "<="} ${String(params.limit)}.`;
    case "type":
      return `${field} must be ${String(params.type)}.`;
    default:
      return `${field} ${error.message ?? "is invalid"}.`;
  }
}

/** The rule behind each pattern of the spec, in words, by field. */
const PATTERN_RULES: Record<string, string> = {
  name: "may hold only letters, digits, Chinese, -, ., _ and spaces, and cannot start or end with a space",
  description: "cannot contain a carriage return, a line feed, < or >",
  image_url: "must be <bucket>:<file>, with a valid OBS bucket name and no spaces in the file name",
  tags: "must be key.value: a key of 1 to 36 letters, digits, _, - or Chinese, and a value of up to 43 of those or .",
  key: "must have 1 to 36 letters, digits, _, - or Chinese",
  value: "must have up to 43 letters, digits, _, ., - or Chinese",
  enterprise_project_id: "must be 0 or a UUID",
  path: "must be / and the name of an attribute that can be changed (see UpdateImage), or of the owner's own lower-case attribute",
};

/** The same rules by the title of the schema that holds the pattern, which wins over the field's name. */
const PATTERN_RULES_BY_TITLE: Record<string, string> = {
  "Image name": PATTERN_RULES.name!,
  "Image description": PATTERN_RULES.description!,
  "Enterprise project ID": PATTERN_RULES.enterprise_project_id!,
};

/** Errors that only say "a sub-schema failed" and repeat a more precise error next to them. */
const WRAPPER_KEYWORDS = new Set(["if", "oneOf", "anyOf", "allOf"]);

function rank(error: ErrorObject): number {
  if (error.keyword === "required") return 0;
  if (error.keyword === "additionalProperties") return 1;
  return 2;
}

/**
 * The IMS error for a body its schema refused: the code and words of its first error, then the fields the
 * schema does not know, each with the field it most likely meant (they replace the first error's words when
 * that error is one of them). `conditionFor` finds the rule (with its IMG code) that an error breaks; by
 * default, the branch's `allOf` member it comes from.
 */
export function errorFromValidation(
  errors: ErrorObject[],
  branchSchema: Json,
  unknown: readonly UnknownField[] = [],
  conditionFor = (error: ErrorObject) => conditionOf(error, branchSchema),
): ImsError {
  const relevant = errors.filter((e) => !WRAPPER_KEYWORDS.has(e.keyword));
  // A stable sort keeps Ajv's order (maxLength before pattern, for instance) within a rank.
  const [first] = [...relevant].sort((a, b) => rank(a) - rank(b));
  const unknownNote = describeUnknownFields(unknown);
  if (!first) return new ImsError("IMG.0001", unknownNote);
  const field = fieldName(first);
  const condition = conditionFor(first);
  const code = codeFor(first, field, condition);
  if (first.keyword === "additionalProperties" && unknownNote) return new ImsError(code, unknownNote);
  return new ImsError(code, [explain(first, field, condition), unknownNote].filter(Boolean).join(" "));
}

/** A refusal with the body's unknown fields added to its words. */
const withUnknownFields = (error: ImsError, unknown: readonly UnknownField[]): ImsError => {
  const note = describeUnknownFields(unknown);
  return note ? new ImsError(error.code, [error.detail, note].filter(Boolean).join(" "), error.status, error.headers) : error;
};

/** The IMS error for a CreateImage body that failed validation. */
export function classifyCreateImageBody(body: unknown, validatorFor: (branch: Branch) => ValidateFunction, schemas: Record<string, unknown>): ImsError {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return new ImsError("IMG.0001", `The body must be a JSON object, not ${Array.isArray(body) ? "an array" : body === null ? "null" : typeof body}.`);
  }
  if (Object.keys(body).length === 0) return new ImsError("IMG.0007");
  const resolve = localRefs({ components: { schemas } });
  const branch = intendedBranch(body as Json);
  if (branch instanceof ImsError) {
    // A body that names no source, checked against every body of the contract: the one it most resembles says
    // what a misspelt field (instanceId, volumeId, imageUrl, dataImages) most likely meant. (A body that names
    // two sources is told that first.)
    const namesNoSource = !SOURCE_FIELDS.some((source) => Object.hasOwn(body, source));
    return namesNoSource ? withUnknownFields(branch, unknownFields(schemas.CreateImageRequestBody, body, resolve)) : branch;
  }
  const validate = validatorFor(branch);
  if (validate(body)) return new ImsError("IMG.0001", "The body does not match any request body of CreateImage.");
  return errorFromValidation(validate.errors ?? [], schemas[branch] as Json, unknownFields(schemas[branch], body, resolve));
}

/** The body classifier of the error handler: CreateImage bodies get their documented IMG code here. */
export function bodyClassifier(validatorFor: (branch: Branch) => ValidateFunction, schemas: Record<string, unknown>) {
  return (operationId: string | undefined, body: unknown): ImsError | undefined =>
    operationId !== undefined && CREATE_IMAGE_OPERATIONS.has(operationId) ? classifyCreateImageBody(body, validatorFor, schemas) : undefined;
}

function tagKeys(item: Json): string[] {
  if (Array.isArray(item.tags)) return (item.tags as string[]).map((tag) => tag.split(".", 1)[0]!);
  if (Array.isArray(item.image_tags)) return (item.image_tags as { key: string }[]).map((tag) => tag.key);
  return [];
}

function firstRepeated(values: string[]): string | undefined {
  const seen = new Set<string>();
  return values.find((value) => {
    if (seen.has(value)) return true;
    seen.add(value);
    return false;
  });
}

/** Rules of the seed that JSON Schema cannot state, checked on a body the schema accepted. */
export function checkBeyondSchema(body: Json): ImsError | undefined {
  const minRam = body.min_ram as number | undefined;
  const maxRam = body.max_ram as number | undefined;
  if (minRam !== undefined && maxRam !== undefined && maxRam > 0 && minRam > maxRam) {
    return new ImsError("IMG.0055", `min_ram (${minRam}) must not be greater than max_ram (${maxRam}).`);
  }
  const items = Array.isArray(body.data_images) ? (body.data_images as Json[]) : [];
  for (const [where, item] of [["body", body] as const, ...items.map((it, i) => [`data_images[${i}]`, it] as const)]) {
    const repeated = firstRepeated(tagKeys(item));
    if (repeated !== undefined) return new ImsError("IMG.0115", `${where}: the tag key ${JSON.stringify(repeated)} is used twice.`);
  }
  const urls = [body.image_url, ...items.map((item) => item.image_url)].filter((url): url is string => typeof url === "string");
  const repeatedUrl = firstRepeated(urls);
  if (repeatedUrl !== undefined) return new ImsError("IMG.0123", `${repeatedUrl} is given twice.`);
  return undefined;
}

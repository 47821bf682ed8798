// UpdateImage's JSON-patch, applied all together or not at all. The contract has checked each operation's form
// and value; what it cannot know is the image: whether it has the attribute a replace or remove names.
import type { components } from "../../../generated/openapi.js";
import { ImsError } from "../errors.js";
import { numberText, type ImageAttributes } from "./store.js";

type PatchOperation = components["schemas"]["UpdateImageOperation"] | components["schemas"]["GlanceMinDiskChange"];

/** Attributes every image keeps: they can be changed, never removed. */
const REQUIRED = new Set(["name", "min_ram"]);

/** Attributes that are integers; every other one a client can change is a string. */
const INTEGERS = new Set(["min_ram", "min_disk"]);

function valueFor(attribute: string, value: string | number): unknown {
  // Whatever JSON type the client sent, the attribute keeps its own.
  if (INTEGERS.has(attribute)) return Number(value);
  return typeof value === "number" ? numberText(value) : value;
}

/** The image's attributes after the patch; throws the IMS error of the first operation that cannot apply. */
export function applyPatch(attributes: ImageAttributes, operations: readonly PatchOperation[]): ImageAttributes {
  const result: Record<string, unknown> = { ...attributes };
  for (const [index, { op, path, value }] of operations.entries()) {
    const attribute = path.slice(1);
    const has = result[attribute] !== undefined;
    if ((op === "replace" || op === "remove") && !has) {
      throw new ImsError("IMG.0035", `[${index}] the image has no attribute ${attribute} to ${op}${op === "replace" ? "; use add" : ""}.`);
    }
    if (op === "remove") {
      if (REQUIRED.has(attribute)) throw new ImsError("IMG.0001", `[${index}] ${attribute} cannot be removed; replace it instead.`);
      delete result[attribute];
    } else {
      result[attribute] = valueFor(attribute, value!);
    }
  }
  const minRam = result.min_ram as number;
  const maxRam = result.max_ram === undefined ? 0 : Number(result.max_ram);
  if (maxRam > 0 && minRam > maxRam) throw new ImsError("IMG.0055", `min_ram (${minRam}) must not be greater than max_ram (${maxRam}).`);
  return result as ImageAttributes;
}

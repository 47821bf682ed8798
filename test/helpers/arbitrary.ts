// fast-check arbitraries generated from the bundled spec's JSON Schemas, for the property tests.
// It reads the schema subset the contract uses; what it cannot express (not, if/then) is left to the caller,
// which filters generated values through the real validator.
import fc from "fast-check";
import { resolveRef, type OpenApiDocument } from "../../server/contract/spec.ts";

type Schema = Record<string, any>;

/** Lookarounds that fast-check cannot generate are dropped; the caller's filter applies the full pattern. */
function generablePattern(pattern: string): RegExp {
  try {
    fc.sample(fc.stringMatching(new RegExp(pattern, "u")), 1);
    return new RegExp(pattern, "u");
  } catch {
    return new RegExp(pattern.replace(/\(\?[=!](?:[^()]|\([^()]*\))*\)/g, ""), "u");
  }
}

export function arbitraryOf(spec: OpenApiDocument, schema: Schema, maxItems = 4): fc.Arbitrary<unknown> {
  if (schema.$ref) return arbitraryOf(spec, { ...resolveRef<Schema>(spec, schema.$ref), ...schema, $ref: undefined }, maxItems);
  if (schema.oneOf) return fc.oneof(...schema.oneOf.map((branch: Schema) => arbitraryOf(spec, branch, maxItems)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  switch (schema.type) {
    case "object": {
      const properties: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries<Schema>(schema.properties ?? {})) properties[name] = arbitraryOf(spec, property, maxItems);
      return fc.record(properties, { requiredKeys: schema.required ?? [] });
    }
    case "array":
      return fc.array(arbitraryOf(spec, schema.items, maxItems), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? maxItems, maxItems) });
    case "integer":
      return fc.integer({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6 });
    case "number":
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case "boolean":
      return fc.boolean();
    case "string": {
      if (schema.format === "uuid") return fc.uuid();
      const length = { minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 64, 64) };
      if (schema.pattern) {
        const full = new RegExp(schema.pattern, "u");
        return fc.stringMatching(generablePattern(schema.pattern)).filter((s) => full.test(s) && s.length >= length.minLength && s.length <= (schema.maxLength ?? Infinity));
      }
      return fc.string({ ...length, unit: "grapheme" });
    }
    default:
      throw new Error(`no arbitrary for schema ${JSON.stringify(schema).slice(0, 200)}`);
  }
}

// The OpenAPI 3.0 rendition (generated/openapi-3.0.json, scripts/openapi-30.ts) is valid 3.0 and says what the 3.1
// contract says, less the conditional rules it names as dropped.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../scripts/generate.ts";

const rendition = JSON.parse(readFileSync(join(projectRoot, "generated/openapi-3.0.json"), "utf8"));
const contract = JSON.parse(readFileSync(join(projectRoot, "generated/openapi.json"), "utf8"));

function nodes(value: unknown, found: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) for (const item of value) nodes(item, found);
  else if (typeof value === "object" && value !== null) {
    found.push(value as Record<string, unknown>);
    for (const child of Object.values(value)) nodes(child, found);
  }
  return found;
}

describe("generated/openapi-3.0.json", () => {
  it("is valid OpenAPI 3.0 for @seriousme/openapi-schema-validator", async () => {
    const validator = new Validator();
    const result = await validator.validate(rendition);
    expect(result.errors ?? []).toEqual([]);
    expect(validator.version).toBe("3.0");
  });

  it("has the contract's operations and schemas", () => {
    expect(Object.keys(rendition.paths)).toEqual(Object.keys(contract.paths));
    expect(Object.keys(rendition.components.schemas)).toEqual(Object.keys(contract.components.schemas));
  });

  it("keeps no 3.1-only keyword, and marks each place a conditional rule was dropped", () => {
    const all = nodes(rendition.components);
    expect(all.filter((node) => node.type === "null" || Array.isArray(node.type) || "if" in node || "then" in node || "const" in node)).toEqual([]);
    const dropped = all.filter((node) => "x-ims-openapi-3.1-only" in node).length;
    const conditional = nodes(contract.components).filter((node) => "if" in node).length;
    expect(dropped).toBe(conditional);
    expect(dropped).toBeGreaterThan(0);
  });

  it("says 'always null' the 3.0 way where the contract has type 'null'", () => {
    const job = rendition.components.schemas.JobInProgress.properties;
    expect(job.error_code).toMatchObject({ type: "string", nullable: true, enum: [null] });
  });
});

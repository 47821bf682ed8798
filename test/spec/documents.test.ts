// The committed bundles are what spec/ generates, and they are valid OpenAPI 3.1 for a second, independent validator.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, describe, expect, it } from "vitest";
import { generate, projectRoot } from "../../scripts/generate.ts";

describe("generated/", () => {
  const fresh = mkdtempSync(join(tmpdir(), "ims-generated-"));
  afterAll(() => rmSync(fresh, { recursive: true, force: true }));

  it("is up to date with spec/ (run `npm run generate` when this fails)", async () => {
    const files = await generate(fresh);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const committed = readFileSync(join(projectRoot, "generated", file), "utf8");
      expect(readFileSync(join(fresh, file), "utf8"), `generated/${file} is stale`).toBe(committed);
    }
  }, 60_000);
});

describe.each(["openapi.json", "control-openapi.json"])("generated/%s", (file) => {
  it("is valid OpenAPI 3.1 for @seriousme/openapi-schema-validator", async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(readFileSync(join(projectRoot, "generated", file), "utf8")));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });
});

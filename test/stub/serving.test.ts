// What `npm start` serves besides the API: the bundled spec, byte for byte, and the docs site.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatedDir } from "../../server/contract/spec.ts";
import { startStub, type RunningStub } from "../helpers/stub.ts";

let stub: RunningStub;
beforeAll(async () => {
  stub = await startStub();
});
afterAll(() => stub.close());

describe("served documents", () => {
  it.each([
    ["/openapi.json", "openapi.json", "application/json"],
    ["/openapi.yaml", "openapi.yaml", "application/yaml"],
    ["/docs", "docs/index.html", "text/html"],
    ["/docs/", "docs/index.html", "text/html"],
    ["/docs/zh-CN/", "docs/zh-CN/index.html", "text/html"],
    ["/docs/zh-CN", "docs/zh-CN/index.html", "text/html"],
  ])("%s is generated/%s byte for byte", async (path, file, type) => {
    const res = await fetch(`${stub.url}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain(type);
    expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(`${generatedDir}${file}`))).toBe(true);
  });
});

describe("start-up", () => {
  it("a broken schema in the contract stops createApp with a clear message", async () => {
    const { createApp } = await import("../../server/app.ts");
    const { loadSpec } = await import("../../server/contract/spec.ts");
    const spec = loadSpec();
    const file = spec.components.schemas.CreateImageFromFile as { properties: Record<string, unknown> };
    file.properties.min_disk = { type: "integr" };
    expect(() => createApp({ spec })).toThrow(/schema CreateImageFromFile does not compile: .*integr/);
  });
});

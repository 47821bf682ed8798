// No import cycle among the sources a reader navigates: server/, client/, scripts/ and the tests' helpers,
// type-only imports included.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../scripts/project-root.ts";
import { importCycles, importGraph, sourceFiles } from "../helpers/import-graph.ts";

const FOLDERS = ["server", "client", "scripts", "test"];

describe("the import graph", () => {
  it("has no cycle in server/, client/, scripts/ or test/", () => {
    const files = sourceFiles(projectRoot, FOLDERS);
    const graph = importGraph(projectRoot, files);
    // The graph is read, not empty: the stub's entry point imports its app.
    expect(graph.get("server/main.ts")).toContain("server/app.ts");
    expect(files.length).toBeGreaterThan(100);
    expect(importCycles(graph)).toEqual([]);
  });

  describe("finds a cycle when there is one", () => {
    const root = mkdtempSync(join(tmpdir(), "ims-cycles-"));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const write = (file: string, text: string) => {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    };

    it("through a type-only import, an export … from and a .js specifier", () => {
      write("server/config.ts", 'import type { Exposure } from "./network-exposure.js";\nexport const config = 1;\n');
      write("server/network-exposure.ts", 'export { config } from "./config.ts";\nexport type Exposure = string;\n');
      write("server/main.ts", 'import { config } from "./config.js";\nimport "./not-in-a-cycle.ts";\n');
      write("server/not-in-a-cycle.ts", "export {};\n");
      write("client/self.ts", 'export const later = () => import("./self.ts");\n');
      const graph = importGraph(root, sourceFiles(root, FOLDERS));
      expect(importCycles(graph).sort()).toEqual([["client/self.ts"], ["server/config.ts", "server/network-exposure.ts"]]);
    });
  });
});

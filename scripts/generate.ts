// Writes generated/ from spec/: the bundled specs (JSON and YAML), their TypeScript types, the OpenAPI 3.0 rendition
// of the IMS contract and the docs site (English and Chinese).
// `--out DIR` writes elsewhere, which is how the staleness test compares a fresh build with what is committed.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import openapiTS, { astToString, COMMENT_HEADER } from "openapi-typescript";
import { stringify } from "yaml";
import { buildDocs } from "./build-docs.ts";
import { projectRoot } from "./project-root.ts";
import { toOpenApi30 } from "./openapi-30.ts";

export { projectRoot };

/** Each spec root and the file stem its artifacts get in generated/. */
export const specs = [
  { root: "spec/openapi.yaml", stem: "openapi" },
  { root: "spec/control/openapi.yaml", stem: "control-openapi" },
] as const;

function redocly(...args: string[]): void {
  execFileSync(join(projectRoot, "node_modules/.bin/redocly"), args, {
    cwd: projectRoot,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
  });
}

export async function generate(outDir: string): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const { root, stem } of specs) {
    const jsonPath = join(outDir, `${stem}.json`);
    redocly("bundle", root, "--ext", "json", "-o", jsonPath);
    const bundled = JSON.parse(readFileSync(jsonPath, "utf8"));
    // Redocly writes JSON without a final newline; normalise so editors and diffs agree.
    writeFileSync(jsonPath, `${JSON.stringify(bundled, null, 2)}\n`);
    writeFileSync(join(outDir, `${stem}.yaml`), stringify(bundled, { lineWidth: 0 }));
    const ast = await openapiTS(bundled, { alphabetize: false });
    writeFileSync(join(outDir, `${stem}.d.ts`), COMMENT_HEADER + astToString(ast));
    written.push(`${stem}.json`, `${stem}.yaml`, `${stem}.d.ts`);
  }
  // The OpenAPI 3.0 rendition, for the generators that cannot read this 3.1 contract (spec/guides/generate-a-client.md).
  const rendition = toOpenApi30(JSON.parse(readFileSync(join(outDir, "openapi.json"), "utf8")));
  writeFileSync(join(outDir, "openapi-3.0.json"), `${JSON.stringify(rendition, null, 2)}\n`);
  writeFileSync(join(outDir, "openapi-3.0.yaml"), stringify(rendition, { lineWidth: 0 }));
  written.push("openapi-3.0.json", "openapi-3.0.yaml");
  written.push(...(await buildDocs(join(outDir, "docs"), join(outDir, "openapi.json"))).map((file) => `docs/${file}`));
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: "string", default: join(projectRoot, "generated") } } });
  const files = await generate(resolve(values.out!));
  console.log(`wrote ${files.length} files to ${values.out}: ${files.join(", ")}`);
}

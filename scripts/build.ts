// `npm run build` (also npm ci's prepare step): compiles client/ and server/ to JavaScript with declaration
// files in dist/, and copies beside them the generated files they read at run time or refer to in their types,
// so that dist/ is the whole package: `npm pack` ships it and nothing of the sources.
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "./generate.ts";

/** What dist/generated holds: the bundled specs the stub serves and validates with, their types, the docs site. */
export const SHIPPED_GENERATED = [
  "openapi.json",
  "openapi.yaml",
  "openapi.d.ts",
  "control-openapi.json",
  "control-openapi.yaml",
  "control-openapi.d.ts",
  "docs/index.html",
  "docs/zh-CN/index.html",
  "docs/favicon.svg",
];

export function build(): string {
  const dist = join(projectRoot, "dist");
  rmSync(dist, { recursive: true, force: true });
  execFileSync(join(projectRoot, "node_modules/.bin/tsc"), ["-p", join(projectRoot, "tsconfig.build.json")], { stdio: "inherit" });
  for (const file of SHIPPED_GENERATED) {
    mkdirSync(join(dist, "generated", file, ".."), { recursive: true });
    cpSync(join(projectRoot, "generated", file), join(dist, "generated", file));
  }
  // The workflows refer to ../openapi.yaml, which is dist/generated/openapi.yaml here as spec/openapi.yaml there.
  mkdirSync(join(dist, "generated/workflows"), { recursive: true });
  cpSync(join(projectRoot, "spec/workflows/create-image.arazzo.yaml"), join(dist, "generated/workflows/create-image.arazzo.yaml"));
  for (const bin of ["server/main.js", "server/verify.js"]) chmodSync(join(dist, bin), 0o755);
  return dist;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`built ${build()}`);
}

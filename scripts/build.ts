// `npm run build` (also npm ci's prepare step and npm pack's prepack): compiles client/ and server/ to JavaScript with declaration
// files in dist/, and copies beside them the generated files they read at run time or refer to in their types,
// so that dist/ is the whole package: `npm pack` ships it and nothing of the sources.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { projectRoot } from "./project-root.ts";

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

/** Everything the build reads: a hash of it, kept beside the build, tells whether dist/ is up to date. */
function inputsHash(): string {
  const hash = createHash("sha256");
  const files = [
    ...["client", "server"].flatMap((folder) => listFiles(join(projectRoot, folder))),
    ...SHIPPED_GENERATED.map((file) => join(projectRoot, "generated", file)),
    ...["spec/workflows/create-image.arazzo.yaml", "tsconfig.json", "tsconfig.build.json", "scripts/build.ts", "package-lock.json"].map((file) => join(projectRoot, file)),
  ].sort();
  for (const file of files) hash.update(`${relative(projectRoot, file)}\0`).update(readFileSync(file)).update("\0");
  return hash.digest("hex");
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

const stampFile = join(projectRoot, "node_modules/.cache/ims-build/inputs.sha256");
const ENTRY_POINTS = ["client/index.js", "client/index.d.ts", "server/main.js", "server/verify.js", "server/testing.js", "server/index.js"];

/**
 * Builds dist/ unless it was built from exactly these inputs (npm ci builds it, then npm test and npm pack find it
 * up to date); `force` builds all the same.
 */
export function build({ force = false } = {}): { dist: string; built: boolean } {
  const dist = join(projectRoot, "dist");
  const hash = inputsHash();
  const complete = [...ENTRY_POINTS, ...SHIPPED_GENERATED.map((file) => `generated/${file}`)].every((file) => existsSync(join(dist, file)));
  if (!force && complete && existsSync(stampFile) && readFileSync(stampFile, "utf8") === hash) return { dist, built: false };
  rmSync(stampFile, { force: true });
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
  mkdirSync(join(stampFile, ".."), { recursive: true });
  writeFileSync(stampFile, hash);
  return { dist, built: true };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { dist, built } = build({ force: process.argv.includes("--force") });
  console.log(built ? `built ${dist}` : `${dist} is up to date (--force builds it again)`);
}

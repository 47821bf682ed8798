// The package.json that `npm pack` ships: this repository's own, without its scripts. `prepare` builds dist/
// when `npm ci` runs here, but in a consumer's install npm lists it among the install scripts to approve, and
// no other script means anything outside this repository. `prepack` runs `strip` after the build and `postpack`
// runs `restore`; npm reads package.json from disk when it makes the tarball, between the two.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "./project-root.ts";

const manifest = join(projectRoot, "package.json");
/** Where the repository's own package.json waits while the tarball is made (node_modules: never packed). */
export const kept = join(projectRoot, "node_modules/.cache/ims-pack/package.json");

/** The manifest a consumer gets: every field but the scripts and the install policy, in the same order and format. */
export function packedManifest(text: string): string {
  // allowScripts is this repository's own install policy (esbuild's postinstall; by name, as the lockfile has no
  // resolved URLs to pin a version by), read only where npm installs it.
  const { scripts: _scripts, allowScripts: _allowScripts, ...rest } = JSON.parse(text) as Record<string, unknown>;
  return `${JSON.stringify(rest, null, 2)}\n`;
}

export function strip(): void {
  // A pack that failed before postpack left the stripped manifest in place: the kept one is the original.
  if (!existsSync(kept)) {
    mkdirSync(join(kept, ".."), { recursive: true });
    copyFileSync(manifest, kept);
  }
  writeFileSync(manifest, packedManifest(readFileSync(kept, "utf8")));
}

export function restore(): void {
  if (!existsSync(kept)) return;
  copyFileSync(kept, manifest);
  rmSync(kept);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const step = process.argv[2];
  if (step === "strip") strip();
  else if (step === "restore") restore();
  else {
    console.error("usage: tsx scripts/packed-manifest.ts strip|restore");
    process.exit(2);
  }
}

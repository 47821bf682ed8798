// Once per run, before any test file: `npm pack`, as a release would run it (its prepack builds dist/ when it is
// not up to date, then leaves the scripts out of the packed manifest). The package tests install this tarball;
// packing here, not in a test file, keeps the build and the manifest's brief rewrite away from files running
// at the same time (the npm start test reads the scripts, the process tests run dist/).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { projectRoot } from "../scripts/project-root.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The package as `npm pack` made it at the start of the run. */
    packedTarball: string;
  }
}

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "ims-packed-"));
  // prepack's output (the build's) comes before pack's JSON.
  const output = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: projectRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const packed = JSON.parse(output.slice(output.indexOf("[\n"))) as { filename: string }[];
  project.provide("packedTarball", join(dir, packed[0]!.filename));
  return () => rmSync(dir, { recursive: true, force: true });
}

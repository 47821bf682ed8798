// What the stub serves beside the API: the bundled contract and the docs site.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Router } from "express";
import { generatedDir } from "../contract/spec.js";

/** Paths served here, which the API's validator must not look at. */
export const STATIC_PATHS: ReadonlySet<string> = new Set(["/openapi.json", "/openapi.yaml", "/docs", "/docs/", "/docs/zh-CN", "/docs/zh-CN/", "/favicon.ico"]);

/** The bundled contract's two files, read once per process. */
export type BundledFiles = { readonly json: Buffer; readonly yaml: Buffer };

export function mountStaticFiles(router: Router, bundled: BundledFiles, docsDir = join(generatedDir, "docs")): void {
  router.get("/openapi.json", (_req, res) => void res.type("application/json").send(bundled.json));
  router.get("/openapi.yaml", (_req, res) => void res.type("application/yaml").send(bundled.yaml));
  const docsFile = join(docsDir, "index.html");
  router.get(["/docs", "/docs/"], (_req, res, next) => (existsSync(docsFile) ? res.type("html").sendFile(docsFile) : next()));
  const chineseDocsFile = join(docsDir, "zh-CN", "index.html");
  router.get(["/docs/zh-CN", "/docs/zh-CN/"], (_req, res, next) => (existsSync(chineseDocsFile) ? res.type("html").sendFile(chineseDocsFile) : next()));
  const iconFile = join(docsDir, "favicon.svg");
  router.get("/favicon.ico", (_req, res, next) => (existsSync(iconFile) ? res.type("image/svg+xml").sendFile(iconFile) : next()));
}

// Builds the documentation site from the bundled spec: one self-contained HTML page per language (Redoc and its
// scripts inlined), which needs no network to open: English at index.html, Chinese at zh-CN/index.html, the Chinese
// contract made by applying spec/translations/zh-CN.overlay.yaml. Each page carries the "Try it" console
// (scripts/docs-site/console/, bundled with esbuild) and the contract it runs on. `--out DIR` writes elsewhere than generated/docs.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { DEFAULT_CREDENTIALS } from "../server/config.ts";
import { loadOverlay, translate } from "./translations.ts";

const projectRoot = resolve(import.meta.dirname, "..");

const REDOC_OPTIONS = {
  "openapi.expandResponses": "200",
  "openapi.requiredPropsFirst": "true",
  "openapi.jsonSamplesExpandLevel": "all",
  "openapi.showExtensions": "false",
};

// Redoc's "API docs by" badge loads its logo from Redocly's CDN, and no option turns it off. The site must open
// with no network, so the logo is replaced by the same words drawn in an inline SVG.
const CDN_LOGOS = ["https://cdn.redoc.ly/redoc/logo-mini-full.svg", "https://cdn.redoc.ly/redoc/logo-mini.svg"];
const INLINE_LOGO = `data:image/svg+xml,${encodeURIComponent(
  "<svg xmlns='http://www.w3.org/2000/svg' width='52' height='14'><text x='0' y='11' font-family='sans-serif' font-size='11' fill='#555'>Redocly</text></svg>",
)}`;

// The site's icon, inline so that a browser asks nothing for it; the stub serves the same file at /favicon.ico for
// browsers that open its other pages (the spec, an API answer).
const ICON_SVG =
  "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'><rect width='32' height='32' rx='6' fill='#c7000b'/><text x='16' y='21' text-anchor='middle' font-family='sans-serif' font-size='12' font-weight='bold' fill='#fff'>IMS</text></svg>";
export const ICON_FILE = "favicon.svg";

/** Each page: where it goes under the docs folder, its language and what it says about itself and the other page. */
const PAGES = [
  { file: "index.html", lang: "en", title: "Huawei Cloud IMS — Create Image API", barLabel: "Language and console", other: { href: "zh-CN/", lang: "zh-CN", label: "中文" } },
  { file: "zh-CN/index.html", lang: "zh-CN", title: "华为云镜像服务 IMS — 制作镜像 API", barLabel: "语言与调试台", other: { href: "../", lang: "en", label: "English" } },
] as const;

/** The files buildDocs writes, relative to its output folder. */
export const DOCS_FILES = [...PAGES.map((page) => page.file), ICON_FILE];

const TEMPLATE = join(projectRoot, "scripts/docs-site/template.hbs");

/** The console, bundled for the browser as one script (the client's signer and waiter included). */
async function consoleScript(): Promise<string> {
  const result = await build({
    entryPoints: [join(projectRoot, "scripts/docs-site/console/main.ts")],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    charset: "utf8",
  });
  return result.outputFiles[0]!.text.replace(/<\/script/gi, "<\\/script");
}

/** JSON safe inside a <script> element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

function redocly(specFile: string, output: string, page: (typeof PAGES)[number]): void {
  const options = Object.entries(REDOC_OPTIONS).map(([name, value]) => `--${name}=${value}`);
  const templateOptions = {
    lang: page.lang,
    icon: `data:image/svg+xml,${encodeURIComponent(ICON_SVG)}`,
    otherHref: page.other.href,
    otherLang: page.other.lang,
    otherLabel: page.other.label,
    barLabel: page.barLabel,
  };
  execFileSync(
    join(projectRoot, "node_modules/.bin/redocly"),
    [
      "build-docs",
      specFile,
      "--inlineBundle",
      "--template",
      TEMPLATE,
      "--title",
      page.title,
      ...options,
      ...Object.entries(templateOptions).map(([name, value]) => `--templateOptions.${name}=${value}`),
      "-o",
      output,
    ],
    { cwd: projectRoot, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } },
  );
}

export async function buildDocs(outDir: string, specFile = join(projectRoot, "generated/openapi.json")): Promise<string[]> {
  const english = JSON.parse(readFileSync(specFile, "utf8"));
  const specs: Record<string, unknown> = { en: english, "zh-CN": await translate(english, loadOverlay("zh-CN")) };
  const [ak, sk, projectId] = DEFAULT_CREDENTIALS.split(":");
  const head = ["scripts/docs-site/theme.css", "scripts/docs-site/console/console.css"].map((file) => `<style>\n${readFileSync(join(projectRoot, file), "utf8")}</style>`).join("\n");
  const script = await consoleScript();
  const work = mkdtempSync(join(tmpdir(), "ims-docs-"));
  const written: string[] = [];
  try {
    for (const page of PAGES) {
      const output = join(outDir, page.file);
      mkdirSync(join(output, ".."), { recursive: true });
      const pageSpec = join(work, `${page.lang}.json`);
      writeFileSync(pageSpec, JSON.stringify(specs[page.lang]));
      redocly(pageSpec, output, page);
      let html = readFileSync(output, "utf8");
      for (const logo of CDN_LOGOS) {
        if (!html.includes(logo)) throw new Error(`Redoc no longer loads ${logo}: check the built site for requests off the machine`);
        html = html.replaceAll(logo, INLINE_LOGO);
      }
      for (const marker of ["<!-- ims:head -->", "<!-- ims:body -->"]) {
        if (!html.includes(marker)) throw new Error(`the built page has no ${marker}: is scripts/docs-site/template.hbs the template?`);
      }
      const data = { spec: specs[page.lang], examplePair: { ak, sk, projectId } };
      html = html
        .replace("<!-- ims:head -->", () => head)
        .replace("<!-- ims:body -->", () => `<script type="application/json" id="ims-docs-data">${scriptJson(data)}</script>\n  <script>${script}</script>`);
      writeFileSync(output, html);
      written.push(page.file);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  writeFileSync(join(outDir, ICON_FILE), `${ICON_SVG}\n`);
  return [...written, ICON_FILE];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: "string", default: join(projectRoot, "generated/docs") } } });
  const out = resolve(values.out!);
  console.log(`wrote ${(await buildDocs(out)).map((file) => join(out, file)).join(", ")}`);
}

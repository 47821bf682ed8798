// Builds the documentation site from the bundled spec: one self-contained HTML file (Redoc and its scripts
// inlined), which needs no network to open. `--out DIR` writes elsewhere than generated/docs.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

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

export function buildDocs(outDir: string, specFile = join(projectRoot, "generated/openapi.json")): string {
  const output = join(outDir, "index.html");
  const options = Object.entries(REDOC_OPTIONS).map(([name, value]) => `--${name}=${value}`);
  execFileSync(
    join(projectRoot, "node_modules/.bin/redocly"),
    ["build-docs", specFile, "--inlineBundle", "--title", "Huawei Cloud IMS — Create Image API", ...options, "-o", output],
    { cwd: projectRoot, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } },
  );
  let html = readFileSync(output, "utf8");
  for (const logo of CDN_LOGOS) {
    if (!html.includes(logo)) throw new Error(`Redoc no longer loads ${logo}: check the built site for requests off the machine`);
    html = html.replaceAll(logo, INLINE_LOGO);
  }
  if (!html.includes("</head>")) throw new Error("the built site has no </head> to declare its icon in");
  html = html.replace("</head>", `  <link rel="icon" type="image/svg+xml" href="data:image/svg+xml,${encodeURIComponent(ICON_SVG)}" />\n</head>`);
  writeFileSync(output, html);
  writeFileSync(join(outDir, ICON_FILE), `${ICON_SVG}\n`);
  return output;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: "string", default: join(projectRoot, "generated/docs") } } });
  console.log(`wrote ${buildDocs(resolve(values.out!))}`);
}

// The console's entry point, bundled by esbuild and inlined into each built page (scripts/build-docs.ts). It reads
// the contract the page embeds, adds the "Try it" console and a "Try it" button beside each operation's heading,
// and points the language link at the other page.
import { TryItConsole } from "./console.ts";
import { completeButtonLabels, focusableScrollingTables } from "./redoc-a11y.ts";
import { h } from "./dom.ts";
import { messagesFor } from "./messages.ts";
import type { OpenApiDocument, Operation } from "./openapi.ts";

type PageData = { spec: OpenApiDocument; examplePair?: { ak: string; sk: string; projectId: string } };

/**
 * The language link is relative (`zh-CN/`, `../`), which is right for a page at `…/docs/` or `…/index.html`. The stub
 * also serves the English page at `/docs` (no slash), and a page opened from disk needs the file name. Both pages
 * use the same section addresses for tags and operations, so the link keeps the reader's place (the hash).
 */
function pointLanguageLink(): void {
  const link = document.querySelector<HTMLAnchorElement>("a.ims-language");
  const href = link?.getAttribute("href");
  if (!link || !href) return;
  const base = /\/$|\.html$/.test(location.pathname) ? location.href : `${location.origin}${location.pathname}/`;
  const target = new URL(href, base);
  if (location.protocol === "file:" && target.pathname.endsWith("/")) target.pathname += "index.html";
  const update = () => {
    target.hash = location.hash.startsWith("#/section/") ? "" : location.hash;
    link.href = target.href;
  };
  update();
  // Redoc moves the hash as the reader scrolls, without a hashchange event: read it when the link is used.
  window.addEventListener("hashchange", update);
  link.addEventListener("click", update);
}

/**
 * A "Try it" button after the heading of each operation Redoc renders (it renders one operation at a time, as the
 * reader moves to it), and the accessibility repairs of redoc-a11y.ts.
 */
function watchRedoc(tryIt: TryItConsole, root: HTMLElement): void {
  const bySlug = new Map(tryIt.operations.map((operation) => [operation.id.toLowerCase(), operation] as const));
  const done = new WeakSet<Element>();
  const t = messagesFor(document.documentElement.lang);
  const button = (operation: Operation) => {
    const element = h("button", { type: "button", class: "ims-try-operation", "aria-label": t.tryOperation(operation.summary || operation.id) }, t.toggle);
    element.addEventListener("click", () => tryIt.open(operation, element));
    return element;
  };
  let scheduled = false;
  const place = () => {
    scheduled = false;
    for (const section of root.querySelectorAll<HTMLElement>("[data-section-id]")) {
      if (done.has(section)) continue;
      const operation = bySlug.get(section.dataset.sectionId?.split("/").pop() ?? "");
      const heading = operation && section.querySelector("h1, h2");
      if (!operation || !heading) continue;
      done.add(section);
      heading.insertAdjacentElement("afterend", button(operation));
    }
    completeButtonLabels(root);
    focusableScrollingTables(root);
  };
  new MutationObserver(() => {
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(place);
    }
  }).observe(root, { childList: true, subtree: true, characterData: true });
  window.addEventListener("resize", () => focusableScrollingTables(root));
  place();
}

function start(): void {
  const dataElement = document.getElementById("ims-docs-data");
  const bar = document.querySelector<HTMLElement>(".ims-bar");
  if (!dataElement?.textContent || !bar) return;
  const data = JSON.parse(dataElement.textContent) as PageData;
  pointLanguageLink();
  const tryIt = new TryItConsole({ document: data.spec, t: messagesFor(document.documentElement.lang), examplePair: data.examplePair, bar });
  void tryIt.detectServer();
  const root = document.getElementById("redoc");
  if (root) watchRedoc(tryIt, root);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
else start();

// `npm run docs:translations`: the state of the docs' translations against the bundled English contract.
//   (no flag)    every problem: stale (the English changed), orphaned (the target is gone), unhashed; exit 1 if any
//   --missing    the English texts no translation covers, with their JSON paths, as overlay actions to fill in
//   --lang zh-CN --spec FILE   another language or contract (default: generated/openapi.json)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { checkTranslations, englishHash, LANGUAGES, type Language, loadOverlay, missingTranslations, overlayFile, type TranslationAction } from "./translations.ts";

const projectRoot = join(import.meta.dirname, "..");

const { values } = parseArgs({
  options: {
    missing: { type: "boolean", default: false },
    lang: { type: "string", default: "zh-CN" },
    spec: { type: "string", default: join(projectRoot, "generated/openapi.json") },
  },
});
const language = values.lang as Language;
if (!LANGUAGES.includes(language)) {
  console.error(`unknown language ${values.lang}: one of ${LANGUAGES.join(", ")}`);
  process.exit(2);
}
const english = JSON.parse(readFileSync(values.spec!, "utf8"));
const overlay = loadOverlay(language);
const relativeOverlay = overlayFile(language).slice(projectRoot.length + 1);

if (values.missing) {
  const missing = missingTranslations(english, overlay);
  if (missing.length === 0) {
    console.log(`every English text has a ${language} translation in ${relativeOverlay}`);
    process.exit(0);
  }
  for (const text of missing) console.log(`${text.target} ${text.field}${text.operation ? "  (operation)" : ""}`);
  // The same, as actions to paste into the overlay: replace each English text by its translation.
  const byTarget = new Map<string, TranslationAction>();
  for (const text of missing) {
    const action = byTarget.get(text.target) ?? { target: text.target, update: {}, "x-english-sha256": {} };
    action.update[text.field] = text.english;
    action["x-english-sha256"][text.field === "x-displayName" ? "name" : text.field] = englishHash(text.english);
    byTarget.set(text.target, action);
  }
  console.log(`\n${missing.length} untranslated texts. Add these actions to ${relativeOverlay} with each English text replaced by its translation:\n`);
  console.log(stringify([...byTarget.values()], { lineWidth: 0 }));
  process.exit(1);
}

const problems = checkTranslations(english, overlay);
for (const problem of problems) console.log(`${problem.kind}: ${problem.message}`);
const missing = missingTranslations(english, overlay).length;
console.log(`${overlay.actions.length} actions in ${relativeOverlay}: ${problems.length} problems, ${missing} English texts untranslated${missing ? " (--missing lists them)" : ""}`);
process.exit(problems.length > 0 ? 1 : 0);

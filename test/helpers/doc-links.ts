// What a README or a guide points at: its relative links (and their #anchors) and the repository paths it names
// in backticks. Each must exist, so that a file moved or renamed cannot leave a reader at a dead end.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** Every README.md of the repository and every guide (spec/guides/*.md), relative to `root`. */
export function documents(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (["node_modules", "dist", "test-artifacts", ".git"].includes(name)) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name === "README.md" || relative(root, dir) === join("spec", "guides")) found.push(relative(root, path));
    }
  };
  walk(root);
  return found.filter((file) => file.endsWith(".md")).sort();
}

/** Every file and folder of the repository (build output and installs aside), relative to `root`. */
function repositoryPaths(root: string): string[] {
  const paths: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (["node_modules", "dist", "test-artifacts", ".git"].includes(name)) continue;
      const path = join(dir, name);
      paths.push(relative(root, path));
      if (statSync(path).isDirectory()) walk(path);
    }
  };
  walk(root);
  return paths;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchorsIn(text: string): Set<string> {
  const anchors = new Set<string>();
  for (const line of withoutCode(text).split("\n")) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) anchors.add(anchorOf(heading[1]!));
  }
  return anchors;
}

/** The text without its fenced code blocks, whose `#` lines are shell comments, not headings. */
function withoutCode(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, "");
}

const PATH_LIKE = /^\.?[\w@-][\w.@-]*(\/[\w.@-]+)*\/?$/;
const FILE_OR_FOLDER = /(\.(ts|js|mjs|cjs|json|yaml|yml|md|sh|hbs|html|svg|css)|\/)$/;
// Build output, installs, a consumer's own files and the package's import paths (`ims-create-image-contract/client`).
const NOT_IN_THE_REPOSITORY = /^(dist|node_modules|test-artifacts|src|ims-create-image-contract)\//;

/** Repository paths named in backticks: a path with a folder in it, ending in a file extension or a slash. */
export function namedPaths(text: string): string[] {
  const names = new Set<string>();
  for (const match of withoutCode(text).matchAll(/`([^`\s]+)`/g)) {
    const token = match[1]!;
    if (token.includes("/") && PATH_LIKE.test(token) && FILE_OR_FOLDER.test(token) && !NOT_IN_THE_REPOSITORY.test(token)) names.add(token);
  }
  return [...names];
}

/** Relative link targets of `[text](target)`, web addresses aside. */
export function linkTargets(text: string): string[] {
  const targets = new Set<string>();
  for (const match of withoutCode(text).matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = match[1]!;
    if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) targets.add(target);
  }
  return [...targets];
}

/**
 * What in `document` points nowhere: a link to a file or an anchor that does not exist, a named path that is
 * no file or folder of the repository. A named path may be written from the root, from the document's own
 * folder, or as the end of a longer path (`jobs/store.ts` in server/README.md).
 */
export function deadEnds(root: string, document: string): string[] {
  const text = readFileSync(join(root, document), "utf8");
  const problems: string[] = [];
  const here = dirname(join(root, document));
  for (const target of linkTargets(text)) {
    const [path, anchor] = target.split("#") as [string, string | undefined];
    const file = path === "" ? join(root, document) : resolve(here, decodeURIComponent(path));
    if (!existsSync(file)) {
      problems.push(`${document}: link to ${target}: no such file`);
      continue;
    }
    if (anchor && file.endsWith(".md") && !anchorsIn(readFileSync(file, "utf8")).has(anchor)) {
      problems.push(`${document}: link to ${target}: no heading with that anchor`);
    }
  }
  const everything = repositoryPaths(root);
  for (const name of namedPaths(text)) {
    const bare = name.replace(/\/$/, "");
    const exists =
      existsSync(join(root, bare)) || existsSync(join(here, bare)) || everything.some((path) => path === bare || path.endsWith(`/${bare}`));
    if (!exists) problems.push(`${document}: names ${name}, which is no path of the repository`);
  }
  return problems;
}

// Every README and guide: each relative link, anchor and named repository path leads somewhere.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../scripts/project-root.ts";
import { anchorOf, deadEnds, documents, linkTargets, namedPaths } from "../helpers/doc-links.ts";

// Guides written on other branches at the same time, linked already: a link to one of them is not a dead end
// while it is absent. Once present, its name must go from this list (the test says so).
const GUIDES_UNDER_WAY: string[] = [];

describe("the READMEs and the guides", () => {
  const docs = documents(projectRoot);

  it("link no guide under way that has arrived (remove it from GUIDES_UNDER_WAY)", () => {
    expect(GUIDES_UNDER_WAY.filter((guide) => existsSync(join(projectRoot, guide)))).toEqual([]);
  });

  it("are all found: the root README, each folder's, the guides", () => {
    expect(docs).toEqual(expect.arrayContaining(["README.md", "server/README.md", "test/README.md", "spec/guides/README.md"]));
  });

  it.each(docs)("%s: every link, anchor and named path exists", (document) => {
    const underWay = (problem: string) => GUIDES_UNDER_WAY.some((guide) => problem.includes(` ${guide.replace("spec/guides/", "")}:`) || problem.includes(`${guide}:`));
    expect(deadEnds(projectRoot, document).filter((problem) => !underWay(problem))).toEqual([]);
  });
});

describe("the check itself", () => {
  const root = mkdtempSync(join(tmpdir(), "ims-links-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };

  it("finds a broken link, a missing anchor and a path that moved, and passes what exists", () => {
    write("server/ims/jobs/store.ts", "");
    write("spec/guides/stub.md", "# The stub\n\n## Fault rules\n");
    write(
      "README.md",
      [
        "# Title",
        "[stub](spec/guides/stub.md#fault-rules) [gone](spec/guides/gone.md) [anchor](spec/guides/stub.md#no-such)",
        "[here](#title) [web](https://example.com/x) `server/ims/jobs/store.ts` `jobs/store.ts` `server/classify.ts`",
        "```sh\n# not a heading: `server/not-checked-in-code.ts`\n```",
      ].join("\n"),
    );
    expect(deadEnds(root, "README.md")).toEqual([
      "README.md: link to spec/guides/gone.md: no such file",
      "README.md: link to spec/guides/stub.md#no-such: no heading with that anchor",
      "README.md: names server/classify.ts, which is no path of the repository",
    ]);
  });

  it("reads links and paths as a reader does", () => {
    expect(anchorOf("A stub per test: `startStub()`")).toBe("a-stub-per-test-startstub");
    expect(anchorOf("Workflows (Arazzo)")).toBe("workflows-arazzo");
    expect(linkTargets("[a](b.md) [c](http://x) [d](#e)")).toEqual(["b.md", "#e"]);
    expect(namedPaths("`server/app.ts` `ims-create-image-contract/client` `/v2/cloudimages` `dist/x.js` `a b/c.ts`")).toEqual(["server/app.ts"]);
  });
});

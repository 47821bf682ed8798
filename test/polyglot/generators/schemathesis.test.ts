// Schemathesis, the independent fuzzer, against a stub started here, from the contract the stub serves
// (/openapi.json): every default check (less the ones schemathesis.toml turns off, each a documented IMS behaviour),
// the phases examples, coverage, fuzzing and stateful, a fixed seed. 0 failures; its JUnit report is kept in
// test-artifacts/ (where it also keeps its replay data, .schemathesis/).
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../../scripts/generate.ts";
import { startStub } from "../../helpers/stub.ts";
import { here, missingToolchain, report, requireInstalled, run, VERSIONS, venvBin } from "./toolchain.ts";

const skip = await missingToolchain("python3");
const artifacts = join(projectRoot, "test-artifacts");
const junit = join(artifacts, "schemathesis-junit.xml");

describe.skipIf(skip)("Schemathesis", () => {
  it(`schemathesis ${VERSIONS.schemathesis}: examples, coverage, fuzzing and stateful against the stub, 0 failures`, async () => {
    const st = requireInstalled(venvBin("st"), `schemathesis ${VERSIONS.schemathesis}`);
    mkdirSync(artifacts, { recursive: true });
    const stub = await startStub({ progression: "immediate" });
    try {
      const args = [
        "--config-file", join(here, "schemathesis.toml"),
        "run", `${stub.url}/openapi.json`,
        "--header", "X-Auth-Token: schemathesis",
        "--phases", "examples,coverage,fuzzing,stateful",
        // Schemathesis's own health checks of its data generation (the JSON-patch path pattern leaves few strings,
        // the CreateImage bodies are large): they judge the generator's speed, not the API.
        "--suppress-health-check", "filter_too_much,too_slow",
        // 30 cases per operation and phase, two workers: about two minutes on a CI machine's two cores.
        "--max-examples", "30", "--workers", "2",
        "--seed", "25",
        "--report", "junit", "--report-junit-path", junit,
      ];
      let output: string;
      let ms: number;
      try {
        ({ stdout: output, ms } = await run(st, args, { cwd: artifacts, timeoutMs: 840_000, env: { NO_COLOR: "1", SCHEMATHESIS_TELEMETRY: "false" } }));
      } catch (error) {
        throw new Error(`Schemathesis found failures (the JUnit report is ${junit}):\n${(error as Error).message}`);
      }
      const summary = output
        .split("\n")
        .filter((line) => /\d+ generated|\d+ passed/.test(line))
        .map((line) => line.trim())
        .join("; ");
      expect(output).not.toMatch(/\d+ failures?/);
      const xml = readFileSync(junit, "utf8");
      expect(xml).toMatch(/<testsuite[^>]*failures="0"/);
      expect(xml).toMatch(/<testsuite[^>]*errors="0"/);
      report("schemathesis", { run: ms }, summary);
    } finally {
      await stub.close();
    }
  });
});

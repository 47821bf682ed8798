// The Java client openapi-generator's `java` generator (okhttp-gson) makes from the 3.1 contract, compiled by javac
// through Maven (-Xlint:all, its warnings counted) and run against the stub.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundledContract, copyInto, here, missingToolchain, report, requireInstalled, run, runLifecycle, scratch, VERSIONS, venvBin } from "./toolchain.ts";

const skip = await missingToolchain("java", "javac", "mvn");

describe.skipIf(skip)("Java client", () => {
  it(`openapi-generator ${VERSIONS.openapiGenerator} java: generate from the 3.1 contract, compile with Maven, run the lifecycle`, async () => {
    const generator = requireInstalled(venvBin("openapi-generator-cli"), `openapi-generator-cli ${VERSIONS.openapiGenerator}`);
    const dir = scratch("java-openapi-generator");
    copyInto(join(here, "java/pom.xml"), join(dir, "pom.xml"));
    const generate = await run(generator, [
      "generate", "-i", bundledContract, "-g", "java", "-o", join(dir, "generated"),
      "--api-package", "ims.api", "--model-package", "ims.model", "--invoker-package", "ims.client",
      "--global-property", "apiTests=false,modelTests=false,apiDocs=false,modelDocs=false",
      // Optional arrays start as null, not []: an empty `tags` sent beside `image_tags` is a body mixing both.
      "--additional-properties", "containerDefaultToNull=true",
    ]);
    copyInto(join(here, "java/src/ims/lifecycle"), join(dir, "generated/src/main/java/ims/lifecycle"));
    const build = await run("mvn", ["--batch-mode", "compile", "dependency:build-classpath", "-Dmdep.outputFile=classpath.txt"], { cwd: dir });
    const warnings = build.stdout.split("\n").filter((line) => line.startsWith("[WARNING]") && line.includes(".java:"));
    expect(build.stdout).not.toContain("[ERROR]");
    const classpath = `${join(dir, "target/classes")}:${readFileSync(join(dir, "classpath.txt"), "utf8").trim()}`;
    const { ms } = await runLifecycle("java", ["-cp", classpath, "ims.lifecycle.Main"], dir);
    report("openapi-generator java", { generate: generate.ms, "mvn compile": build.ms, run: ms }, `oneOf bodies and the Job union are AbstractOpenApiSchema wrappers (getActualInstance()), the Job matched by its closed branches; a refused create throws ApiException with the body as text, read with ErrorBody.fromJson. javac -Xlint:all: ${warnings.length} warnings in the generated code. Needs containerDefaultToNull=true (else empty tags and image_tags are both sent, IMG.0001).`);
  });
});

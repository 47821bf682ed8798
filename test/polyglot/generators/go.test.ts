// Go clients generated from the contract, built with `go vet` and `go build`, run against the stub: oapi-codegen
// (from the 3.1 contract) and openapi-generator's `go` generator (from the 3.0 rendition, which its 3.1 reading
// needs: it writes a field of type `nil` for `type: 'null'`).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundledContract, contract30, copyInto, here, missingToolchain, report, requireInstalled, run, runLifecycle, scratch, VERSIONS, venvBin } from "./toolchain.ts";

const skip = await missingToolchain("go");

describe.skipIf(skip)("Go clients", () => {
  it(`oapi-codegen ${VERSIONS.oapiCodegen}: generate from the 3.1 contract, vet, build, run the lifecycle`, async () => {
    const dir = scratch("go-oapi-codegen");
    copyInto(join(here, "go"), dir);
    const generate = await run("go", ["tool", "oapi-codegen", "-config", "oapi-codegen.yaml", "-o", "oapicodegen/ims/client.gen.go", bundledContract], { cwd: dir });
    const build = await run("sh", ["-c", "go vet ./oapicodegen/... && go build -o bin/ ./oapicodegen"], { cwd: dir });
    const { ms } = await runLifecycle(join(dir, "bin/oapicodegen"), [], dir);
    report("oapi-codegen", { generate: generate.ms, build: build.ms, run: ms }, "CreateImageRequestBody and Job are unions with As…/From… methods; Job.ValueByDiscriminator() reads status (INIT and RUNNING both JobInProgress); a refused create's IMS error is JSON400 (ErrorBody). Needs resolve-type-name-collisions (schema JobId and parameter JobId).");
  });

  it(`openapi-generator ${VERSIONS.openapiGenerator} go: generate from the 3.0 rendition, vet, build, run the lifecycle`, async () => {
    const generator = requireInstalled(venvBin("openapi-generator-cli"), `openapi-generator-cli ${VERSIONS.openapiGenerator}`);
    const dir = scratch("go-openapi-generator");
    copyInto(join(here, "go"), dir);
    const generate = await run(generator, [
      "generate", "-i", contract30, "-g", "go", "-o", join(dir, "openapigenerator/ims"), "--package-name", "ims",
      "--global-property", "apiTests=false,modelTests=false,apiDocs=false,modelDocs=false",
      "--additional-properties", "withGoMod=false,enumClassPrefix=true,useOneOfDiscriminatorLookup=true",
    ]);
    const build = await run("sh", ["-c", "go vet ./openapigenerator/... && go build -o bin/ ./openapigenerator"], { cwd: dir });
    const { ms } = await runLifecycle(join(dir, "bin/openapigenerator"), [], dir);
    report("openapi-generator go", { generate: generate.ms, build: build.ms, run: ms }, "oneOf bodies are wrapper structs (one non-nil pointer per branch); the Job union needs useOneOfDiscriminatorLookup=true, else an INIT job matches several branches; a refused create's IMS error is GenericOpenAPIError.Model() (ErrorBody).");
    expect(generate.stdout + generate.stderr).not.toMatch(/Exception/);
  });
});
